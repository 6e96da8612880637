"""Department of Investment Review (tw_investment_review): the gov.tw profile as the site's
own source writes it (deleted items with empty title and link, 16:00 GMT for a day, plain
http links, id in the query), the table#newsOne page, and a whole crawl. Disabled by default:
the site is reported unreachable from scripts."""

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
from tracker import config as config_module
from tracker.classify import build_classifier

SOURCE = "tw_investment_review"


def test_disabled_by_default():
    assert config_module.defaults().source(SOURCE).enabled is False


def test_an_approval_of_tsmc_capital_for_arizona_is_investment_pressure():
    spider = make_spider(SOURCE)
    requests, [doc], _ = read_listing(spider, "zh-Hant", fixture(SOURCE, "rss_news_zh_tw.xml"))
    assert doc["id"] == "tw_investment_review:1001:zh-Hant"
    # plain http in the feed, https in the canonical address; the query's order is fixed
    assert doc["url"] == ("https://www.moeaic.gov.tw/news.view?do=data&id=1001&lang=ch"
                          "&type=new_ann")
    # 16:00 GMT the day before: a record kept as a day
    assert (doc["published"], doc["date_precision"]) == ("2026-09-17", "day")
    assert doc["metadata"]["news_id"] == "Nch1001"
    result = build_classifier().classify(doc)
    assert "investment_pressure" in result.labels
    [request] = requests  # the deleted item (IsDeleteNews=Y, no title, no link) is no item
    [page_doc] = read_article(spider, request, fixture(SOURCE, "news_998.html"))
    assert page_doc["title"] == "投審司重建測試項目（內文未附）"
    assert page_doc["text"].startswith("本則為 RSS 未附內文的重建項目")
    assert "附件" not in page_doc["text"]


def test_whole_crawl_in_both_languages(tmp_path):
    routes = {"/rss-news-zh-tw.xml": feed_reply(SOURCE, "rss_news_zh_tw.xml", "text/xml"),
              "/rss-news-en-us.xml": feed_reply(SOURCE, "rss_news_en_us.xml", "text/xml"),
              "/news.view?do=data&id=998&lang=ch&type=new_ann": page_reply(SOURCE,
                                                                          "news_998.html")}
    with serve_sites({"base_url": routes}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 3
        english = doc_store.get_document(db, "tw_investment_review:2001")
        assert "investment_pressure" in json.loads(english["categories"])
        db.close()
