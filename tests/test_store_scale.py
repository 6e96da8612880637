"""What keeps the digest query and a search quick in a large store, checked for correctness:
the digest's window on first_seen and its tag filter, and a search that reads only the
matching documents (the plan, not the time: speed is measured in bench/store_scale.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from alerts.service import build
from store.digests import undigested
from store.documents import upsert_documents
from store.outbox import create_digest
from store.search import fts_query
from store.tags import set_tags
from tests.test_alerts_digest import CONFIG
from tracker.config import parse


def add(db, n: int, *, first_seen: str, published: str, tagged: bool, title: str = "") -> str:
    doc_id = f"bis:{n}"
    upsert_documents(db, [{
        "id": doc_id, "source": "bis", "external_id": str(n), "lang": "en",
        "url": f"https://www.bis.gov/press-release/{n}", "title": title or f"Notice {n}",
        "text": "Body.", "published": published, "metadata": {}}], now=first_seen)
    tags = [{"category": "export_control", "score": 5.0,
             "evidence": [{"sentence": "Entity List additions.", "match": "Entity List"}]}]
    set_tags(db, doc_id, tags if tagged else [], "test")
    return doc_id


def seed(db) -> None:
    add(db, 1, first_seen="2026-01-05T06:00:00+00:00", published="2026-01-02", tagged=True)
    add(db, 2, first_seen="2026-03-01T06:00:00+00:00", published="2026-02-27", tagged=True)
    add(db, 3, first_seen="2026-03-01T06:00:00+00:00", published="2026-02-28", tagged=False)
    add(db, 4, first_seen="2026-03-02T06:00:00+00:00", published="2026-03-01", tagged=True)
    add(db, 5, first_seen="2026-03-02T06:00:00+00:00", published="2026-03-02", tagged=True)
    create_digest(db, digest_id="x:daily:2026-03-02", channel="x", kind="daily",
                  period="2026-03-02", document_ids=["bis:4"], payload={}, status="sent")


def ids(rows) -> list[str]:
    return [r["id"] for r in rows]


def test_undigested_without_a_window_is_every_unmarked_document_newest_first(db):
    seed(db)
    assert ids(undigested(db, "x")) == ["bis:5", "bis:3", "bis:2", "bis:1"]
    assert ids(undigested(db, "other")) == ["bis:5", "bis:4", "bis:3", "bis:2", "bis:1"]


def test_the_window_leaves_out_documents_first_seen_before_it(db):
    seed(db)
    assert ids(undigested(db, "x", since="2026-02-01T00:00:00+00:00")) == [
        "bis:5", "bis:3", "bis:2"]
    assert ids(undigested(db, "x", since="2026-03-02T06:00:00+00:00")) == ["bis:5"]


def test_untagged_false_leaves_out_documents_without_a_tag(db):
    seed(db)
    assert ids(undigested(db, "x", since="2026-02-01T00:00:00+00:00", untagged=False)) == [
        "bis:5", "bis:2"]
    assert ids(undigested(db, "x", untagged=False, limit=2)) == ["bis:5", "bis:2"]


def test_rows_carry_what_a_digest_shows_but_not_the_full_text(db):
    seed(db)
    row = undigested(db, "x")[0]
    assert row["title"] == "Notice 5" and row["metadata"] == {}
    assert row["url"] == "https://www.bis.gov/press-release/5"
    assert "text" not in row


def test_a_digest_looks_back_thirty_days_of_first_sightings(db, tmp_path):
    seed(db)
    config = parse({"alerts": {"file": {"directory": str(tmp_path / "out")}}}, CONFIG)
    channel = config.channels()["file"]
    now = datetime(2026, 3, 3, 12, tzinfo=timezone.utc)
    digest = build(config, db, "file", channel, now, kind="cycle", period="p")
    # bis:1 was first seen 57 days earlier; bis:3 has no tag and the channel lists no "none"
    assert sorted(digest.document_ids) == ["bis:2", "bis:4", "bis:5"]


def test_a_search_in_the_reading_view_reads_only_the_matching_documents(db):
    add(db, 1, first_seen="2026-03-01T06:00:00+00:00", published="2026-03-01", tagged=True,
        title="Entity List additions")
    add(db, 2, first_seen="2026-03-01T06:00:00+00:00", published="2026-03-02", tagged=False,
        title="Monthly revenue report")
    db.conn.create_function("escape_fts", 1, fts_query)
    # The SQL Datasette 0.65 runs for /chipwatch/reading?_search=entity (sort_desc: published)
    sql = ("select title, document_id, rowid from reading where rowid in (select rowid from "
           "document_search_fts where document_search_fts match escape_fts(:search)) "
           "order by published desc limit 51")
    assert [r["document_id"] for r in db.query(sql, {"search": "entity"})] == ["bis:1"]
    plan = [row[3] for row in db.execute("explain query plan " + sql, {"search": "entity"})]
    assert not any(step.split()[:2] == ["SCAN", "d"] for step in plan), plan
    assert any("USING INTEGER PRIMARY KEY" in step for step in plan), plan
