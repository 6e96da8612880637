"""The commerce.gov spider: its callbacks on the reconstructed pages, field by field, and
whole crawls through Scrapy's downloader against a loopback server."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.listing import Entry
from crawler.spiders.commerce import CommerceSpider
from store import documents as doc_store
from store import open_db
from store import runs as run_store
from tests.commerce_pages import ARTICLES, LISTING
from tests.conftest import FIXTURES, chipwatch, write_config
from tests.loopback import LoopbackServer, Reply
from tracker.config import load
from tracker.cycle import crawl_source

PAGES = FIXTURES / "commerce"
LIVE = "https://www.commerce.gov"
SME = ("/news/press-releases/2024/12/commerce-strengthens-export-controls-restrict-chinas-"
       "capability-produce")
PMT = ("/news/press-releases/2024/04/biden-harris-administration-announces-preliminary-terms-"
       "tsmc-expanding")
FROZEN = "2026-03-02T12:00:00-05:00"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def response(name: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=page(name), encoding="utf-8", request=Request(url))


def make_spider(base_url: str = LIVE, **spec) -> CommerceSpider:
    spec = {"source": {"base_url": base_url, "sections": ["press-releases"]},
            "since": "2020-01-01", "max_pages": 3, **spec}
    return CommerceSpider.from_crawler(get_crawler(CommerceSpider), spec=spec)


def entries(spider: CommerceSpider, page: HtmlResponse):
    return spider.entries(page, spider.listings()[0])


def parse_listing(spider: CommerceSpider, page: HtmlResponse):
    return spider.parse_listing(page, spider.listings()[0])


def split(results):
    requests = [r for r in results if isinstance(r, Request)]
    return [r for r in requests if r.callback.__name__ == "parse_article"], \
        [r.url for r in requests if r.callback.__name__ == "parse_listing"]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(FROZEN, tick=False):
        yield


# -- callbacks ---------------------------------------------------------------------------


def test_listing_cards_become_entries_field_by_field():
    found = entries(make_spider(), response("press-releases.html", LIVE + LISTING))
    assert len(found) == 4
    first = found[0]
    assert first.url == LIVE + next(iter(ARTICLES))
    assert first.title == ("Department of Commerce Announces Rescission of Biden-Era Artificial "
                           "Intelligence Diffusion Rule, Strengthens Chip-Related Export Controls")
    assert first.published == date(2025, 5, 13)
    assert first.doc_type == "Press Release"
    assert first.tags == ["Trade", "Export Controls", "Artificial Intelligence"]
    assert first.summary.startswith("Today, the Department of Commerce’s Bureau")
    # 02:30 UTC on December 3 is the evening of December 2 in Washington.
    assert found[1].published == date(2024, 12, 2)
    archived = found[3]
    assert archived.url.startswith("https://2017-2021.commerce.gov/")
    assert archived.follow is False


def test_listing_requests_articles_and_the_next_page_but_never_the_archive():
    articles, listings = split(parse_listing(
        make_spider(), response("press-releases.html", LIVE + LISTING)))
    assert [r.url for r in articles] == [LIVE + path for path in list(ARTICLES)[:3]]
    assert all(r.errback is not None for r in articles)
    assert not any("2017-2021" in r.url for r in articles)
    assert listings == [LIVE + LISTING + "?page=1"]


def test_last_listing_page_has_no_next_link_and_an_empty_time():
    spider = make_spider()
    page = response("press-releases-page-1.html", LIVE + LISTING + "?page=1")
    assert [e.published for e in entries(spider, page)] == [None, date(2023, 10, 17)]
    assert spider.next_page(page, spider.listings()[0]) is None


def test_article_fields():
    spider = make_spider()
    entry = Entry(url=LIVE + SME, fetch_url=LIVE + SME, summary="A teaser from the listing…")
    [doc] = list(spider.parse_article(response("article-sme-controls-2024-12.html", LIVE + SME),
                                      entry))
    assert doc["id"] == f"commerce:{LIVE}{SME}"
    assert doc["source"] == "commerce" and doc["lang"] == "en"
    assert doc["url"] == doc["external_id"] == LIVE + SME
    assert doc["title"] == ("Commerce Strengthens Export Controls to Restrict China’s Capability "
                            "to Produce Advanced Semiconductors for Military Applications")
    assert doc["published"] == "2024-12-02"
    assert doc["date_precision"] == "day"
    assert doc["timezone"] == "America/New_York"
    assert doc["dateline"] == "WASHINGTON"
    assert doc["text"].startswith("Today, the Department of Commerce’s Bureau of Industry")
    assert doc["text"].count("\n\n") == 2
    for chrome in ("Skip to main", "Share on", "Related Content", "Privacy Program",
                   "Press Release", "An official website"):
        assert chrome not in doc["text"]
    assert doc["summary"] == "A teaser from the listing…"
    assert doc["doc_type"] == "Press Release"
    assert doc["metadata"] == {"news_type": "Press Release",
                               "issues": ["Trade", "National Security"],
                               "tags": ["Export Controls", "Semiconductors", "Entity List"],
                               "section": "press-releases"}
    assert spider.problems == []


def test_article_date_from_time_text_when_there_is_no_datetime_attribute():
    entry = Entry(url=LIVE + PMT, fetch_url=LIVE + PMT)
    [doc] = make_spider().parse_article(response("article-tsmc-pmt-2024-04.html", LIVE + PMT),
                                        entry)
    assert doc["published"] == "2024-04-08"
    assert "$65 billion" in doc["text"]


def test_article_without_a_date_is_a_problem_and_no_document():
    url = (LIVE + "/news/press-releases/2021/12/joint-statement-us-taiwan-technology-trade-and-"
           "investment-collaboration")
    spider = make_spider()
    docs = list(spider.parse_article(response("article-undated.html", url),
                                     Entry(url=url, fetch_url=url)))
    assert docs == []
    assert spider.problems == [f"commerce: article {url} has no publication date: the page "
                               f"layout may have changed"]


def test_drifted_listing_is_a_problem_not_quiet():
    spider = make_spider()
    results = list(parse_listing(spider, response("press-releases-drifted.html", LIVE + LISTING)))
    assert results == []
    assert spider.problems == [f"commerce: listing {LIVE}{LISTING} matched no items: the page "
                               f"layout may have changed"]


def test_routine_skips_stored_articles_and_stops_paging_at_a_page_of_known_items():
    known = {f"commerce:{LIVE}{p}": {"url": LIVE + p, "title": t, "published": d}
             for p, t, d in [
                 (list(ARTICLES)[0], "Department of Commerce Announces Rescission of Biden-Era "
                  "Artificial Intelligence Diffusion Rule, Strengthens Chip-Related Export "
                  "Controls", "2025-05-13"),
                 (list(ARTICLES)[1], "Commerce Strengthens Export Controls to Restrict China’s "
                  "Capability to Produce Advanced Semiconductors for Military Applications",
                  "2024-12-02"),
                 (list(ARTICLES)[2], "An older title of the CHIPS award release", "2024-11-15")]}
    articles, listings = split(parse_listing(
        make_spider(known=known), response("press-releases.html", LIVE + LISTING)))
    # Only the one whose listing title differs from the stored title is fetched again.
    assert [r.url for r in articles] == [LIVE + list(ARTICLES)[2]]
    assert listings == [LIVE + LISTING + "?page=1"]

    known[f"commerce:{LIVE}{list(ARTICLES)[2]}"]["title"] = (
        "Biden-Harris Administration Announces CHIPS Incentives Award with TSMC Arizona to "
        "Support Leading-Edge Technology Manufacturing")
    articles, listings = split(parse_listing(
        make_spider(known=known), response("press-releases.html", LIVE + LISTING)))
    assert articles == [] and listings == []
    # A backfill does not stop at stored items: it pages on until `since`.
    articles, listings = split(parse_listing(
        make_spider(known=known, mode="backfill"), response("press-releases.html", LIVE + LISTING)))
    assert articles == [] and listings == [LIVE + LISTING + "?page=1"]


def test_backfill_stops_when_a_page_is_older_than_since_and_routine_at_max_pages():
    spider = make_spider(mode="backfill", since="2025-06-01", max_pages=None)
    articles, listings = split(parse_listing(spider, response("press-releases.html",
                                                              LIVE + LISTING)))
    assert articles == [] and listings == []
    articles, listings = split(parse_listing(
        make_spider(max_pages=1), response("press-releases.html", LIVE + LISTING)))
    assert len(articles) == 3 and listings == []


# -- whole crawls --------------------------------------------------------------------------


def site(listing: list[Reply] | None = None) -> LoopbackServer:
    routes = {LISTING: listing or [Reply(200, page("press-releases.html"))],
              LISTING + "?page=1": Reply(200, page("press-releases-page-1.html"))}
    routes.update({path: Reply(200, page(name)) for path, name in ARTICLES.items()})
    return LoopbackServer(routes)


def crawl(tmp_path, server):
    config = load(write_config(tmp_path, {"commerce": server.url}))
    db = open_db(tmp_path / "chipwatch.db")
    return db, lambda: crawl_source(config, db, "commerce", since="2020-01-01")


def article_hits(server):
    return [h.path for h in server.requests_for("/news/press-releases/")]


def test_whole_crawl_then_a_second_crawl_that_fetches_no_article(tmp_path):
    with site() as server:
        db, run = crawl(tmp_path, server)
        first = run()
        assert first.status == "ok", first.errors
        assert (first.seen, first.new, first.changed) == (5, 5, 0)
        assert sorted(article_hits(server)) == sorted(ARTICLES)
        assert [h.path for h in server.requests_for(LISTING) if "/20" not in h.path] == \
            [LISTING, LISTING + "?page=1"]
        stored = doc_store.get_document(db, f"commerce:{server.url}{SME}")
        assert stored["published"] == "2024-12-02" and stored["dateline"] == "WASHINGTON"
        assert doc_store.count_documents(db, "commerce") == 5

        server.reset_log()
        second = run()
        assert second.status == "ok", second.errors
        assert (second.seen, second.new) == (0, 0)
        assert article_hits(server) == []
        assert [h.path for h in server.hits if h.path != "/robots.txt"] == [LISTING]

        runs = run_store.runs_for(db, "commerce")
        assert [r["documents_new"] for r in runs] == [0, 5]
        assert runs[1]["pages_fetched"] > runs[0]["pages_fetched"] > 0
        assert runs[1]["bytes_received"] > runs[0]["bytes_received"] > 0
        assert all(json.loads(r["errors"]) == [] for r in runs)
    db.close()


def test_drifted_listing_fails_the_run_with_a_clear_error_and_no_documents(tmp_path):
    with site([Reply(200, page("press-releases-drifted.html"))]) as server:
        db, run = crawl(tmp_path, server)
        outcome = run()
    assert outcome.status == "failed"
    [record] = run_store.runs_for(db, "commerce")
    assert record["status"] == "failed"
    assert json.loads(record["errors"]) == [
        f"commerce: listing {server.url}{LISTING} matched no items: the page layout may have "
        f"changed"]
    assert doc_store.count_documents(db, "commerce") == 0
    db.close()


def test_a_403_challenge_is_an_error_on_the_run(tmp_path):
    challenge = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                 "<div id='challenge-platform'>Checking your browser before accessing "
                 "www.commerce.gov</div></body></html>")
    with site([Reply(403, challenge, headers={"cf-mitigated": "challenge"})]) as server:
        db, run = crawl(tmp_path, server)
        outcome = run()
        assert article_hits(server) == []
    assert outcome.status == "failed"
    [error] = json.loads(run_store.runs_for(db, "commerce")[0]["errors"])
    assert error.startswith(f"commerce: {server.url}{LISTING}: HTTP 403 Forbidden")
    assert doc_store.count_documents(db, "commerce") == 0
    db.close()


def test_429_then_200_ends_in_documents(tmp_path):
    with site([Reply(429, "slow down", headers={"Retry-After": "1"}),
               Reply(200, page("press-releases.html"))]) as server:
        db, run = crawl(tmp_path, server)
        outcome = run()
        statuses = [h.status for h in server.hits if h.path == LISTING]
    assert statuses == [429, 200]
    assert outcome.status == "ok", outcome.errors
    assert outcome.new == 5
    db.close()


def test_chipwatch_crawl_commerce_prints_json_lines(tmp_path):
    with site() as server:
        config = write_config(tmp_path, {"commerce": server.url})
        result = chipwatch("crawl", "commerce", "--config", str(config), "--since", "2020-01-01")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(docs) == 5
    for doc in docs:
        assert doc["source"] == "commerce" and doc["lang"] == "en"
        assert doc["id"] == f"commerce:{doc['url']}"
        assert doc["url"].startswith(server.url + "/news/press-releases/")
        assert doc["title"] and doc["text"]
        assert date.fromisoformat(doc["published"])
