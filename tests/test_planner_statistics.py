"""The planner's statistics (store/statistics.py): a store gets them once it has grown, so
that a search narrowed by a column starts from the search's matches, not from every
document of the column's value."""

from __future__ import annotations

import asyncio

import pytest

from store import open_db, statistics
from store.documents import upsert_documents
from store.search import fts_query
from tests.browse_demo import synthetic
from tracker.browse import make_datasette

SOURCES = ["tsmc", "commerce", "bis", "trendforce"]
DOCUMENTS = 2000
NARROWED = ("select document_id from reading where rowid in (select rowid from "
            "document_search_fts where document_search_fts match escape_fts('lithography') "
            "order by rowid desc limit 1000) and source = 'tsmc' order by published desc "
            "limit 51")


def plan(db) -> str:
    db.conn.create_function("escape_fts", 1, fts_query)
    return " | ".join(row[-1] for row in db.execute(f"explain query plan {NARROWED}"))


@pytest.fixture
def grown(tmp_path):
    """A store made when it was empty (as the first `chipwatch run` makes it), then grown to
    DOCUMENTS documents, one in fifty about lithography."""
    path = tmp_path / "chipwatch.db"
    db = open_db(path)
    upsert_documents(db, [synthetic(
        f"d{i}", SOURCES[i % 4], "en", f"Test release {i}",
        ("Lithography tools. " if i % 50 == 0 else "") + "Neutral filler text.",
        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(DOCUMENTS)])
    yield path, db
    db.close()


def test_a_grown_store_is_analysed_and_a_narrowed_search_starts_from_its_matches(grown):
    path, db = grown
    before = plan(db)
    assert "idx_documents_source_published" in before  # statistics of an empty store

    statistics.refresh(db)
    assert db.execute("select count(*) from sqlite_stat1 where tbl = 'documents'"
                      ).fetchone()[0] > 0
    after = plan(db)
    assert "idx_documents_source_published" not in after and "rowid=?" in after

    page = asyncio.run(make_datasette(path).client.get("/chipwatch/reading.json", params={
        "_search": "lithography", "source": "tsmc", "_shape": "objects"})).json()
    expected = [f"tsmc:d{i}" for i in range(DOCUMENTS) if i % 50 == 0 and i % 4 == 0]
    assert sorted(r["document_id"] for r in page["rows"]) == sorted(expected)
    assert sum(v["count"] for v in page["facet_results"]["language"]["results"]) == \
        len(expected)  # its facets are counted, not given up


def test_refreshing_statistics_that_are_current_changes_nothing(grown):
    _, db = grown
    statistics.refresh(db)
    stats = db.execute("select * from sqlite_stat1 order by tbl, idx").fetchall()
    statistics.refresh(db)
    assert db.execute("select * from sqlite_stat1 order by tbl, idx").fetchall() == stats


# What FTS5 runs to drop the segments it has merged (and reads by key otherwise).
SEGMENT_DELETE = "delete from document_search_fts_data where id >= ? and id <= ?"


def index_statistics(db) -> list:
    return db.execute("select tbl from sqlite_stat1 where tbl like 'document_search_fts%'"
                      ).fetchall()


def segments_deleted_by_key(db) -> bool:
    plan = db.execute(f"explain query plan {SEGMENT_DELETE}", [1, 2]).fetchall()
    return "INTEGER PRIMARY KEY" in plan[-1][-1]


def test_the_search_index_is_never_analysed_so_its_writes_stay_by_key(grown):
    path, db = grown  # analysed when empty, then grown, in the same connection
    assert index_statistics(db) == [] and segments_deleted_by_key(db)
    statistics.refresh(db)
    assert index_statistics(db) == []
    db.close()
    db = open_db(path)
    assert segments_deleted_by_key(db)
    statistics.analyse(db)
    assert index_statistics(db) == [] and segments_deleted_by_key(db)
    assert db.execute("select count(*) from sqlite_stat1 where tbl = 'documents'"
                      ).fetchone()[0] > 0  # the rest is analysed


def test_a_store_analysed_with_its_search_index_forgets_those_statistics(tmp_path):
    import sqlite3

    from sqlite_utils import Database

    from store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="m016_no_search_index_statistics")
    old.execute("analyze")  # as m015 did before
    assert index_statistics(old)
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert index_statistics(db) == []
    db.close()
    db = open_db(path)
    assert segments_deleted_by_key(db)
    db.close()
