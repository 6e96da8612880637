"""The store on real SQLite files: idempotent writes, history, crawl runs, clear errors."""

import json
import sqlite3

import pytest

from store import StoreError, open_db
from store.documents import get_document, latest_published, upsert_documents
from store.revisions import revisions
from store.runs import finish_run, get_run, start_run


def doc(n=1, **changes):
    base = {"id": f"federal_register:2026-{n:05d}", "source": "federal_register",
            "external_id": f"2026-{n:05d}", "lang": "en",
            "url": f"https://www.federalregister.gov/d/2026-{n:05d}", "title": f"Rule {n}",
            "text": "Abstract.", "published": f"2026-09-{n:02d}", "date_precision": "day",
            "timezone": "America/New_York", "metadata": {"agencies": []}}
    base.update(changes)
    return base


def test_file_is_created_in_wal_mode_with_migrations(db_path):
    db = open_db(db_path)
    assert db_path.exists()
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"documents", "crawl_runs", "document_revisions",
            "_sqlite_migrations"} <= set(db.table_names())
    applied = [r["name"] for r in db.query("select name from _sqlite_migrations")]
    db.close()
    again = open_db(db_path)  # re-opening applies nothing twice
    assert [r["name"] for r in again.query("select name from _sqlite_migrations")] == applied


def test_rerunning_the_same_documents_adds_no_rows(db_path):
    db = open_db(db_path)
    first = upsert_documents(db, [doc(1), doc(2)], now="2026-10-01T00:00:00+00:00")
    second = upsert_documents(db, [doc(1), doc(2)], now="2026-10-02T00:00:00+00:00")
    assert (first.new, first.changed) == (2, 0)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 2)
    assert db["documents"].count == 2
    row = get_document(db, "federal_register:2026-00001")
    assert row["first_seen"] == "2026-10-01T00:00:00+00:00"
    assert row["last_seen"] == "2026-10-02T00:00:00+00:00"
    assert row["changed_at"] is None and row["revision"] == 1


def test_a_real_change_is_recorded_and_first_seen_survives(db_path):
    db = open_db(db_path)
    upsert_documents(db, [doc(1)], now="2026-10-01T00:00:00+00:00")
    ids = []
    counts = upsert_documents(db, [doc(1, text="Amended abstract.")],
                              now="2026-10-03T00:00:00+00:00", changed_ids=ids)
    assert counts.changed == 1 and ids == ["federal_register:2026-00001"]
    row = get_document(db, "federal_register:2026-00001")
    assert row["text"] == "Amended abstract." and row["revision"] == 2
    assert row["first_seen"] == "2026-10-01T00:00:00+00:00"
    assert row["changed_at"] == "2026-10-03T00:00:00+00:00"
    old, current = revisions(db, "federal_register:2026-00001")
    assert old["text"] == "Abstract." and old["revision"] == 1 and old["change"] == "content"
    assert current["current"] and current["revision"] == 2
    assert current["diff"]["fields"] == ["text"]
    assert current["diff"]["text"] == ["-Abstract.", "+Amended abstract."]


def test_a_failing_batch_leaves_nothing_half_written(db_path):
    db = open_db(db_path)
    broken = doc(2)
    broken["title"] = None  # violates NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        upsert_documents(db, [doc(1), broken])
    assert db["documents"].count == 0


def test_latest_published_per_source(db):
    upsert_documents(db, [doc(3), doc(9), doc(5)])
    assert latest_published(db, "federal_register") == "2026-09-09"
    assert latest_published(db, "bis") is None


def test_crawl_runs_keep_their_stats_and_errors(db):
    run_id = start_run(db, "bis")
    assert get_run(db, run_id)["status"] == "running"
    finish_run(db, run_id, status="failed", finish_reason="finished", pages_fetched=3,
               bytes_received=1200, documents_seen=0, errors=["bis: listing x matched no items"],
               stats={"response_received_count": 3})
    run = get_run(db, run_id)
    assert run["status"] == "failed" and run["error_count"] == 1
    assert json.loads(run["errors"]) == ["bis: listing x matched no items"]
    assert json.loads(run["stats"]) == {"response_received_count": 3}


def test_corrupt_file_gets_a_clear_error_and_is_left_alone(tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        open_db(path)
    assert path.read_bytes() == before


def test_only_runs_of_dead_processes_are_marked_abandoned(db):
    import subprocess
    import sys

    from store.runs import mark_abandoned_runs
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ids = {}
        for name, pid in (("dead", dead.pid), ("live", live.pid), ("unknown", None)):
            ids[name] = start_run(db, "bis")
            db["crawl_runs"].update(ids[name], {"pid": pid})
        ids["mine"] = start_run(db, "bis")
        assert mark_abandoned_runs(db) == 2
        status = {name: get_run(db, run_id)["status"] for name, run_id in ids.items()}
        assert status == {"dead": "interrupted", "live": "running", "unknown": "interrupted",
                          "mine": "running"}
        assert mark_abandoned_runs(db, mine=True) == 1
        assert get_run(db, ids["mine"])["status"] == "interrupted"
    finally:
        live.kill()
        live.wait()


def test_the_store_keeps_every_field_of_the_one_document_shape(db):
    from vocab.documents import DOCUMENT_FIELDS

    columns = set(db["documents"].columns_dict)
    assert set(DOCUMENT_FIELDS) <= columns
