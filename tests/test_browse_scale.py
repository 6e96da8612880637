"""The large views at any size: facets and row counts read from counts the store keeps (and
those counts right after every kind of write), facets of a filtered page counted over a
bounded sample, and a search that answers any query with its most recent matches."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlite_utils import Database

from store import counts, open_db
from store.browse import facets
from store.documents import upsert_documents
from store.schema import migrations
from store.tags import set_tags
from tests import browse_demo
from tracker.browse import make_datasette
from tracker.corrections import merge, split
from tracker.events import link_pending, relink_all

TODAY = date.today()
RECENT = (TODAY - timedelta(days=1)).isoformat()


def get(ds, path, **kwargs):
    return asyncio.run(ds.client.get(path, **kwargs))


def search(ds, query):
    return get(ds, "/chipwatch/reading.json", params={"_shape": "objects", "_search": query})


def kept(db) -> dict:
    """Every kept count, as comparable dicts."""
    return {
        "facets": {(v, f, x): n for v, f, x, n in db.execute(
            "select view, facet, value, count from facet_counts where count > 0").fetchall()},
        "days": {(k, x, d): n for k, x, d, n in db.execute(
            "select kind, value, day, events from event_day_counts where events > 0")
            .fetchall()},
        "categories": set(db.execute(
            "select event_id, category, latest from event_categories").fetchall()),
    }


def counted(db) -> dict:
    """The same counts, computed from the views and tables directly."""
    out: Counter = Counter()
    q = db.execute
    for view, sql in [
        ("reading", "select 'source', source from reading union all "
                    "select 'language', language from reading union all "
                    "select 'month', month from reading union all "
                    "select 'categories', j.value from reading r, json_each(r.categories) j "
                    "union all select 'instruments', j.value from reading r, "
                    "json_each(r.instruments) j union all "
                    "select 'actors', j.value from reading r, json_each(r.actors) j "
                    "union all select '_rows', '' from reading"),
        ("event_reading", "select 'categories', j.value from event_reading r, "
                          "json_each(r.categories) j union all "
                          "select 'sources', j.value from event_reading r, "
                          "json_each(r.sources) j union all "
                          "select 'languages', j.value from event_reading r, "
                          "json_each(r.languages) j union all "
                          "select 'relevance', relevance from event_reading union all "
                          "select '_rows', '' from event_reading")]:
        for facet, value in q(sql).fetchall():
            if value is not None:
                out[(view, facet, value)] += 1
    days: Counter = Counter()
    for kind, column in (("category", "categories"), ("source", "sources")):
        for value, day in q(f"select j.value, e.first_date from events e, "
                            f"json_each(coalesce(e.{column}, '[]')) j "
                            f"where e.first_date is not null").fetchall():
            days[(kind, value, day)] += 1
    categories = set(q("select e.id, j.value, e.last_date from events e, "
                       "json_each(coalesce(e.categories, '[]')) j").fetchall())
    return {"facets": dict(out), "days": dict(days), "categories": categories}


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "chipwatch.db"
    db = browse_demo.build(path, newest=TODAY - timedelta(days=30),
                           extra=browse_demo.synthetic_documents(RECENT),
                           extra_tags=browse_demo.SYNTHETIC_TAGS)
    yield path, db
    db.close()


def test_kept_counts_match_the_views_after_every_kind_of_write(store):
    path, db = store
    before = kept(db)
    assert before == counted(db)
    assert before["facets"][("reading", "_rows", "")] == db["documents"].count
    assert any(key[1] == "categories" for key in before["facets"])  # tagged, so not trivial
    assert before["days"] and before["categories"]

    # a new crawl: new documents, one of them Chinese, and a stored one whose date changed
    new = [browse_demo.synthetic(f"new-{n}", "commerce", "en", f"Test release {n}",
                                 "Export controls on advanced chips.", RECENT) for n in range(3)]
    new.append(browse_demo.synthetic("new-zh", "tsmc", "zh-Hant", "測試新聞稿",
                                     "關稅調整將影響出貨。", RECENT))
    changed = dict(browse_demo.synthetic_documents(RECENT)[0], published=TODAY.isoformat(),
                   text="公司今日說明營運概況，內容已更新。")
    upsert_documents(db, new + [changed], now="2026-10-03T12:00:00+00:00")
    link_pending(db, now="2026-10-03T12:00:00+00:00")
    assert kept(db) == counted(db)
    assert kept(db)["facets"][("reading", "_rows", "")] == before["facets"][
        ("reading", "_rows", "")] + 4

    # tags given, changed and taken away; then every event linked again
    evidence = [{"sentence": "Export controls on advanced chips.", "match": "export"}]
    set_tags(db, "commerce:new-0", [{"category": "export_control", "score": 5.0,
                                     "evidence": evidence, "relevance": "core"}], "test")
    set_tags(db, "commerce:new-1", [{"category": "tariff", "score": 4.0,
                                     "evidence": evidence, "relevance": "wider"}], "test")
    tagged = db.execute("select document_id from document_tags order by document_id "
                        "limit 1").fetchone()[0]
    set_tags(db, tagged, [], "test")
    assert kept(db) == counted(db)
    relink_all(db)
    assert kept(db) == counted(db)

    # one batch holding a new document twice (the second copy changed) and a stored one
    # changed twice: the batch's new rows are counted together, the changes by the triggers
    twice = browse_demo.synthetic("new-twice", "bis", "en", "Twice in a batch",
                                  "First copy.", RECENT)
    stored = dict(new[0], text="Changed once.")
    upsert_documents(db, [twice, stored, dict(twice, text="Second copy.", lang="zh-Hans",
                                              published="2025-01-15"),
                          dict(stored, text="Changed twice.", published="2025-02-15")],
                     now="2026-10-04T12:00:00+00:00")
    assert kept(db) == counted(db) == counted_afresh(db)
    assert db.execute("select count(*) from counts_held").fetchone()[0] == 0

    # analysts' corrections: two events merged, then one document split out again
    a, b = (db.execute("select event_id from event_documents where document_id = ?",
                       [doc_id]).fetchone()[0] for doc_id in ("commerce:new-0", "tsmc:new-zh"))
    merge(db, [a, b], who="test", why="same action")
    assert kept(db) == counted(db) == counted_afresh(db)
    event = db.execute("select event_id from event_documents where document_id = ?",
                       ["tsmc:new-zh"]).fetchone()[0]
    split(db, event, ["tsmc:new-zh"], who="test", why="another action")
    assert kept(db) == counted(db) == counted_afresh(db)

    # and computing them afresh gives what was kept
    after = kept(db)
    with db.atomic():
        counts.fill(db)
    assert kept(db) == after


def counted_afresh(db) -> dict:
    """What `counts.fill` computes from what is stored (the kept counts left as they were)."""
    with db.atomic():
        kept_rows = {t: db.execute(f"select * from {t}").fetchall()
                     for t in ("facet_counts", "event_day_counts", "event_categories")}
        counts.fill(db)
        fresh = kept(db)
        for table, rows in kept_rows.items():
            db.execute(f"delete from {table}")
            if rows:
                db.conn.executemany(f"insert into {table} values "
                                    f"({', '.join('?' for _ in rows[0])})", rows)
    return fresh


def test_a_failed_batch_leaves_the_counts_and_the_triggers_as_they_were(store):
    path, db = store
    before = kept(db)
    broken = browse_demo.synthetic("broken", "commerce", "en", None, "No title.", RECENT)
    good = browse_demo.synthetic("good", "commerce", "en", "A title", "Text.", RECENT)
    with pytest.raises(sqlite3.IntegrityError):
        upsert_documents(db, [good, broken])
    assert kept(db) == before
    assert db.execute("select count(*) from counts_held").fetchone()[0] == 0
    # the triggers count a row written by anyone else, as before
    db["documents"].insert({"id": "commerce:direct", "source": "commerce",
                            "external_id": "direct", "lang": "en", "url": "http://127.0.0.1/d",
                            "title": "Written directly", "content_hash": "x",
                            "published": RECENT})
    assert kept(db) == counted_afresh(db)
    assert kept(db)["facets"][("reading", "_rows", "")] == before["facets"][
        ("reading", "_rows", "")] + 1


def test_a_store_counted_by_triggers_alone_is_counted_the_same_after_the_upgrade(tmp_path):
    old = Database(sqlite3.connect(str(tmp_path / "old.db")))
    migrations.apply(old, stop_before="m017_counts_by_batch")
    upsert_documents(old, browse_demo.synthetic_documents(RECENT)[:2],
                     now="2026-10-01T00:00:00+00:00")
    assert kept(old) == counted(old)  # counted row by row
    old.close()
    db = open_db(tmp_path / "old.db")
    try:
        upsert_documents(db, browse_demo.synthetic_documents(RECENT),
                         now="2026-10-02T00:00:00+00:00")
        assert db["documents"].count == len(browse_demo.synthetic_documents(RECENT))
        assert kept(db) == counted(db) == counted_afresh(db)
    finally:
        db.close()


def test_unfiltered_pages_read_their_facets_and_row_count_from_the_kept_counts(store, tmp_path):
    path, db = store
    ds = make_datasette(path)
    data = get(ds, "/chipwatch/reading.json").json()
    by_source = Counter(r[0] for r in db.execute("select source from documents").fetchall())
    shown = {v["value"]: v["count"] for v in data["facet_results"]["source"]["results"]}
    assert shown == dict(by_source)
    shown = {v["value"]: v["count"] for v in data["facet_results"]["categories"]["results"]}
    assert shown == dict(Counter(r[0] for r in db.execute(
        "select j.value from documents d, json_each(d.categories) j").fetchall()))
    assert not data.get("facets_timed_out")

    # the pages show what the kept counts say (the copy's counts are made wrong on purpose)
    copy = tmp_path / "copy.db"
    db.execute("pragma wal_checkpoint(truncate)")
    shutil.copyfile(path, copy)
    other = open_db(copy)
    other.execute("update facet_counts set count = 12345 where view = 'reading' "
                  "and facet = 'source' and value = 'federal_register'")
    other.execute("update facet_counts set count = 424242 where view = 'reading' "
                  "and facet = '_rows'")
    other.execute("update facet_counts set count = 777 where view = 'event_reading' "
                  "and facet = 'sources' and value = 'federal_register'")
    other.conn.commit()
    other.close()
    ds = make_datasette(copy)
    data = get(ds, "/chipwatch/reading.json").json()
    shown = {v["value"]: v["count"] for v in data["facet_results"]["source"]["results"]}
    assert shown["federal_register"] == 12345
    assert "424,242 rows" in get(ds, "/chipwatch/reading").text
    data = get(ds, "/chipwatch/event_reading.json").json()
    shown = {v["value"]: v["count"] for v in data["facet_results"]["sources"]["results"]}
    assert shown["federal_register"] == 777
    # a facet value still filters the page as Datasette's own facets do
    link = next(v for v in data["facet_results"]["sources"]["results"]
                if v["value"] == "federal_register")["toggle_url"]
    assert "sources__arraycontains=federal_register" in link


def test_a_filtered_page_counts_facets_over_a_bounded_sample(store, monkeypatch):
    path, db = store
    ds = make_datasette(path)
    fr = db.execute("select count(*) from documents where source = 'federal_register'"
                    ).fetchone()[0]
    data = get(ds, "/chipwatch/reading.json?source=federal_register").json()
    facet = data["facet_results"]["language"]
    assert facet["type"] == "column"  # fewer rows than the sample: counted exactly
    assert sum(v["count"] for v in facet["results"]) == fr
    assert data["filtered_table_rows_count"] is None  # a filtered large view is not counted

    monkeypatch.setattr(facets, "SAMPLE", 5)
    data = get(ds, "/chipwatch/reading.json?source=federal_register&_shape=objects").json()
    facet = data["facet_results"]["language"]
    assert facet["type"] == "first 5 rows"
    assert sum(v["count"] for v in facet["results"]) == 5
    assert "(first 5 rows)" in get(ds, "/chipwatch/reading?source=federal_register").text
    assert len(data["rows"]) == min(fr, 50)  # the rows themselves are all there


def test_search_answers_any_query_with_its_most_recent_matches(store, monkeypatch):
    path, db = store
    ds = make_datasette(path)
    total = db["documents"].count

    for query in ['"', '""', "   ", '"unclosed phrase']:
        response = search(ds, query)
        assert response.status_code == 200, (query, response.text)
    lone = search(ds, '"').json()
    assert lone["rows"] == [] and lone["filtered_table_rows_count"] == 0  # nothing to search
    assert "no words to search for" in get(ds, "/chipwatch/reading", params={"_search": '"'}).text
    unsearched = get(ds, "/chipwatch/reading.json", params={"_shape": "objects"}).json()
    assert len(unsearched["rows"]) == min(total, 50)  # without ?_search=, every document

    nowhere = search(ds, "zzyzx").json()
    assert nowhere["rows"] == [] and nowhere["filtered_table_rows_count"] == 0

    both = {r["document_id"] for r in search(ds, "關稅").json()["rows"]}
    assert both == {r["document_id"] for r in search(ds, "关税").json()["rows"]}
    assert {"trendforce:zh-2", "trendforce:zh-3"} <= both

    word = "the"  # in nearly every document
    matching = [r[0] for r in db.execute(
        "select s.document_id from document_search_fts f join document_search s "
        "on s.id = f.rowid where document_search_fts match ? order by f.rowid desc",
        [word]).fetchall()]
    assert len(matching) > 5
    data = search(ds, word).json()
    assert data["filtered_table_rows_count"] == min(len(matching), facets.SEARCH_LIMIT)

    narrowed = get(ds, "/chipwatch/reading.json", params={
        "_shape": "objects", "_search": word, "source": "federal_register"}).json()
    assert narrowed["filtered_table_rows_count"] is None  # not counted from the source index
    assert narrowed["rows"] and {r["source"] for r in narrowed["rows"]} == {"federal_register"}

    monkeypatch.setattr(facets, "SEARCH_LIMIT", 5)
    data = search(ds, word).json()
    assert data["filtered_table_rows_count"] == 5
    assert {r["document_id"] for r in data["rows"]} == set(matching[:5])  # most recent
    dates = [r["published"] for r in data["rows"]]
    assert dates == sorted(dates, reverse=True)  # shown newest first
    page = get(ds, "/chipwatch/reading", params={"_search": word}).text
    assert "the 5 most recent matches at most" in page
    assert 'name="_search"' in page  # the search box is still there


def test_large_views_sort_only_by_indexed_columns(store):
    path, _ = store
    ds = make_datasette(path)
    oldest = get(ds, "/chipwatch/reading.json?_sort=published&_shape=objects").json()["rows"]
    dates = [r["published"] for r in oldest]
    assert dates == sorted(dates)
    assert get(ds, "/chipwatch/event_reading.json?_sort_desc=latest").status_code == 200
    for page in ("/chipwatch/reading.json?_sort=title", "/chipwatch/event_reading.json?_sort=date",
                 "/chipwatch/documents.json?_sort_desc=title"):
        response = get(ds, page)
        # Datasette's own refusal (its status for it is 500), before any query runs
        assert response.status_code != 200 and "Cannot sort table by" in response.text, page
