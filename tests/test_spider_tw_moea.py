"""Ministry of Economic Affairs (tw_moea): the gov.tw feed profile (news_id in the link's
query, a path whose case varies, deleted items, attachments), contact blocks cut, the page
read for an item without a body, and a whole crawl."""

from __future__ import annotations

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

SOURCE = "tw_moea"
ZH_FEED = "/Mns/populace/news/NewsRSSdetail.aspx?Kind=1"
EN_FEED = "/Mns/english/news/NewsRSSdetail.aspx?Kind=6"


def test_the_id_is_news_id_in_the_query_and_deleted_items_are_skipped():
    spider = make_spider(SOURCE)
    requests, docs, _ = read_listing(spider, "zh-Hant", fixture(SOURCE, "news_rss_zh.xml"))
    [doc] = docs
    assert doc["id"] == "tw_moea:123456:zh-Hant"
    assert doc["url"] == ("https://www.moea.gov.tw/Mns/populace/news/News.aspx?kind=1&menu_id=40"
                          "&news_id=123456")
    assert doc["published"] == "2026-09-15T14:15:00+08:00"
    assert doc["metadata"]["files"] == [
        "https://www.moea.gov.tw/Mns/populace/news/wHandNews_File.ashx?file_id=90001"]
    # the contact block (names, mobile numbers) is cut
    assert doc["text"].endswith("經濟部也將協助半導體業者評估赴美投資設廠的相關規劃。")
    assert "0900" not in doc["text"] and "聯絡" not in doc["text"]
    assert {"tariff", "investment_pressure"} <= set(classify(doc))
    # the item without a description waits for its page (/MNS/ in capitals is the same site)
    [request] = requests
    assert request.cb_kwargs["entry"].external_id == "123450"
    [page_doc] = read_article(spider, request, fixture(SOURCE, "news_123450.html"))
    assert page_doc["text"] == ("本則為 RSS 未附內文的重建項目，內文由網頁讀取。\n\n"
                                "以下為中性填充文字，與實際新聞無關。")
    assert (page_doc["published"], page_doc["date_precision"]) == ("2026-09-14", "day")
    assert spider.problems == []


def test_english_news_in_the_same_profile():
    spider = make_spider(SOURCE)
    _, [doc], _ = read_listing(spider, "en", fixture(SOURCE, "news_rss_en.xml"))
    assert doc["id"] == "tw_moea:124001"
    assert "Contact person" not in doc["text"]
    assert "tariff" in classify(doc)


def classify(doc: dict) -> list[str]:
    from tracker.classify import build_classifier
    return build_classifier().classify(doc).labels


def test_whole_crawl_with_a_feed_sent_as_text_xml_without_charset(tmp_path):
    routes = {ZH_FEED: feed_reply(SOURCE, "news_rss_zh.xml", "text/xml"),
              EN_FEED: feed_reply(SOURCE, "news_rss_en.xml", "text/xml"),
              "/MNS/populace/news/News.aspx?kind=1&menu_id=40&news_id=123450":
                  page_reply(SOURCE, "news_123450.html")}
    with serve_sites({"base_url": routes}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 3
        stored = doc_store.get_document(db, "tw_moea:123456:zh-Hant")
        assert stored["title"] == "經濟部說明美方半導體232條款調查最新進展"
        db.close()
