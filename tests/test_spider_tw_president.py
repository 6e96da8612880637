"""Office of the President (tw_president): the zh feed's items read from their pages (ROC
dates, the English edition's link), the English feed's bodies, then whole crawls against
loopback servers on reconstructions (tests/fixtures/tw_president/README.md)."""

from __future__ import annotations

import json

from store import documents as doc_store
from tests.declared import (
    crawl,
    feed_reply,
    fixture,
    make_spider,
    page_reply,
    read_article,
    read_listing,
    serve_sites,
)
from tests.loopback import Reply

SOURCE = "tw_president"
PAGES = {"40403": "news_40403.html", "40398": "news_40398.html", "40390": "news_40390.html"}


def zh_requests(spider, feed: str = "rssnews_zh.xml"):
    requests, docs, _ = read_listing(spider, "zh-Hant", fixture(SOURCE, feed))
    assert docs == []  # the zh feed carries summaries only: every body is on the page
    return requests


def test_zh_feed_items_are_read_from_their_pages_on_the_configured_origin():
    spider = make_spider(SOURCE, source={"base_url": "http://127.0.0.1:9"})
    requests = zh_requests(spider)
    # /NEWS/ and /News/ are both items, a relative link is resolved, /Page/36 is not an item
    assert [r.url for r in requests] == ["http://127.0.0.1:9/NEWS/40403",
                                         "http://127.0.0.1:9/NEWS/40398",
                                         "http://127.0.0.1:9/News/40390"]
    assert [r.cb_kwargs["entry"].external_id for r in requests] == ["40403", "40398", "40390"]
    assert spider.problems == []


def test_a_zh_page_gives_its_title_roc_date_body_and_english_edition():
    spider = make_spider(SOURCE)
    first = zh_requests(spider)[0]
    [doc] = read_article(spider, first, fixture(SOURCE, PAGES["40403"]),
                         content_type="text/html")  # no charset, as the site sends it
    assert doc["id"] == "tw_president:40403:zh-Hant"
    assert doc["lang"] == "zh-Hant"
    assert doc["title"] == "總統接見美國聯邦眾議員訪團 就半導體供應鏈交換意見"  # not og:title
    # the feed's GMT time, in Taipei (the page's 115年10月06日 agrees)
    assert doc["published"] == "2026-10-06T15:47:55+08:00"
    assert doc["date_precision"] == "datetime"
    assert doc["timezone"] == "Asia/Taipei"
    assert doc["text"].startswith("本段為 chipwatch 測試用的中性填充文字")
    assert "總統也感謝訪團長期支持臺美經貿關係。" in doc["text"]  # text outside <p> kept
    for furniture in ("照片說明", "相關新聞", "English", "2017"):
        assert furniture not in doc["text"]
    assert doc["summary"].startswith("總統今日接見訪團")
    assert doc["group_key"] == "tw_president:7160"  # the English edition's own id
    assert doc["metadata"]["other_edition"] == "https://english.president.gov.tw/News/7160"
    assert doc["metadata"]["subtitle"] == "接見美國聯邦眾議員訪團"


def test_a_gmt_midnight_record_is_a_day_and_the_page_date_is_roc():
    spider = make_spider(SOURCE)
    second = zh_requests(spider)[1]
    [doc] = read_article(spider, second, fixture(SOURCE, PAGES["40398"]))
    assert (doc["published"], doc["date_precision"]) == ("2026-10-05", "day")
    assert "page_date" not in doc["metadata"]


def test_english_feed_items_carry_their_body_and_are_the_story_the_zh_page_names():
    spider = make_spider(SOURCE)
    requests, docs, _ = read_listing(spider, "en", fixture(SOURCE, "rssnews_en.xml"))
    assert requests == []
    assert [(d["id"], d["group_key"]) for d in docs] == [
        ("tw_president:7160", "tw_president:7160"), ("tw_president:7158", "tw_president:7158")]
    assert docs[0]["url"] == "https://english.president.gov.tw/News/7160"
    assert docs[0]["text"].split("\n\n")[1].startswith("The President and the delegation")


def test_an_undated_item_whose_page_has_no_date_is_a_problem_not_a_document():
    spider = make_spider(SOURCE)
    [request] = zh_requests(spider, "rssnews_undated.xml")
    assert read_article(spider, request, fixture(SOURCE, "news_undated.html")) == []
    [problem] = spider.problems
    assert problem == ("tw_president: article https://www.president.gov.tw/NEWS/40410 has no "
                       "publication date: the page layout may have changed")


def test_a_page_sent_as_latin1_is_read_as_the_utf8_it_is():
    # The site sends text/html without a charset; a proxy that adds the wrong one must not
    # garble the text: the declaration's charset wins.
    spider = make_spider(SOURCE)
    first = zh_requests(spider)[0]
    [doc] = read_article(spider, first, fixture(SOURCE, PAGES["40403"]),
                         content_type="text/html; charset=ISO-8859-1")
    assert doc["title"].startswith("總統接見")


def routes() -> tuple[dict, dict]:
    zh = {"/RSSNEWS.aspx": feed_reply(SOURCE, "rssnews_zh.xml", "text/xml")}
    zh.update({f"/NEWS/{n}": page_reply(SOURCE, name, "text/html")
               for n, name in PAGES.items()})
    zh["/News/40390"] = zh.pop("/NEWS/40390")
    en = {"/RSSNEWS.aspx": feed_reply(SOURCE, "rssnews_en.xml", "text/xml")}
    return zh, en


def test_whole_crawl_stores_both_editions_linked_then_reads_only_the_feeds(tmp_path):
    zh, en = routes()
    with serve_sites({"base_url": zh, "base_url_en": en}) as servers:
        config, db, first = crawl(tmp_path, SOURCE, servers)
        assert first.status == "ok", first.errors
        assert (first.new, first.errors) == (5, [])
        ids = sorted(doc_store.known_documents(db, SOURCE))
        assert ids == ["tw_president:40390:zh-Hant", "tw_president:40398:zh-Hant",
                       "tw_president:40403:zh-Hant", "tw_president:7158", "tw_president:7160"]
        story = {d["id"] for d in db.query("select id from documents where group_key = ?",
                                           ["tw_president:7160"])}
        assert story == {"tw_president:40403:zh-Hant", "tw_president:7160"}
        stored = doc_store.get_document(db, "tw_president:40403:zh-Hant")
        assert json.loads(stored["categories"])  # semiconductors, tariffs: tagged
        for server in servers.values():
            server.reset_log()
        second = crawl(tmp_path, SOURCE, servers)[2]
        assert second.status == "ok", second.errors
        assert (second.new, second.changed) == (0, 0)
        fetched = [h.path for s in servers.values() for h in s.hits if h.path != "/robots.txt"]
        assert fetched == ["/RSSNEWS.aspx", "/RSSNEWS.aspx"]
        db.close()


def test_a_blocked_english_feed_fails_the_run_and_keeps_the_chinese_edition(tmp_path):
    zh, en = routes()
    en["/RSSNEWS.aspx"] = Reply(403, fixture("tsmc", "cloudflare_challenge.html"),
                                headers={"cf-mitigated": "challenge"})
    with serve_sites({"base_url": zh, "base_url_en": en}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "failed"
        assert outcome.new == 3
        [error] = outcome.errors
        assert "/RSSNEWS.aspx: HTTP 403 Forbidden" in error and "blocked" in error
        db.close()
