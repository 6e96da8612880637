"""A filter on the reading view's day or month of publication is found by the index of
`published` (store/browse/prefixes.py) and keeps exactly the rows Datasette's own filter
keeps, whatever way `published` is written."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from store import open_db
from store.browse.prefixes import range_clauses
from store.documents import upsert_documents
from tests.browse_demo import synthetic
from tracker.browse import make_datasette

# Dates as the sources write them: a day alone, a time with an offset, UTC with Z, the edges
# of days, months and years, and the highest characters a prefix can be followed by.
PUBLISHED = ["2023-12-31", "2023-12-31T23:59:59+08:00", "2024-01-01", "2024-01-01T00:00:00Z",
             "2024-01-01T08:30:00-05:00", "2024-01-02T12:00:00+00:00", "2024-01-31",
             "2024-02-01T00:00:00+08:00", "2024-02", "2024", "2024-02-29T23:59:59Z",
             "2024-03-01", "2024-10-01T09:00:00+08:00", "2025-01-01"]

# (filter, value) pairs Datasette offers: exact, a day, comparisons, values shorter, longer,
# numeric and malformed, and a day that has no documents.
FILTERS = [("date__date", "2024-01-01"), ("date__date", "2024-01-02"),
           ("date__date", "2024-02-30"), ("date__date", "2024-1-1"), ("date", "2024-01-31"),
           ("date__exact", "2024-02"), ("date", "2024"), ("month", "2024-01"),
           ("month", "2024-02"), ("month", "2024"), ("month", "2024-02-29"),
           ("date__gt", "2024-01-01"), ("date__gte", "2024-01"), ("date__lt", "2024-01-02"),
           ("date__lte", "2024-02"), ("date__lte", "2024-01-01T12"), ("month__lt", "2024-02-15"),
           ("month__lte", "2024-02"), ("month__gt", "2024-01-31"), ("date__gt", "2024"),
           ("date__lt", "2025"), ("date__lte", "2023-12-31"), ("date__date", "2030-01-01")]

# Datasette's own clause for each lookup (datasette.filters, 0.65)
DATASETTE_CLAUSE = {"exact": "{c} = ?", "date": "date({c}) = ?", "gt": "{c} > ?",
                    "gte": "{c} >= ?", "lt": "{c} < ?", "lte": "{c} <= ?"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("prefixes") / "chipwatch.db"
    db = open_db(path)
    upsert_documents(db, [synthetic(f"d{i}", "commerce", "en", f"Test release {i}",
                                    "Neutral filler text.", published)
                          for i, published in enumerate(PUBLISHED)])
    db.close()
    return path


def expected(path, key: str, value: str) -> set[str]:
    column, lookup = key.rsplit("__", 1) if "__" in key else (key, "exact")
    clause = DATASETTE_CLAUSE[lookup].format(c=column)
    param = int(value) if lookup in ("gt", "gte", "lt", "lte") and value.isdigit() else value
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute(
            f"select document_id from reading where {clause}", [param])}


@pytest.mark.parametrize(("key", "value"), FILTERS)
def test_a_day_or_month_filter_keeps_the_rows_datasettes_own_filter_keeps(store, key, value):
    ds = make_datasette(store)
    response = asyncio.run(ds.client.get("/chipwatch/reading.json", params={
        key: value, "_shape": "objects", "_size": "max"}))
    assert response.status_code == 200, response.text
    assert {row["document_id"] for row in response.json()["rows"]} == \
        expected(store, key, value)


def test_the_filters_have_rows_to_keep_and_rows_to_drop(store):
    """The cases above are not vacuous: all but the ones meant to keep nothing (or, compared
    as numbers, everything) keep some rows and drop others."""
    trivial = {(key, value) for key, value in FILTERS
               if len(expected(store, key, value)) in (0, len(PUBLISHED))}
    assert trivial == {("date__date", "2024-02-30"), ("date__date", "2024-1-1"),
                       ("month", "2024-02-29"), ("date__gt", "2024"), ("date__lt", "2025"),
                       ("date__date", "2030-01-01")}


def test_a_day_is_found_by_the_index_of_its_publication(store):
    arguments = range_clauses("reading", [("date__date", "2024-01-01")])
    where = " and ".join(["date(date) = :day", *arguments.where_clauses])
    with sqlite3.connect(store) as conn:
        plan = " ".join(row[-1] for row in conn.execute(
            f"explain query plan select document_id from reading where {where}",
            {"day": "2024-01-01", **arguments.params}))
    assert "idx_documents_published" in plan and "published>? AND published<?" in plan
    bare = " ".join(row[-1] for row in sqlite3.connect(store).execute(
        "explain query plan select document_id from reading where date(date) = '2024-01-01'"))
    assert "published>?" not in bare  # without the range, every row is read


def test_filters_that_imply_no_range_add_nothing():
    assert range_clauses("reading", [("date__date", "2024-1-1")]) is None  # not a day
    assert range_clauses("reading", [("date__gt", "2024")]) is None  # compared as a number
    assert range_clauses("reading", [("date__contains", "01")]) is None
    assert range_clauses("reading", [("source", "tsmc")]) is None
    assert range_clauses("event_reading", [("date__date", "2024-01-01")]) is None
