"""Digests stay a size a channel can carry: after a backfill of 20,000 documents, one email
within `max_bytes` and a couple of Slack posts, the most important entries first, the rest
counted with a link to the digest's full list in Datasette (which lists every one of them).
See docs/reliability.md."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from alerts.bound import full_list_link
from alerts.service import deliver_due, digest_now
from store import open_db, outbox
from store.documents import upsert_documents
from store.tags import set_tags
from tests.alerting import Recorder, free_port, smtp_server
from tests.loopback import LoopbackServer, Reply
from tracker.browse import make_datasette
from tracker.config import parse

pytestmark = pytest.mark.timeout(300)

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
BACKFILL = 20_000
HOOK = "/services/T000/B000/XXXX"
ENV = "CHIPWATCH_TEST_SLACK_WEBHOOK"
CATEGORIES = ["export_control", "tariff", "alliance"]


def documents(n: int, *, evidence: str = "", title: str = "Rule {i} on export controls"):
    docs = [{"id": f"federal_register:2026-{i:05d}", "source": "federal_register",
             "external_id": f"2026-{i:05d}", "lang": "en",
             "url": f"https://www.federalregister.gov/d/2026-{i:05d}",
             "title": title.format(i=i), "text": "", "published": "2026-03-01",
             "metadata": {}} for i in range(n)]
    tags = {doc["id"]: [{"category": CATEGORIES[i % 3], "score": 3 + (i % 97) / 10,
                         "evidence": [{"sentence": evidence or f"Sentence {i}.",
                                       "match": "Sentence"}]}]
            for i, doc in enumerate(docs)}
    return docs, tags


def store(path: Path, docs, tags) -> None:
    db = open_db(path)
    upsert_documents(db, docs, now="2026-03-02T12:00:00+00:00")
    with db.atomic():
        for doc_id, doc_tags in tags.items():
            set_tags(db, doc_id, doc_tags, "test-1")
    db.close()


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("backfill") / "chipwatch.db"
    store(path, *documents(BACKFILL))
    return path


@pytest.fixture
def db(backfilled, tmp_path):
    path = tmp_path / "chipwatch.db"
    shutil.copy(backfilled, path)
    database = open_db(path)
    yield database
    database.close()


def email_config(port: int, **keys):
    table = {"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
             "from": "chipwatch@example.org", "to": ["analyst@example.org"], "timeout": 10,
             "daily_at": "08:00", **keys}
    return parse({"alerts": {"email": table},
                  "browse": {"url": "https://chipwatch.example.org/browse/"}},
                 Path("/tmp/config.toml"))


def test_a_backfill_becomes_one_bounded_email_with_a_link_to_the_full_list(db):
    handler, port = Recorder(), free_port()
    controller = smtp_server(handler, port)
    try:
        config = email_config(port)
        [delivery] = deliver_due(config, db, NOW).deliveries
        assert delivery.status == "sent", delivery.line()
    finally:
        controller.stop()
    [message] = handler.messages
    assert len(message.as_bytes()) <= config.channels()["email"].max_bytes
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    shown = text.count("\n* Rule ")
    assert shown == config.channels()["email"].max_entries == 200
    assert f"{BACKFILL} documents" in message["Subject"]
    assert f"By source: Federal Register {BACKFILL}." in text  # the header counts them all
    notice = f"the 200 most important events are shown; {BACKFILL - 200} more"
    assert notice in " ".join(text.split())
    link = full_list_link("https://chipwatch.example.org/browse", delivery.digest_id)
    assert link in text and f'href="{link.replace("&", "&amp;")}"' in html
    # every document is marked as shown in the channel: nothing trickles out later
    row = outbox.get(db, delivery.digest_id)
    assert row["document_count"] == BACKFILL
    assert digest_now(config, db, NOW.replace(hour=14), ["email"]).made[0].documents == 0


def test_the_most_important_entries_are_the_ones_shown(db):
    config = email_config(free_port(), max_entries=30,
                          categories=["tariff", "export_control", "alliance"])
    [made] = digest_now(config, db, NOW, ["email"], dry_run=True).made
    digest = made.digest
    # the first category of the channel fills the room, strongest first
    assert [s.category for s in digest.sections] == ["tariff"]
    scores = [e.score for e in digest.entries]
    assert scores == sorted(scores, reverse=True) and len(scores) == 30
    assert digest.omitted.count == BACKFILL - 30
    assert dict(digest.omitted.categories) == {"tariff": BACKFILL // 3 - 30 + 1,
                                               "export_control": BACKFILL // 3 + 1,
                                               "alliance": BACKFILL // 3}
    assert min(scores) == 3 + 96 / 10  # the strongest tariffs; weaker ones are left out


def test_the_full_list_in_datasette_holds_every_document_of_the_digest(db, tmp_path):
    handler, port = Recorder(), free_port()
    controller = smtp_server(handler, port)
    try:
        [delivery] = deliver_due(email_config(port), db, NOW).deliveries
    finally:
        controller.stop()
    link = full_list_link("http://127.0.0.1:8001", delivery.digest_id)
    parts = urlsplit(link)
    ds = make_datasette(tmp_path / "chipwatch.db")
    page = asyncio.run(ds.client.get(f"{parts.path}.json?{parts.query}&_size=5"))
    assert page.status_code == 200, page.text
    data = page.json()
    assert data["filtered_table_rows_count"] == BACKFILL
    first = dict(zip(data["columns"], data["rows"][0], strict=True))
    assert first["digest_id"] == delivery.digest_id and first["score"] == 12.6
    html = asyncio.run(ds.client.get(f"{parts.path}?{parts.query}"))
    assert html.status_code == 200
    assert 'href="https://www.federalregister.gov/d/2026-' in html.text  # titles link


def test_a_backfill_becomes_a_couple_of_slack_posts_each_within_its_bytes(db, monkeypatch):
    monkeypatch.setenv(ENV, "placeholder")
    with LoopbackServer({HOOK: Reply(200, "ok", content_type="text/plain")}) as server:
        monkeypatch.setenv(ENV, server.url + HOOK)
        config = parse({"alerts": {"slack": {"webhook_url_env": ENV, "timeout": 10}}},
                       Path("/tmp/config.toml"))
        [delivery] = deliver_due(config, db, NOW).deliveries
        posts = [hit.body for hit in server.requests_for(HOOK)]
    assert delivery.status == "sent", delivery.line()
    assert 1 <= len(posts) <= 3
    assert all(len(body) <= config.channels()["slack"].max_bytes for body in posts)
    blocks = [b for body in posts for b in json.loads(body)["blocks"] if b["type"] == "section"]
    entries = [b for b in blocks if "federalregister.gov/d/" in b["text"]["text"]]
    assert len(entries) == 50
    notice = blocks[0]["text"]["text"]
    assert f"{BACKFILL - 50} more" in notice and "digest_documents?digest_id=" in notice


def test_long_entries_are_bounded_by_bytes_before_entries(tmp_path):
    path = tmp_path / "chipwatch.db"
    store(path, *documents(300, evidence="Controls on advanced chips apply. " * 20))
    handler, port = Recorder(), free_port()
    controller = smtp_server(handler, port)
    db = open_db(path)
    try:
        config = email_config(port, max_bytes=100_000)
        [delivery] = deliver_due(config, db, NOW).deliveries
        assert delivery.status == "sent"
    finally:
        controller.stop()
        db.close()
    [message] = handler.messages
    size = len(message.as_bytes())
    assert size <= 100_000
    shown = message.get_body(("plain",)).get_content().count("\n* Rule ")
    assert 0 < shown < 200
    assert f"{300 - shown} more" in " ".join(message.get_body(("plain",)).get_content().split())


def test_chinese_titles_keep_each_slack_post_within_its_bytes(tmp_path, monkeypatch):
    """slack-sdk sends JSON with every non-ASCII character escaped (six bytes each)."""
    path = tmp_path / "chipwatch.db"
    store(path, *documents(40, title="美國商務部公布出口管制新規定第{i}號" * 8,
                           evidence="半導體出口管制措施適用於先進晶片。" * 30))
    db = open_db(path)
    with LoopbackServer({HOOK: Reply(200, "ok", content_type="text/plain")}) as server:
        monkeypatch.setenv(ENV, server.url + HOOK)
        config = parse({"alerts": {"slack": {"webhook_url_env": ENV, "max_bytes": 20_000}}},
                       Path("/tmp/config.toml"))
        [delivery] = deliver_due(config, db, NOW).deliveries
        posts = [hit.body for hit in server.requests_for(HOOK)]
    db.close()
    assert delivery.status == "sent", delivery.line()
    assert len(posts) > 1
    assert all(len(body) <= 20_000 for body in posts), [len(b) for b in posts]
    shown = set(re.findall(rb"federalregister\.gov/d/[0-9-]+", b"".join(posts)))
    assert len(shown) == 40  # split, not cut: every entry arrives


def test_a_file_digest_is_bounded_too(db, tmp_path):
    out = tmp_path / "digests"
    config = parse({"alerts": {"file": {"directory": str(out), "max_entries": 500}}},
                   Path("/tmp/config.toml"))
    [delivery] = deliver_due(config, db, NOW).deliveries
    assert delivery.status == "sent"
    [text_file] = out.glob("*.txt")
    assert text_file.read_text().count("\n* Rule ") == 500
    assert f"{BACKFILL - 500} more" in " ".join(text_file.read_text().split())
