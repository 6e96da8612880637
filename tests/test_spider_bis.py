"""The bis.gov spider: its callbacks on the reconstructed pages, field by field, and whole
crawls through Scrapy's downloader against a loopback server."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import time_machine
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.listing import Entry
from crawler.spiders.bis import BisSpider
from store import documents as doc_store
from store import open_db
from store import runs as run_store
from tests.conftest import FIXTURES, write_config
from tests.loopback import LoopbackServer, Reply
from tracker.config import load
from tracker.cycle import crawl_source

PAGES = FIXTURES / "bis"
LIVE = "https://www.bis.gov"
LISTING = "/news-updates"
CADENCE = ("/press-release/cadence-design-systems-agrees-plead-guilty-and-pay-over-140-million-"
           "unlawfully")
SME = ("/press-release/commerce-strengthens-export-controls-restrict-chinas-capability-produce-"
       "advanced")
ARTICLES = {
    CADENCE: "press-release-cadence.html",
    "/press-release/department-commerce-announces-rescission-biden-era-artificial-intelligence-diffusion":
        "press-release-ai-diffusion-rescission.html",
    "/press-release/commerce-further-restricts-chinas-artificial-intelligence-advanced-computing":
        "press-release-entity-list-80.html",
    SME: "press-release-sme-controls-2024-12.html",
    "/press-release/commerce-strengthens-restrictions-advanced-computing-semiconductors-semiconductor":
        "press-release-advanced-computing-2023-10.html",
}
CADENCE_TITLE = ("Cadence Design Systems Agrees to Plead Guilty and Pay Over $140 Million for "
                 "Unlawfully Exporting Semiconductor Design Tools to a Chinese Military University")


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def response(name: str, url: str, body: bytes | None = None) -> HtmlResponse:
    return HtmlResponse(url=url, body=body or page(name), encoding="utf-8", request=Request(url))


def make_spider(base_url: str = LIVE, **spec) -> BisSpider:
    spec = {"source": {"base_url": base_url}, "since": "2020-01-01", "max_pages": 3, **spec}
    return BisSpider.from_crawler(get_crawler(BisSpider), spec=spec)


def entries(spider: BisSpider, page: HtmlResponse):
    return spider.entries(page, spider.listings()[0])


def parse_listing(spider: BisSpider, page: HtmlResponse):
    return list(spider.parse_listing(page, spider.listings()[0]))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02T12:00:00-05:00", tick=False):
        yield


# -- callbacks ---------------------------------------------------------------------------


def test_listing_entries_field_by_field():
    found = entries(make_spider(), response("news-updates.html", LIVE + LISTING))
    assert [e.url for e in found] == [LIVE + p for p in list(ARTICLES)[:3]]
    first = found[0]
    assert first.title == CADENCE_TITLE
    assert first.published == date(2025, 7, 28)
    assert first.doc_type == "Press Release"
    assert first.tags == ["Enforcement"]
    assert first.summary.startswith("Cadence resolves criminal and administrative charges")
    assert found[2].tags == ["Export Controls", "Entity List"]


def test_listing_json_alone_and_markup_alone_give_the_same_items():
    html = page("news-updates.html").decode("utf-8")
    json_only = re.sub(r'<ul class="mt-4 list-none">.*?</ul>', "", html, flags=re.S)
    markup_only = re.sub(r'<script id="__NEXT_DATA__".*?</script>', "", html, flags=re.S)
    both = entries(make_spider(), response("", LIVE + LISTING, html.encode()))
    from_json = entries(make_spider(), response("", LIVE + LISTING, json_only.encode()))
    from_markup = entries(make_spider(), response("", LIVE + LISTING, markup_only.encode()))
    assert "press-release" not in json_only.split("__NEXT_DATA__")[0]
    assert from_json == from_markup == both


def test_listing_page_2_folds_media_host_and_reads_the_short_month_date():
    spider = make_spider(base_url="http://127.0.0.1:8080")
    url = "http://127.0.0.1:8080/news-updates?page=1"
    found = entries(spider, response("news-updates-page-1.html", url))
    # The absolute media.bis.gov link is fetched on the configured base URL.
    assert [(e.url, e.fetch_url) for e in found][0] == ("http://127.0.0.1:8080" + SME,) * 2
    assert [e.published for e in found] == [date(2024, 12, 2), date(2023, 10, 17)]
    assert spider.next_page(response("news-updates-page-1.html", url),
                            spider.listings()[0]) is None
    live = entries(make_spider(), response("news-updates-page-1.html",
                                           LIVE + LISTING + "?page=1"))
    assert live[0].url == LIVE + SME


def test_listing_requests_articles_and_the_next_page():
    results = parse_listing(make_spider(), response("news-updates.html", LIVE + LISTING))
    articles = [r for r in results if r.callback.__name__ == "parse_article"]
    listings = [r.url for r in results if r.callback.__name__ == "parse_listing"]
    assert [r.url for r in articles] == [LIVE + p for p in list(ARTICLES)[:3]]
    assert all(r.errback is not None for r in results)
    assert listings == [LIVE + LISTING + "?page=1"]


def test_article_fields():
    spider = make_spider()
    entry = Entry(url=LIVE + CADENCE, fetch_url=LIVE + CADENCE, tags=["Enforcement"],
                  doc_type="Press Release", summary="A teaser.")
    [doc] = spider.parse_article(response("press-release-cadence.html", LIVE + CADENCE), entry)
    assert doc["id"] == f"bis:{LIVE}{CADENCE}"
    assert doc["url"] == doc["external_id"] == LIVE + CADENCE
    assert doc["source"] == "bis" and doc["lang"] == "en"
    assert doc["title"] == CADENCE_TITLE  # not the "Bureau of Industry and Security" banner
    assert doc["published"] == "2025-07-28"
    assert doc["date_precision"] == "day" and doc["timezone"] == "America/New_York"
    assert doc["dateline"] == "WASHINGTON, D.C."
    assert doc["text"].startswith("Cadence Design Systems, Inc., a San Jose")
    assert doc["text"].endswith("runs alongside the criminal plea agreement.")
    for chrome in ("FOR IMMEDIATE RELEASE", "Media Contact", "###", "Bureau of Industry and "
                   "Security\n", "News & Updates", "Privacy Policy", "official website"):
        assert chrome not in doc["text"]
    assert doc["summary"] == "A teaser."
    assert doc["doc_type"] == "Press Release"
    assert doc["metadata"] == {
        "tags": ["Enforcement"], "news_type": "Press Release",
        "media_contact": "Office of Congressional and Public Affairs, OCPA@bis.doc.gov"}
    assert spider.problems == []


def test_article_on_a_node_alias_gets_its_press_release_url():
    node = "https://media.bis.gov/node/8102"
    [doc] = make_spider().parse_article(response("press-release-sme-controls-2024-12.html", node),
                                        Entry(url=node, fetch_url=node))
    assert doc["url"] == LIVE + SME and doc["published"] == "2024-12-02"
    local = "http://127.0.0.1:8080/node/8102"
    [doc] = make_spider(base_url="http://127.0.0.1:8080").parse_article(
        response("press-release-sme-controls-2024-12.html", local),
        Entry(url=local, fetch_url=local))
    assert doc["url"] == "http://127.0.0.1:8080" + SME


def test_article_date_falls_back_to_the_listing_and_is_otherwise_a_problem():
    url = (LIVE + "/press-release/commerce-implements-new-export-controls-advanced-computing-"
           "and-semiconductor")
    spider = make_spider()
    [doc] = spider.parse_article(response("press-release-undated.html", url),
                                 Entry(url=url, fetch_url=url, published=date(2022, 10, 7)))
    assert doc["published"] == "2022-10-07"
    assert list(spider.parse_article(response("press-release-undated.html", url),
                                     Entry(url=url, fetch_url=url))) == []
    [problem] = spider.problems
    assert problem.startswith(f"bis: article {url} has no publication date")
    assert "FOR IMMEDIATE RELEASE" in problem


def test_drifted_listing_is_a_problem_not_quiet():
    spider = make_spider()
    assert parse_listing(spider, response("news-updates-drifted.html", LIVE + LISTING)) == []
    assert spider.problems == [f"bis: listing {LIVE}{LISTING} matched no items: the page "
                               f"layout may have changed"]


def test_a_bot_challenge_answered_with_200_is_a_problem():
    spider = make_spider()
    body = b"<html><head><title>Just a moment...</title></head><body></body></html>"
    assert parse_listing(spider, response("", LIVE + LISTING, body)) == []
    assert spider.problems and "bot challenge" in spider.problems[0]


# -- whole crawls --------------------------------------------------------------------------


def site(listing: list[Reply] | None = None) -> LoopbackServer:
    routes = {LISTING: listing or [Reply(200, page("news-updates.html"))],
              LISTING + "?page=1": Reply(200, page("news-updates-page-1.html"))}
    routes.update({path: Reply(200, page(name)) for path, name in ARTICLES.items()})
    return LoopbackServer(routes)


def crawl(tmp_path, server, **kwargs):
    config = load(write_config(tmp_path, {"bis": server.url}))
    db = open_db(tmp_path / "chipwatch.db")
    return db, lambda: crawl_source(config, db, "bis", **kwargs)


def test_whole_crawl_then_a_second_crawl_that_fetches_no_article(tmp_path):
    with site() as server:
        db, run = crawl(tmp_path, server, since="2020-01-01")
        first = run()
        assert first.status == "ok", first.errors
        assert (first.seen, first.new) == (5, 5)
        assert sorted(h.path for h in server.requests_for("/press-release/")) == sorted(ARTICLES)
        stored = doc_store.get_document(db, f"bis:{server.url}{SME}")
        assert stored["title"].startswith("Commerce Strengthens Export Controls to Restrict")
        assert stored["dateline"] == "WASHINGTON, D.C."
        assert json.loads(stored["metadata"])["tags"] == ["Export Controls", "Entity List"]

        server.reset_log()
        second = run()
        assert second.status == "ok", second.errors
        assert (second.seen, second.new) == (0, 0)
        assert server.requests_for("/press-release/") == []
        assert [h.path for h in server.hits if h.path != "/robots.txt"] == [LISTING]
        runs = run_store.runs_for(db, "bis")
        assert [r["documents_new"] for r in runs] == [0, 5]
        assert all(json.loads(r["errors"]) == [] for r in runs)
    db.close()


def test_backfill_pages_back_with_progress(tmp_path):
    lines: list[str] = []
    with site() as server:
        db, run = crawl(tmp_path, server, mode="backfill", since="2024-06-01",
                        on_log=lines.append)
        outcome = run()
        assert [h.path for h in server.hits if h.path.startswith(LISTING)] == \
            [LISTING, LISTING + "?page=1"]
    assert outcome.status == "ok", outcome.errors
    # The October 2023 release is older than --since: listed, not fetched.
    assert outcome.new == 4
    assert any("listing page 2: 2 items, 1 to fetch" in line for line in lines)
    db.close()


def test_drifted_listing_fails_the_run_with_a_clear_error_and_no_documents(tmp_path):
    with site([Reply(200, page("news-updates-drifted.html"))]) as server:
        db, run = crawl(tmp_path, server, since="2020-01-01")
        outcome = run()
    assert outcome.status == "failed"
    [record] = run_store.runs_for(db, "bis")
    assert json.loads(record["errors"]) == [
        f"bis: listing {server.url}{LISTING} matched no items: the page layout may have changed"]
    assert doc_store.count_documents(db, "bis") == 0
    db.close()


def test_a_403_challenge_is_an_error_on_the_run(tmp_path):
    challenge = "<html><head><title>Access Denied</title></head><body>Access Denied</body></html>"
    with site([Reply(403, challenge)]) as server:
        db, run = crawl(tmp_path, server, since="2020-01-01")
        outcome = run()
    assert outcome.status == "failed"
    [error] = json.loads(run_store.runs_for(db, "bis")[0]["errors"])
    assert error.startswith(f"bis: {server.url}{LISTING}: HTTP 403 Forbidden")
    assert doc_store.count_documents(db, "bis") == 0
    db.close()


def test_429_then_200_ends_in_documents(tmp_path):
    with site([Reply(429, "Too Many Requests"), Reply(200, page("news-updates.html"))]) as server:
        db, run = crawl(tmp_path, server, since="2020-01-01")
        outcome = run()
        statuses = [h.status for h in server.hits if h.path == LISTING]
    assert statuses == [429, 200]
    assert outcome.status == "ok", outcome.errors
    assert outcome.new == 5
    db.close()
