"""Slack delivery through slack-sdk's WebhookClient to a loopback HTTP server standing in
for Slack's incoming webhook."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.digest import Digest, Entry, Section
from alerts.sender import send_due
from alerts.service import deliver_due
from alerts.slack import MAX_BLOCKS, MAX_SECTION, render_slack
from store import outbox
from tests.alerting import add_document
from tests.loopback import LoopbackServer, Reply
from tracker.classify import DEFAULT_RULES
from tracker.config import parse
from vocab.categories import read_categories

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
HOOK = "/services/T000/B000/XXXX"
ENV = "CHIPWATCH_TEST_SLACK_WEBHOOK"


@pytest.fixture
def slack_config(monkeypatch):
    def make(server: LoopbackServer):
        monkeypatch.setenv(ENV, server.url + HOOK)
        return parse({"alerts": {"slack": {"webhook_url_env": ENV, "timeout": 5}}},
                     Path("/tmp/config.toml"))
    return make


def posted(server: LoopbackServer) -> list[dict]:
    return [json.loads(hit.body) for hit in server.requests_for(HOOK)]


def check_limits(message: dict) -> None:
    assert message["text"]
    assert len(message["blocks"]) <= MAX_BLOCKS
    for block in message["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def many(n: int, evidence: str = "Controls on advanced chips & tools apply.") -> Digest:
    entries = [Entry(document_id=f"bis:{i}", title=f"Rule {i} " + "x" * 200,
                     url=f"https://www.bis.gov/{i}", source="bis", lang="en",
                     published="2026-03-02", category="export_control", score=0.9,
                     evidence=evidence, match="chips") for i in range(n)]
    return Digest(channel="slack", kind="daily", period="2026-03-02",
                  title="chipwatch daily digest, 2 March 2026",
                  sections=[Section("export_control", entries, "Export controls")],
                  categories=read_categories(DEFAULT_RULES))


def test_long_digest_is_split_into_messages_within_limits():
    messages = render_slack(many(130))
    assert len(messages) >= 3
    for number, message in enumerate(messages, 1):
        check_limits(message)
        assert f"part {number} of {len(messages)}" in message["text"]
    shown = "".join(b["text"]["text"] for m in messages for b in m["blocks"]
                    if b["type"] == "section")
    assert all(f"Rule {i} " in shown for i in range(130))


def test_a_huge_section_text_is_cut_to_3000_characters_on_an_entity_boundary():
    [message] = render_slack(many(1, evidence="&" * 5000))
    check_limits(message)
    text = message["blocks"][-1]["text"]["text"]
    assert text.endswith("&amp;\u2026")


def test_digest_arrives_as_one_message_with_blocks(db, slack_config):
    add_document(db, "bis:1", title="Entity List additions",
                 tags=[("export_control", 0.9, "BIS adds entities to the Entity List.",
                        "Entity List")])
    with LoopbackServer({HOOK: Reply(200, "ok", content_type="text/plain")}) as server:
        report = deliver_due(slack_config(server), db, NOW)
        assert [d.status for d in report.deliveries] == ["sent"]
        [message] = posted(server)
    check_limits(message)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds[:2] == ["header", "context"] and "divider" in kinds
    assert any("BIS adds entities" in b["text"]["text"] for b in message["blocks"]
               if b["type"] == "section")


def test_control_sequences_arrive_escaped(db, slack_config):
    add_document(db, "bis:1", title="<!channel> <script>x</script> & <https://evil.example|click>",
                 tags=[("export_control", 0.9, "Ping <!here> & <@U123>.", "Ping")])
    with LoopbackServer({HOOK: Reply(200, "ok", content_type="text/plain")}) as server:
        deliver_due(slack_config(server), db, NOW)
        raw = server.requests_for(HOOK)[0].body.decode("utf-8")
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U123>" not in raw
    assert "<script>" not in raw and "<https://evil" not in raw
    assert "&lt;!channel&gt; &lt;script&gt;x&lt;/script&gt; &amp;" in raw
    assert "Ping &lt;!here&gt; &amp; &lt;@U123&gt;." in raw


def test_429_with_retry_after_then_ok_gives_one_message(db, slack_config):
    add_document(db, "bis:1", title="Entity List additions",
                 tags=[("export_control", 0.9, "BIS adds entities.", "BIS")])
    replies = [Reply(429, "rate_limited", headers={"Retry-After": "1"},
                     content_type="text/plain"),
               Reply(200, "ok", content_type="text/plain")]
    with LoopbackServer({HOOK: replies}) as server:
        config = slack_config(server)
        report = deliver_due(config, db, NOW)
        assert [d.status for d in report.deliveries] == ["retry"]  # nothing sleeps in a send
        assert [d.status for d in send_due(config, db, NOW + timedelta(minutes=1))] == ["sent"]
        hits = server.requests_for(HOOK)
    assert [h.status for h in hits] == [429, 200]
    assert hits[0].body == hits[1].body  # the same message, accepted once


def test_404_no_service_marks_the_digest_failed(db, slack_config):
    add_document(db, "bis:1", title="Entity List additions",
                 tags=[("export_control", 0.9, "BIS adds entities.", "BIS")])
    with LoopbackServer({HOOK: Reply(404, "no_service", content_type="text/plain")}) as server:
        config = slack_config(server)
        [delivery] = deliver_due(config, db, NOW).deliveries
        assert delivery.status == "failed"
        assert send_due(config, db, NOW + timedelta(days=1)) == []  # not retried by itself
        assert len(server.requests_for(HOOK)) == 1
    [row] = outbox.listing(db)
    assert row["status"] == "failed" and "no_service" in row["last_error"]


def test_a_split_digest_resumes_after_the_last_accepted_message(db, slack_config):
    for i in range(60):
        add_document(db, f"bis:{i}", title=f"Rule {i}",
                     tags=[("export_control", 0.9, f"Rule {i} controls chips.", "chips")])
    replies = [Reply(200, "ok", content_type="text/plain"),
               Reply(500, "internal_error", content_type="text/plain"),
               Reply(200, "ok", content_type="text/plain")]
    with LoopbackServer({HOOK: replies}) as server:
        config = slack_config(server)
        [first] = deliver_due(config, db, NOW).deliveries
        assert first.status == "retry"
        [second] = send_due(config, db, NOW + timedelta(minutes=5))
        assert second.status == "sent"
        bodies = [json.loads(h.body) for h in server.requests_for(HOOK)]
    # part 1 accepted, part 2 refused then accepted: Slack shows parts 1 and 2 once each.
    texts = [b["text"] for b in bodies]
    assert len(texts) == 3 and "part 1 of 2" in texts[0]
    assert "part 2 of 2" in texts[1] and texts[1] == texts[2]
