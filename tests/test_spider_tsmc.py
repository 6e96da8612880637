"""TSMC newsroom spider: callbacks on reconstructed pages (clock frozen), then whole crawls
through Scrapy's downloader against a loopback server, stored in a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.listing import Entry, Listing
from crawler.spiders.tsmc import TsmcSpider, split_dateline
from store import documents as doc_store
from store import open_db
from store import runs as run_store
from tests.conftest import FIXTURES, write_config
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import crawl_source

PAGES = FIXTURES / "tsmc"
BASE = "https://pr.tsmc.com"
PATHS = {"en": "english", "zh-Hant": "chinese", "zh-Hans": "schinese"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 6, 11, 9, 0, tzinfo=timezone(timedelta(hours=8))),
                             tick=False):
        yield


def make_spider(**spec) -> TsmcSpider:
    spec.setdefault("source", {"base_url": BASE, "languages": ["en", "zh-Hant", "zh-Hans"]})
    spec.setdefault("since", "2026-01-01")
    return TsmcSpider.from_crawler(get_crawler(TsmcSpider), spec=spec)


def page(name: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=(PAGES / name).read_bytes(), encoding="utf-8",
                        request=Request(url))


def listing(spider, lang: str, name: str | None = None, kind: str = "latest-news"):
    name = name or f"{PATHS[lang]}_latest_news.html"
    url = f"{BASE}/{PATHS[lang]}/{kind}"
    return list(spider.parse_listing(page(name, url), Listing(url=url, lang=lang)))


def article(spider, lang: str, news_id: str, name: str | None = None, category: str = ""):
    name = name or f"{PATHS[lang]}_news_{news_id}.html"
    url = f"{BASE}/{PATHS[lang]}/news/{news_id}"
    entry = Entry(url=url, lang=lang, external_id=news_id, tags=[category] if category else [])
    return list(spider.parse_article(page(name, url), entry))


def ids(requests) -> list[str]:
    return [r.cb_kwargs["entry"].external_id for r in requests]


# -- callbacks ------------------------------------------------------------------------------


def test_start_requests_one_listing_per_configured_language():
    spider = make_spider(source={"base_url": "http://127.0.0.1:9", "languages": ["en", "zh-Hans"]})

    async def collect():
        return [request async for request in spider.start()]

    urls = [r.url for r in asyncio.run(collect())]
    assert urls == ["http://127.0.0.1:9/english/latest-news", "http://127.0.0.1:9/schinese/latest-news"]
    backfill = make_spider(mode="backfill", source={"base_url": BASE, "languages": ["en"]})

    async def collect_backfill():
        return [request.url async for request in backfill.start()]

    assert asyncio.run(collect_backfill()) == [f"{BASE}/english/news-archives"]


def test_english_listing_requests_each_article_with_its_category():
    requests = listing(make_spider(), "en")
    assert [r.url for r in requests] == [f"{BASE}/english/news/{n}"
                                         for n in ("3343", "3320", "3294")]
    assert [r.cb_kwargs["entry"].tags for r in requests] == [["Corporate"], ["Technology"],
                                                            ["Financial"]]
    assert all(r.errback is not None for r in requests)


def test_listing_skips_stored_items_unless_title_or_date_changed():
    known = {
        "tsmc:3343": {"url": f"{BASE}/english/news/3343", "published": "2026-06-10",
                      "title": "TSMC Board of Directors Meeting Resolutions"},
        "tsmc:3320": {"url": f"{BASE}/english/news/3320", "published": "2026-05-14",
                      "title": "An older wording of the title"},
        "tsmc:3294": {"url": f"{BASE}/english/news/3294", "published": "2026-04-09",
                      "title": "TSMC March 2026 Revenue Report"},
    }
    requests = listing(make_spider(known=known), "en")
    assert ids(requests) == ["3320", "3294"]


def test_listing_of_only_stored_items_fetches_nothing():
    spider = make_spider(known={
        f"tsmc:{n}:zh-Hant": {"url": "", "title": t, "published": d}
        for n, t, d in (("3343", "台積公司董事會決議", "2026-06-10"),
                        ("3320", "台積公司舉辦年度技術論壇", "2026-05-14"))})
    assert listing(spider, "zh-Hant") == []
    assert spider.problems == []


def test_listing_leaves_out_items_older_than_since():
    requests = listing(make_spider(since="2026-05-01"), "en")
    assert ids(requests) == ["3343", "3320"]


def test_english_article_fields():
    [doc] = article(make_spider(), "en", "3343", category="Corporate")
    assert doc["id"] == "tsmc:3343"
    assert doc["source"] == "tsmc"
    assert doc["external_id"] == "3343"
    assert doc["lang"] == "en"
    assert doc["url"] == "https://pr.tsmc.com/english/news/3343"
    assert doc["title"] == "TSMC Board of Directors Meeting Resolutions"
    assert doc["published"] == "2026-06-10"
    assert doc["date_precision"] == "day"
    assert doc["timezone"] == "Asia/Taipei"
    assert doc["dateline"] == "HSINCHU, Taiwan, R.O.C. – June 10, 2026"
    assert doc["text"].startswith("This paragraph is neutral filler")
    assert "\n\nA second filler paragraph" in doc["text"]
    for furniture in ("HSINCHU", "Contact:", "image caption", "attachment.pdf",
                      "Reconstructed fixture footer"):
        assert furniture not in doc["text"]
    assert doc["group_key"] == "tsmc:3343"
    assert doc["doc_type"] == "news"
    assert doc["metadata"] == {
        "news_id": "3343", "category": "Corporate",
        "attachments": ["https://pr.tsmc.com/system/files/news/0a1b2c3d/3343.pdf"]}


@pytest.mark.parametrize("news_id, dateline, published", [
    # hyphen, comma; time[datetime] in UTC
    ("3320", "Hsinchu, Taiwan, R.O.C, May 14, 2026", "2026-05-14"),
    ("3294", "HSINCHU, TAIWAN, R.O.C. — April 10, 2026", "2026-04-10"),  # upper case, em dash
])
def test_english_dateline_variants(news_id, dateline, published):
    [doc] = article(make_spider(), "en", news_id)
    assert doc["dateline"] == dateline
    assert doc["published"] == published
    assert doc["text"].startswith("This paragraph is neutral filler")


def test_time_datetime_in_utc_is_read_as_a_taipei_day():
    # 2026-05-13T16:30:00Z is 00:30 on 14 May in Taipei.
    [doc] = article(make_spider(), "en", "3320")
    assert doc["published"] == "2026-05-14"


def test_traditional_chinese_article_fields():
    [doc] = article(make_spider(), "zh-Hant", "3343", category="公司")
    assert doc["id"] == "tsmc:3343:zh-Hant"
    assert doc["lang"] == "zh-Hant"
    assert doc["url"] == "https://pr.tsmc.com/chinese/news/3343"
    assert doc["title"] == "台積公司董事會決議"
    assert doc["published"] == "2026-06-10"
    assert doc["dateline"] == "發佈單位 :台灣積體電路製造股份有限公司 發佈日期 : 2026/06/10"
    assert doc["text"].startswith("本段為 chipwatch 測試用的中性填充文字")
    assert "發佈" not in doc["text"]
    assert doc["group_key"] == "tsmc:3343"
    assert doc["metadata"]["category"] == "公司"


def test_traditional_chinese_header_over_two_paragraphs_with_full_width_colons():
    [doc] = article(make_spider(), "zh-Hant", "3320")
    assert doc["dateline"] == "發佈單位：台灣積體電路製造股份有限公司 發佈日期：2026/05/14"
    assert doc["published"] == "2026-05-14"
    assert doc["metadata"]["category"] == "技術"  # from the article when the listing gave none


def test_simplified_chinese_article_fields():
    [doc] = article(make_spider(), "zh-Hans", "3343")
    assert doc["id"] == "tsmc:3343:zh-Hans"
    assert doc["lang"] == "zh-Hans"
    assert doc["url"] == "https://pr.tsmc.com/schinese/news/3343"
    assert doc["title"] == "台积公司董事会决议"
    assert doc["published"] == "2026-06-10"
    assert doc["dateline"] == "发布单位 :台湾积体电路制造股份有限公司 发布日期 : 2026/06/10"
    assert doc["text"].startswith("本段为 chipwatch 测试用的中性填充文字")
    assert doc["group_key"] == "tsmc:3343"


def test_split_dateline_leaves_text_without_one_alone():
    assert split_dateline("Plain first paragraph.", "en") == ("", "Plain first paragraph.", None)
    line, rest, day = split_dateline("Taipei, Taiwan, R.O.C. - Jan. 5, 2026 - Text.", "en")
    assert (line, rest, day) == ("Taipei, Taiwan, R.O.C. - Jan. 5, 2026", "Text.", date(2026, 1, 5))


def test_article_without_a_date_is_a_problem_and_no_document():
    spider = make_spider()
    assert article(spider, "en", "3344", name="english_news_nodate.html") == []
    assert spider.problems == [
        "tsmc: https://pr.tsmc.com/english/news/3344: the article has no publication date (no "
        "time[datetime], dateline or 發佈日期 header); the layout may have changed"]


def test_drifted_listing_is_a_problem_not_quiet():
    spider = make_spider()
    assert listing(spider, "en", name="english_latest_news_drifted.html") == []
    assert spider.problems == [
        "tsmc: listing https://pr.tsmc.com/english/latest-news matched no items: "
        "the page layout may have changed"]


def test_a_challenge_page_served_with_200_is_a_problem():
    spider = make_spider()
    assert listing(spider, "zh-Hant", name="cloudflare_challenge.html") == []
    assert len(spider.problems) == 1
    assert "bot challenge" in spider.problems[0] and "/chinese/latest-news" in spider.problems[0]


def test_archive_backfill_reads_dated_anchors_and_stops_before_since():
    spider = make_spider(mode="backfill", since="2026-01-01",
                         source={"base_url": BASE, "languages": ["en"]})
    requests = listing(spider, "en", name="english_news_archives.html", kind="news-archives")
    assert ids(requests) == ["3294", "3270"]  # 3101 is from 2025


def test_archive_backfill_follows_the_pager_while_items_are_recent():
    spider = make_spider(mode="backfill", since="2025-01-01",
                         source={"base_url": "http://127.0.0.1:9", "languages": ["en"]})
    requests = listing(spider, "en", name="english_news_archives.html", kind="news-archives")
    assert requests[-1].url == "http://127.0.0.1:9/english/news-archives?page=1"
    assert requests[-1].callback == spider.parse_listing


# -- whole crawls against a loopback server --------------------------------------------------


def fixture_routes() -> dict:
    routes = {}
    for path in PATHS.values():
        routes[f"/{path}/latest-news"] = Reply(
            200, (PAGES / f"{path}_latest_news.html").read_bytes())
    for name in ("english_news_3343", "english_news_3320", "english_news_3294",
                 "chinese_news_3343", "chinese_news_3320", "schinese_news_3343"):
        path, _, news_id = name.split("_")
        routes[f"/{path}/news/{news_id}"] = Reply(200, (PAGES / f"{name}.html").read_bytes())
    return routes


def crawl(tmp_path, server, **table):
    path = write_config(tmp_path, {"tsmc": {"base_url": server.url, **table}})
    config = config_module.load(path)
    db = open_db(config.db_path)
    return config, db


def test_whole_crawl_in_three_languages_then_a_second_crawl_reads_listings_only(tmp_path):
    with LoopbackServer(fixture_routes()) as server:
        config, db = crawl(tmp_path, server)
        first = crawl_source(config, db, "tsmc", since="2026-01-01")
        assert first.status == "ok", first.errors
        assert (first.new, first.errors) == (6, [])
        stored = {i: doc_store.get_document(db, i) for i in doc_store.known_documents(db, "tsmc")}
        assert sorted(stored) == ["tsmc:3294", "tsmc:3320", "tsmc:3320:zh-Hant", "tsmc:3343",
                                  "tsmc:3343:zh-Hans", "tsmc:3343:zh-Hant"]
        assert {stored[i]["group_key"] for i in stored
                if i.startswith("tsmc:3343")} == {"tsmc:3343"}
        assert stored["tsmc:3343:zh-Hans"]["url"] == f"{server.url}/schinese/news/3343"
        assert stored["tsmc:3343"]["dateline"] == "HSINCHU, Taiwan, R.O.C. – June 10, 2026"
        assert len(server.requests_for("/english/news/")) == 3

        server.reset_log()
        second = crawl_source(config, db, "tsmc")
        assert second.status == "ok", second.errors
        assert (second.new, second.changed) == (0, 0)
        fetched = sorted(hit.path for hit in server.hits if hit.path != "/robots.txt")
        assert fetched == ["/chinese/latest-news", "/english/latest-news", "/schinese/latest-news"]
        assert doc_store.count_documents(db, "tsmc") == 6
        db.close()


def test_cloudflare_403_on_the_chinese_site_is_a_recorded_error_not_no_news(tmp_path):
    routes = fixture_routes()
    routes["/chinese/latest-news"] = Reply(403, (PAGES / "cloudflare_challenge.html").read_bytes(),
                                           headers={"cf-mitigated": "challenge"})
    with LoopbackServer(routes) as server:
        config, db = crawl(tmp_path, server, languages=["en", "zh-Hant"])
        outcome = crawl_source(config, db, "tsmc", since="2026-01-01")
        assert outcome.status == "failed"
        assert outcome.new == 3  # English pages still came through
        [error] = outcome.errors
        assert error.startswith(f"tsmc: {server.url}/chinese/latest-news: HTTP 403 Forbidden")
        assert "blocked" in error
        run = run_store.get_run(db, outcome.run_id)
        assert run["status"] == "failed" and "403" in run["errors"]
        db.close()


def test_429_then_200_is_retried_and_the_crawl_succeeds(tmp_path):
    routes = fixture_routes()
    listing_page = routes["/english/latest-news"]
    routes["/english/latest-news"] = [Reply(429, "slow down", headers={"Retry-After": "0"}),
                                      listing_page]
    with LoopbackServer(routes) as server:
        config, db = crawl(tmp_path, server, languages=["en"])
        outcome = crawl_source(config, db, "tsmc", since="2026-01-01")
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 3
        assert [hit.status for hit in server.requests_for("/english/latest-news")] == [429, 200]
        db.close()
