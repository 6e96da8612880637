"""TrendForce press-center spider: the real listing capture (read at run time), committed
reconstructions, article pages in English and Simplified Chinese, and whole crawls of both
editions through Scrapy's downloader against loopback servers."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.listing import Entry, Listing
from crawler.spiders.trendforce import TrendforceSpider, listing_path
from store import documents as doc_store
from store import open_db
from store import runs as run_store
from tests.conftest import FIXTURES, SHARED, write_config
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import crawl_source

PAGES = FIXTURES / "trendforce"
REAL_LISTING = SHARED / "samples" / "trendforce_presscenter_news_listing_excerpt.html"
EN = "https://www.trendforce.com"
CN = "https://www.trendforce.cn"
# Real titles and dates of the 2026-09-02 capture (titles are facts).
REAL_ITEMS = [
    ("20260901-13210", "Higher Prices and Shipments Drive Top Five Enterprise SSD Vendors’ Revenue "
     "to Nearly US$37.59 Billion in 2Q26, Says TrendForce", "2026-09-01"),
    ("20260831-13208", "Secondary and Repair Markets Provide Support; Global Smartphone Panel "
     "Shipments to Decline Just 2.5% in 2026, Says TrendForce", "2026-08-31"),
    ("20260828-13204", "NVIDIA’s AI Rack Transition Accelerates; NVL72 Output Value to Exceed "
     "US$710 Billion in 2027, Says TrendForce", "2026-08-28"),
    ("20260827-13202", "SEMCO Leads 4Q26 OEM Price Hikes, Signaling Start of MLCC Industry "
     "Upcycle, Says TrendForce", "2026-08-27"),
    ("20260825-13198", "Memory Prices Soar; DRAM and NAND Flash to Account for 68% of Major CSP "
     "CapEx in 2027, Says TrendForce", "2026-08-25"),
]
EN_ARTICLES = ["20260901-13210", "20260831-13208", "20260828-13204", "20260827-13202",
               "20260825-13198", "20260824-13195", "20260821-13190"]
CN_ARTICLES = ["20260901-13211", "20260828-13205", "20260825-13199"]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 9, 2, 12, 0, tzinfo=timezone(timedelta(hours=8))),
                             tick=False):
        yield


def make_spider(**spec) -> TrendforceSpider:
    spec.setdefault("source", {"base_url": EN, "base_url_zh": CN})
    spec.setdefault("since", "2026-08-01")
    return TrendforceSpider.from_crawler(get_crawler(TrendforceSpider), spec=spec)


def response(path, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=Request(url))


def listing(spider, path, lang="en", page=1, base=EN):
    url = f"{base}/presscenter/news?page={page}"
    return list(spider.parse_listing(response(path, url), Listing(url=url, lang=lang, page=page)))


def article(spider, name: str, lang="en", summary=""):
    external_id = name.split("_", 1)[1].removesuffix(".html")
    base = EN if lang == "en" else CN
    url = f"{base}/presscenter/news/{external_id}.html"
    entry = Entry(url=url, lang=lang, external_id=external_id, summary=summary)
    return list(spider.parse_article(response(PAGES / name, url), entry))


def entries_of(path, url=f"{EN}/presscenter/news?page=1"):
    spider = make_spider()
    found = spider.entries(response(path, url), Listing(url=url, lang="en"))
    return [(e.external_id, e.title, e.published, e.summary) for e in found]


def ids(requests) -> list[str]:
    return [r.cb_kwargs["entry"].external_id for r in requests if "entry" in r.cb_kwargs]


# -- listings -------------------------------------------------------------------------------


@pytest.mark.skipif(not REAL_LISTING.exists(), reason="the real capture in ../shared is absent")
def test_real_listing_capture_gives_five_items_with_titles_and_dates():
    entries = entries_of(REAL_LISTING)
    assert [(i, t, d.isoformat()) for i, t, d, _ in entries] == REAL_ITEMS
    assert all(summary for *_, summary in entries)
    spider = make_spider()
    requests = listing(spider, REAL_LISTING)
    assert [r.url for r in requests] == [
        f"{EN}/presscenter/news/{i}.html" for i, *_ in REAL_ITEMS] + [
        f"{EN}/presscenter/news?page=2"]
    assert spider.problems == []


@pytest.mark.skipif(not REAL_LISTING.exists(), reason="the real capture in ../shared is absent")
def test_committed_reconstruction_keeps_the_real_structure():
    real = [(i, t, d) for i, t, d, _ in entries_of(REAL_LISTING)]
    rebuilt = [(i, t, d) for i, t, d, _ in entries_of(PAGES / "en_news_page1.html")]
    assert rebuilt == real


def test_reconstructed_listing_fields():
    entries = entries_of(PAGES / "en_news_page1.html")
    assert [(i, t, d.isoformat()) for i, t, d, _ in entries] == REAL_ITEMS
    assert entries[0][3] == ("Neutral filler summary written for the chipwatch tests; it stands "
                             "in for the release's own summary.")


def test_listing_requests_articles_and_the_next_page_on_the_configured_origin():
    spider = make_spider(source={"base_url": "http://127.0.0.1:9", "base_url_zh": CN})
    requests = listing(spider, PAGES / "en_news_page1.html")
    assert [r.url for r in requests] == [
        f"http://127.0.0.1:9/presscenter/news/{i}.html" for i, *_ in REAL_ITEMS] + [
        "http://127.0.0.1:9/presscenter/news?page=2"]
    assert requests[0].cb_kwargs["entry"].external_id == "20260901-13210"
    next_listing = requests[-1].cb_kwargs["listing"]
    assert (next_listing.lang, next_listing.page) == ("en", 2)
    assert all(r.errback == spider.errback for r in requests)


def test_a_hero_item_repeated_above_the_list_is_fetched_once_and_the_last_page_ends_paging():
    requests = listing(make_spider(), PAGES / "en_news_page2.html", page=2)
    assert [r.url for r in requests] == [f"{EN}/presscenter/news/20260824-13195.html",
                                         f"{EN}/presscenter/news/20260821-13190.html"]


def test_chinese_listing_with_both_date_forms():
    entries = entries_of(PAGES / "cn_news_page1.html", f"{CN}/presscenter/news?page=1")
    assert [(i, d.isoformat()) for i, _, d, _ in entries] == [
        ("20260901-13211", "2026-09-01"), ("20260828-13205", "2026-08-28"),
        ("20260825-13199", "2026-08-25")]
    assert entries[1][1] == "NVIDIA AI机柜转换加速，2027年NVL72产值将超过7,100亿美元"
    requests = listing(make_spider(), PAGES / "cn_news_page1.html", lang="zh-Hans", base=CN)
    assert [r.url for r in requests] == [f"{CN}/presscenter/news/{i}.html" for i in CN_ARTICLES]


def test_routine_listing_skips_stored_items_and_stops_paging_at_a_page_of_stored_items():
    known = {f"trendforce:{i}": {"url": f"{EN}/presscenter/news/{i}.html", "title": t,
                                 "published": d} for i, t, d in REAL_ITEMS}
    assert listing(make_spider(known=known), PAGES / "en_news_page1.html") == []
    known["trendforce:20260828-13204"]["title"] = "An earlier wording"
    requests = listing(make_spider(known=known), PAGES / "en_news_page1.html")
    assert [r.url for r in requests] == [f"{EN}/presscenter/news/20260828-13204.html",
                                         f"{EN}/presscenter/news?page=2"]


def test_max_pages_and_since_stop_paging():
    requests = listing(make_spider(max_pages=1), PAGES / "en_news_page1.html")
    assert len(ids(requests)) == 5 and not any("listing" in r.cb_kwargs for r in requests)
    requests = listing(make_spider(since="2026-08-28"), PAGES / "en_news_page1.html")
    assert [r.cb_kwargs["entry"].external_id for r in requests] == [
        "20260901-13210", "20260831-13208", "20260828-13204"]  # no page 2: older items reached


def test_backfill_pages_on_while_items_are_newer_than_since():
    spider = make_spider(mode="backfill", since="2026-01-01")
    requests = listing(spider, PAGES / "en_news_page1.html")
    assert requests[-1].url == f"{EN}/presscenter/news?page=2"


def test_sections_are_percent_encoded_category_paths():
    assert listing_path("news") == "/presscenter/news"
    assert listing_path("Consumer Electronics") == "/presscenter/news/Consumer%20Electronics"
    spider = make_spider(source={"base_url": EN, "base_url_zh": CN, "languages": ["en", "zh-Hans"],
                                 "sections": ["news", "Semiconductors"]})

    async def collect():
        return [r.url async for r in spider.start()]

    assert asyncio.run(collect()) == [
        f"{EN}/presscenter/news?page=1", f"{EN}/presscenter/news/Semiconductors?page=1",
        f"{CN}/presscenter/news?page=1", f"{CN}/presscenter/news/Semiconductors?page=1"]


def test_drifted_listing_is_a_clear_problem_and_no_request():
    spider = make_spider()
    assert listing(spider, PAGES / "en_news_drifted.html") == []
    assert spider.problems == [
        f"trendforce: listing {EN}/presscenter/news?page=1 matched no items: "
        f"the page layout may have changed"]


# -- articles -------------------------------------------------------------------------------


def test_english_article_fields():
    [doc] = article(make_spider(), "en_20260828-13204.html", summary="listing summary")
    assert doc["id"] == "trendforce:20260828-13204"
    assert doc["source"] == "trendforce"
    assert doc["external_id"] == "20260828-13204"
    assert doc["lang"] == "en"
    assert doc["url"] == f"{EN}/presscenter/news/20260828-13204.html"
    assert doc["title"] == REAL_ITEMS[2][1]
    assert doc["published"] == "2026-08-28"
    assert doc["date_precision"] == "day"
    assert doc["timezone"] == "Asia/Taipei"
    assert doc["summary"] == "listing summary"
    assert doc["text"] == ("Neutral filler paragraph written for the chipwatch tests; it stands in "
                           "for the release text and repeats none of it.\n\nSecond filler "
                           "paragraph, present so that paragraph breaks can be checked.")
    assert doc["dateline"] == ""
    assert doc["doc_type"] == "press_release"
    assert doc["group_key"] == "trendforce:20260828-13204"
    assert doc["metadata"] == {
        "categories": ["Semiconductors", "Emerging Technologies"], "author": "Placeholder Analyst",
        "image": f"{EN}/upload/press/20260828_103000_placeholder.jpg"}


def test_simplified_chinese_article_fields():
    [doc] = article(make_spider(), "cn_20260828-13205.html", lang="zh-Hans")
    assert doc["id"] == "trendforce:20260828-13205:zh-Hans"
    assert doc["lang"] == "zh-Hans"
    assert doc["url"] == f"{CN}/presscenter/news/20260828-13205.html"
    assert doc["title"] == "NVIDIA AI机柜转换加速，2027年NVL72产值将超过7,100亿美元"
    assert doc["published"] == "2026-08-28"  # tag-row date written 2026年8月28日
    assert doc["text"].startswith("为 chipwatch 测试撰写的中性填充段落")
    assert doc["summary"] == "og description placeholder"  # og: fallback without a listing summary
    assert doc["metadata"]["categories"] == ["半导体"]


def test_article_without_date_or_title_is_a_problem_and_no_document():
    spider = make_spider()
    assert article(spider, "en_article_nodate.html") == []
    assert article(spider, "en_article_notitle.html") == []
    assert spider.problems == [
        f"trendforce: {EN}/presscenter/news/article_nodate.html: the article has no publication "
        f"date (no date in div.tag-row, no article:published_time); the layout may have changed",
        f"trendforce: {EN}/presscenter/news/article_notitle.html: the article has no title (no "
        f"h1, no og:title); the layout may have changed"]


# -- whole crawls ---------------------------------------------------------------------------


def en_routes(page1=None) -> dict:
    routes = {
        "/presscenter/news?page=1":
            page1 or Reply(200, (PAGES / "en_news_page1.html").read_bytes()),
        "/presscenter/news?page=2": Reply(200, (PAGES / "en_news_page2.html").read_bytes()),
    }
    for external_id in EN_ARTICLES:
        routes[f"/presscenter/news/{external_id}.html"] = Reply(
            200, (PAGES / f"en_{external_id}.html").read_bytes())
    return routes


def cn_routes() -> dict:
    routes = {"/presscenter/news?page=1": Reply(200, (PAGES / "cn_news_page1.html").read_bytes())}
    for external_id in CN_ARTICLES:
        routes[f"/presscenter/news/{external_id}.html"] = Reply(
            200, (PAGES / f"cn_{external_id}.html").read_bytes())
    return routes


def setup(tmp_path, en, cn):
    path = write_config(tmp_path, {"trendforce": {"base_url": en.url, "base_url_zh": cn.url}})
    config = config_module.load(path)
    return config, open_db(config.db_path)


def article_hits(server):
    return [hit.path for hit in server.hits if hit.path.endswith(".html")]


def test_whole_crawl_of_both_editions_links_them_then_a_second_crawl_reads_listings_only(tmp_path):
    with LoopbackServer(en_routes()) as en, LoopbackServer(cn_routes()) as cn:
        config, db = setup(tmp_path, en, cn)
        first = crawl_source(config, db, "trendforce", since="2026-08-01")
        assert first.status == "ok", first.errors
        assert first.new == 10
        assert len(article_hits(en)) == 7 and len(article_hits(cn)) == 3
        group = {i: doc_store.get_document(db, i)["group_key"]
                 for i in doc_store.known_documents(db, "trendforce")}
        assert group["trendforce:20260901-13211:zh-Hans"] == "trendforce:20260901-13210"
        assert group["trendforce:20260828-13205:zh-Hans"] == "trendforce:20260828-13204"
        assert group["trendforce:20260825-13199:zh-Hans"] == "trendforce:20260825-13198"
        assert group["trendforce:20260831-13208"] == "trendforce:20260831-13208"
        cn_doc = doc_store.get_document(db, "trendforce:20260828-13205:zh-Hans")
        assert cn_doc["url"] == f"{cn.url}/presscenter/news/20260828-13205.html"

        en.reset_log(), cn.reset_log()
        second = crawl_source(config, db, "trendforce")
        assert second.status == "ok", second.errors
        assert (second.new, second.changed) == (0, 0)
        assert article_hits(en) == [] and article_hits(cn) == []
        assert [h.path for h in en.hits if h.path != "/robots.txt"] == ["/presscenter/news?page=1"]
        assert [h.path for h in cn.hits if h.path != "/robots.txt"] == ["/presscenter/news?page=1"]
        assert doc_store.get_document(db, "trendforce:20260828-13205:zh-Hans")["group_key"] == \
            "trendforce:20260828-13204"
        db.close()


def test_drifted_listing_fails_the_run_with_a_clear_error_and_stores_nothing(tmp_path):
    drifted = Reply(200, (PAGES / "en_news_drifted.html").read_bytes())
    with LoopbackServer(en_routes(drifted)) as en, LoopbackServer(cn_routes()) as cn:
        path = write_config(tmp_path, {"trendforce": {"base_url": en.url, "base_url_zh": cn.url,
                                                      "languages": ["en"]}})
        config = config_module.load(path)
        db = open_db(config.db_path)
        outcome = crawl_source(config, db, "trendforce", since="2026-08-01")
        assert outcome.status == "failed"
        assert outcome.errors == [f"trendforce: listing {en.url}/presscenter/news?page=1 matched "
                                  f"no items: the page layout may have changed"]
        assert doc_store.count_documents(db, "trendforce") == 0
        run = run_store.get_run(db, outcome.run_id)
        assert run["status"] == "failed" and "matched no items" in run["errors"]
        db.close()


def test_a_restyled_list_is_read_by_its_classes_when_the_strict_link_pattern_fails():
    html = """<html><body><div class="content">
      <div class="advs-box niche-box-post"><p class="bd-month">1 September 2026</p>
        <h2><a class="text-m" href="/presscenter/news/detail/20260901-13210">Title one</a></h2>
      </div>
      <div class="advs-box niche-box-post"><p class="bd-month">31 August 2026</p>
        <h2><a class="text-m" href="/presscenter/news/detail/20260831-13208">Title two</a></h2>
      </div>
    </div></body></html>"""
    url = f"{EN}/presscenter/news?page=1"
    spider = make_spider()
    page = HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=Request(url))
    requests = list(spider.parse_listing(page, Listing(url=url, lang="en")))
    assert ids(requests) == ["20260901-13210", "20260831-13208"]
    assert spider.problems == []
