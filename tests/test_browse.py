"""Datasette over the store, in-process (ds.client): the reading view and its facets,
bilingual search, canned queries, Atom feeds, the timeline, and that nothing is writable."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser

import feedparser
import pytest

from store import open_db
from store.browse import canned_queries, load_metadata
from store.outbox import create_digest, mark_failed
from tests import browse_demo
from tests.conftest import chipwatch
from tracker.browse import make_datasette
from tracker.classify import DEFAULT_RULES
from vocab.categories import read_categories

TODAY = date.today()
RECENT = (TODAY - timedelta(days=1)).isoformat()

EXTRA = browse_demo.synthetic_documents(RECENT)
EXTRA_TAGS = browse_demo.SYNTHETIC_TAGS

KNOWN = read_categories(DEFAULT_RULES)


def extra(doc_id, source, lang, title, text):
    return browse_demo.synthetic(doc_id, source, lang, title, text, RECENT)


ALL_TAGS = {**browse_demo.TAGS, **EXTRA_TAGS}
FR_COUNT = len(browse_demo.fr_documents())
TOTAL = FR_COUNT + len(EXTRA)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("browse") / "chipwatch.db"
    db = browse_demo.build(path, newest=TODAY - timedelta(days=30), extra=EXTRA,
                           extra_tags=EXTRA_TAGS)
    db.close()
    return path


@pytest.fixture(scope="module")
def ds(store_path):
    return make_datasette(store_path)


def get(ds, path, **kwargs):
    return asyncio.run(ds.client.get(path, **kwargs))


def rows(ds, path):
    sep = "&" if "?" in path else "?"
    response = get(ds, f"{path}{sep}_shape=array&_size=max")
    assert response.status_code == 200, response.text
    return response.json()


def expected_category_counts():
    counts = Counter()
    for tags in ALL_TAGS.values():
        for category, _score, _match in tags:
            counts[category] += 1
    return counts


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


# ---- the reading view -------------------------------------------------------------------

def test_reading_has_one_row_per_document_newest_first(ds):
    found = rows(ds, "/chipwatch/reading.json")
    assert len(found) == TOTAL
    published = [r["published"] for r in found]
    assert published == sorted(published, reverse=True)
    entity = next(r for r in found if r["title"] == "Revisions to the Entity List")
    assert entity["categories"] == '["export_control"]'
    assert entity["top_category"] == "export_control" and entity["score"] == 3.0
    assert entity["evidence"]
    antidumping = next(r for r in found if r["document_id"] == "federal_register:2024-00086")
    assert antidumping["top_category"] == "tariff"  # the stronger of its two tags
    assert antidumping["evidence"].startswith("The U.S. Department of Commerce")


def test_titles_link_to_their_source_and_columns_are_described(ds):
    page = get(ds, "/chipwatch/reading?_size=max")
    assert page.status_code == 200
    links = Links()
    links.feed(page.text)
    assert ("https://www.federalregister.gov/documents/2026/08/24/2026-17231/"
            "revisions-to-the-entity-list") in links.hrefs
    assert "What the classifier tagged" in page.text
    assert "Documents, newest first" in page.text


def test_facets_and_their_counts(ds):
    data = get(ds, "/chipwatch/reading.json?_size=0").json()
    facets = data["facet_results"]
    assert {"categories", "source", "language", "month"} <= set(facets)
    categories = {f["value"]: f["count"] for f in facets["categories"]["results"]}
    assert categories == dict(expected_category_counts())
    sources = {f["value"]: f["count"] for f in facets["source"]["results"]}
    assert sources == {"federal_register": FR_COUNT, "tsmc": 1, "trendforce": 2, "commerce": 2}
    languages = {f["value"]: f["count"] for f in facets["language"]["results"]}
    assert languages == {"en": FR_COUNT + 2, "zh-Hant": 2, "zh-Hans": 1}
    months = {f["value"]: f["count"] for f in facets["month"]["results"]}
    assert months[RECENT[:7]] >= len(EXTRA)  # by month, not by day
    assert all(len(month) == 7 for month in months)
    # choosing a facet value filters the rows
    tariff = rows(ds, "/chipwatch/reading.json?categories__arraycontains=tariff")
    assert len(tariff) == expected_category_counts()["tariff"]


def test_internal_tables_are_hidden_and_the_rest_visible(ds):
    data = get(ds, "/chipwatch.json").json()
    visible = {t["name"] for t in data["tables"] if not t["hidden"]}
    hidden = {t["name"] for t in data["tables"] if t["hidden"]}
    assert {"documents", "crawl_runs", "document_tags"} <= visible
    assert {"_sqlite_migrations", "document_search", "document_search_fts",
            "document_search_fts_data"} <= hidden
    assert {"reading", "source_health", "feed_entries"} <= {v["name"] for v in data["views"]}


def test_a_document_written_while_serving_appears(ds, store_path):
    before = len(rows(ds, "/chipwatch/reading.json"))
    db = open_db(store_path)
    try:
        from store.documents import upsert_documents
        upsert_documents(db, [extra("late", "commerce", "en", "Test release: written later",
                                    "A document the daemon wrote while Datasette served.")])
    finally:
        db.close()
    assert len(rows(ds, "/chipwatch/reading.json")) == before + 1
    assert [r["title"] for r in rows(ds, "/chipwatch/reading.json?_search=daemon")] == [
        "Test release: written later"]


# ---- search -----------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("entity list", {"Revisions to the Entity List", "Removal From the Entity List"}),
    ("antidumping", {"Stainless Steel Sheet and Strip in Coils From Taiwan: Final Results of "
                     "Antidumping Duty Administrative Review and Final Determination of No "
                     "Shipments; 2021-2022"}),
    ("關稅", {"测试报告二", "測試報告三"}),
    ("关税", {"测试报告二", "測試報告三"}),
    ("出口管制", {"測試新聞稿一"}),
    ("商务部 出口管制", {"測試新聞稿一"}),
    ("測試報告", {"测试报告二", "測試報告三"}),
    ("测试报告", {"测试报告二", "測試報告三"}),
])
def test_search_in_english_and_both_chinese_scripts(ds, query, expected):
    found = rows(ds, f"/chipwatch/reading.json?_search={query}")
    assert {r["title"] for r in found} == expected


def test_the_search_box_keeps_what_the_analyst_typed(ds):
    page = get(ds, "/chipwatch/reading?_search=關稅")
    assert page.status_code == 200
    assert 'value="關稅"' in page.text
    assert "2 rows" in page.text


# ---- canned queries and feeds -----------------------------------------------------------

def test_every_canned_query_answers(ds):
    names = set(canned_queries(KNOWN))
    assert names == {"event", "this_week", "export_control", "investment_pressure",
                     "alliance", "tariff", "broken_sources", "undelivered_digests",
                     "upcoming_deadlines", "actor_amounts"}
    for name in names:
        response = get(ds, f"/chipwatch/{name}.json" + ("?id=1" if name == "event" else ""))
        assert response.status_code == 200 and response.json()["ok"], name


def test_this_week_by_category(ds):
    found = rows(ds, "/chipwatch/this_week.json")
    assert Counter(r["category"] for r in found) == Counter(
        {"tariff": 2, "export_control": 1, "investment_pressure": 1, "alliance": 1})
    assert [r["category"] for r in found] == sorted(r["category"] for r in found)


def test_export_control_events_by_date(ds):
    found = rows(ds, "/chipwatch/export_control.json")
    # one row per event: the drone rule and its correction are one
    assert len(found) == expected_category_counts()["export_control"] - 1
    drone = [r for r in found if r["title"] == "Streamlining Export Controls for Drone Exports"]
    assert len(drone) == 1 and drone[0]["documents"] == 2
    dates = [r["date"] for r in found]
    assert dates == sorted(dates, reverse=True)
    assert found[0]["title"] == "測試新聞稿一"


def test_investment_pressure_newest_first(ds):
    found = rows(ds, "/chipwatch/investment_pressure.json")
    assert [r["title"] for r in found] == ["Test release: incentives award for a new fab"]
    assert found[0]["evidence"].startswith("The award supports")


def test_broken_sources(ds):
    found = rows(ds, "/chipwatch/broken_sources.json")
    assert [(r["source"], r["failures_since_ok"]) for r in found] == [("bis", 2)]
    assert "yielded no items" in found[0]["last_error"]
    health = {r["source"]: r["health"] for r in rows(ds, "/chipwatch/source_health.json")}
    assert health == {"bis": "broken", "federal_register": "ok"}


def test_undelivered_digests_lists_unsent_outbox_rows(tmp_path):
    db = open_db(tmp_path / "chipwatch.db")
    for day, channel, status, error in (("18", "email", "sent", None),
                                        ("19", "slack", "failed", "429 from Slack"),
                                        ("20", "email", "pending", None),
                                        ("20", "file", "empty", None)):
        create_digest(db, digest_id=f"{channel}:daily:2026-11-{day}", channel=channel,
                      kind="daily", period=f"2026-11-{day}", document_ids=[], payload={},
                      status=status, now=f"2026-11-{day}T07:00:00+00:00")
        if error:
            mark_failed(db, f"{channel}:daily:2026-11-{day}", error=error)
    db.close()
    found = rows(make_datasette(tmp_path / "chipwatch.db"),
                 "/chipwatch/undelivered_digests.json")
    assert [(r["channel"], r["status"]) for r in found] == [("slack", "failed"),
                                                             ("email", "pending")]


@pytest.mark.parametrize("name", ["this_week", "export_control", "investment_pressure",
                                  "alliance", "tariff"])
def test_each_category_query_is_an_atom_feed(ds, name):
    response = get(ds, f"/chipwatch/{name}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    queries = load_metadata(KNOWN)["databases"]["chipwatch"]["queries"]
    assert feed.feed.title == queries[name]["title"]
    table = rows(ds, f"/chipwatch/{name}.json")
    assert len(feed.entries) == len(table) > 0
    assert {e.link for e in feed.entries} == {r["url"] for r in table}
    assert all(e.updated for e in feed.entries)


def test_feed_escapes_scraped_text_and_an_empty_feed_is_valid(tmp_path):
    db = open_db(tmp_path / "chipwatch.db")
    db.close()
    empty = make_datasette(tmp_path / "chipwatch.db")
    response = get(empty, "/chipwatch/alliance.atom")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.entries == []
    assert feed.feed.title == "Alliances, newest first"


def test_the_index_page_links_to_the_timeline_and_the_timeline_has_its_charts(ds):
    index = get(ds, "/")
    links = Links()
    links.feed(index.text)
    assert "/-/dashboards/timeline" in links.hrefs
    assert "/chipwatch/reading" in links.hrefs
    page = get(ds, "/-/dashboards/timeline")
    assert page.status_code == 200
    assert 'id="card-by-category"' in page.text
    charts = load_metadata(KNOWN)["plugins"]["datasette-dashboards"]["timeline"]["charts"]
    chart = charts["by-category"]
    sql = re.sub(r"\[\[.*?\]\]", "", chart["query"])  # no date filters
    weeks = get(ds, "/chipwatch.json", params={"sql": sql, "_shape": "array"}).json()
    # events, not documents: the drone rule and its correction count once
    assert sum(w["events"] for w in weeks) == sum(expected_category_counts().values()) - 1
    assert all(date.fromisoformat(w["week"]).weekday() == 0 for w in weeks)


# ---- nothing writable -------------------------------------------------------------------

def test_nothing_accepts_a_write(ds, store_path):
    db = open_db(store_path)
    before = db["documents"].count
    db.close()
    attempts = [
        ("post", "/chipwatch/documents", {"title": "x"}),
        ("post", "/chipwatch/reading", {"title": "x"}),
        ("post", "/chipwatch/export_control", {}),
        ("post", "/chipwatch", {"sql": "delete from documents"}),
        ("post", "/chipwatch/-/insert", {"row": {"id": "x"}}),
        ("post", "/chipwatch/documents/-/insert", {"row": {"id": "x"}}),
        ("get", "/chipwatch.json?sql=delete+from+documents", None),
        ("get", "/chipwatch.json?sql=insert+into+documents(id)+values('x')", None),
        ("get", "/chipwatch.json?sql=drop+table+crawl_runs", None),
        ("get", "/chipwatch.json?sql=update+documents+set+title='x'", None),
    ]
    for method, path, body in attempts:
        if method == "post":
            response = asyncio.run(ds.client.post(path, json=body))
        else:
            response = get(ds, path)
        assert response.status_code in (400, 403, 404, 405), (path, response.status_code)
        if method == "post":
            assert response.status_code == 405 and "read-only" in response.text
    db = open_db(store_path)
    assert db["documents"].count == before
    assert "crawl_runs" in db.table_names()
    assert list(db.query("select id from documents where title = 'x' or id = 'x'")) == []
    db.close()
    plugins = {p["name"] for p in get(ds, "/-/plugins.json").json()}
    assert plugins == {"store.browse.plugin", "store.browse.facets", "store.browse.prefixes",
                       "datasette-atom",
                       "datasette-dashboards",
                       "datasette-leaflet", "datasette-render-markdown"}
    assert not any(q.get("write") for q in canned_queries(KNOWN).values())


def test_browse_help_and_a_bad_port():
    assert chipwatch("browse", "--help").returncode == 0
    result = chipwatch("browse", "--port", "70000", "--db", "unused.db")
    assert result.returncode == 2
    assert "70000" in result.stderr and "between 1 and 65535" in result.stderr


def test_browse_on_a_busy_port_says_so(tmp_path):
    import socket

    open_db(tmp_path / "chipwatch.db").close()
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = chipwatch("browse", "--db", str(tmp_path / "chipwatch.db"),
                           "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


# ---- events -----------------------------------------------------------------------------

def test_events_newest_first_one_row_per_event_with_facets(ds):
    found = rows(ds, "/chipwatch/event_reading.json")
    documents = len(rows(ds, "/chipwatch/reading.json"))
    assert len(found) == documents - 1  # the drone rule and its correction are one event
    latest = [r["latest"] for r in found]
    assert latest == sorted(latest, reverse=True)
    drone = next(r for r in found if r["title"] == "Streamlining Export Controls for Drone "
                 "Exports")
    assert drone["documents"] == 2 and drone["date"] < drone["latest"]  # the correction
    assert drone["categories"] == '["export_control"]' and drone["relevance"] == "core"
    steel = next(r for r in found if r["title"] == "Adjusting Imports of Steel Into the "
                 "United States")
    assert steel["relevance"] == "wider"
    facets = get(ds, "/chipwatch/event_reading.json?_size=0").json()["facet_results"]
    assert {"categories", "sources", "languages", "relevance"} <= set(facets)
    sources = {f["value"]: f["count"] for f in facets["sources"]["results"]}
    assert sources["federal_register"] == FR_COUNT - 1
    relevance = {f["value"]: f["count"] for f in facets["relevance"]["results"]}
    assert relevance["wider"] == 2
    chinese = rows(ds, "/chipwatch/event_reading.json?languages__arraycontains=zh-Hant")
    assert {r["title"] for r in chinese} == {"測試新聞稿一", "測試報告三"}


def test_an_event_title_opens_its_page_with_documents_roles_evidence_and_links(ds):
    page = get(ds, "/chipwatch/event_reading?_size=max")
    links = Links()
    links.feed(page.text)
    drone = next(r for r in rows(ds, "/chipwatch/event_reading.json")
                 if r["title"].startswith("Streamlining Export Controls"))
    href = f"/chipwatch/event?id={drone['event_id']}"
    assert href in links.hrefs
    event = get(ds, href)
    assert event.status_code == 200
    assert '<div class="chipwatch-event">' in event.text
    assert "Streamlining Export Controls for Drone Exports</h2>" in event.text
    documents = rows(ds, f"{href}&_shape=array".replace("/event?", "/event.json?"))
    assert [(d["document_id"], d["role"], d["reason"]) for d in documents] == [
        ("federal_register:2026-16628", "rule", "lead"),
        ("federal_register:C1-2026-16628", "correction", "correction")]
    assert documents[1]["linked_because"] == "C1-2026-16628 is a correction of 2026-16628"
    assert documents[1]["date"] > documents[0]["date"]
    doc_links = Links()
    doc_links.feed(event.text)
    assert any(h and "/2026-16628/" in h for h in doc_links.hrefs)
    missing = get(ds, "/chipwatch/event?id=99999")
    assert missing.status_code == 200 and "There is no event 99999" in missing.text


def test_relevance_shows_with_documents_and_tags(ds):
    found = rows(ds, "/chipwatch/reading.json")
    steel = next(r for r in found if r["title"].startswith("Adjusting Imports of Steel"))
    assert steel["relevance"] == "wider" and isinstance(steel["event_id"], int)
    facets = get(ds, "/chipwatch/document_tags.json?_size=0").json()["facet_results"]
    assert {f["value"] for f in facets["relevance"]["results"]} == {"core", "wider"}


def test_this_week_shows_at_most_the_newest_fifty_of_each_category(tmp_path):
    names = ["".join(chr(ord("a") + (n // 26 ** k) % 26) for k in range(3)) for n in range(60)]
    busy = [browse_demo.synthetic(f"busy-{i}", "commerce", "en", f"Tariff notice {name}{name}",
                                  f"Neutral filler about {name}.",
                                  (TODAY - timedelta(days=1 + i % 5)).isoformat())
            for i, name in enumerate(names)]
    tags = {doc["external_id"]: [("tariff", 2.0, "tariff")] for doc in busy}
    db = browse_demo.build(tmp_path / "busy.db", newest=TODAY - timedelta(days=30),
                           extra=busy + EXTRA, extra_tags={**tags, **EXTRA_TAGS})
    entries = db.execute("select event_id, date from event_feed_entries where category = "
                         "'tariff' and event_id in (select event_id from event_documents "
                         "where document_id like 'commerce:busy-%')").fetchall()
    db.close()
    assert len(entries) == 60  # each its own event, all first seen this week

    found = rows(make_datasette(tmp_path / "busy.db"), "/chipwatch/this_week.json")
    by_category = Counter(r["category"] for r in found)
    assert by_category == {"tariff": 50, "export_control": 1, "investment_pressure": 1,
                           "alliance": 1}
    shown = [r["date"] for r in found if r["category"] == "tariff"]
    assert shown == sorted(shown, reverse=True)
    left_out = sorted(date for _, date in entries)[:len(entries) + 2 - 50]
    assert min(shown) >= max(left_out)  # the newest are shown: none left out is newer
