"""International Trade Administration (tw_trade_administration): RSS whose item fields are
not documented, read as standard RSS 2.0 (pid in the query, nodeID in any case), the
description as the body, no page read; and a whole crawl."""

from __future__ import annotations

from tests.declared import crawl, feed_reply, fixture, make_spider, read_listing, serve_sites
from tracker.classify import build_classifier

SOURCE = "tw_trade_administration"


def test_items_keyed_by_pid_whatever_the_case_of_the_query():
    spider = make_spider(SOURCE)
    requests, docs, _ = read_listing(spider, "zh-Hant", fixture(SOURCE, "rss_list_40.xml"))
    assert requests == []  # no page is read: its layout is not known
    assert [d["id"] for d in docs] == ["tw_trade_administration:812345:zh-Hant",
                                       "tw_trade_administration:812300:zh-Hant"]
    assert "export_control" in build_classifier().classify(docs[0]).labels


def test_english_entity_list_notice_is_an_export_control():
    _, [doc], _ = read_listing(make_spider(SOURCE), "en", fixture(SOURCE, "rss_list_90_en.xml"))
    assert doc["id"] == "tw_trade_administration:990001"
    assert "export_control" in build_classifier().classify(doc).labels


def test_whole_crawl(tmp_path):
    routes = {"/RSS/List.aspx?nodeID=40": feed_reply(SOURCE, "rss_list_40.xml"),
              "/English/RSS/List.aspx?nodeID=90": feed_reply(SOURCE, "rss_list_90_en.xml")}
    with serve_sites({"base_url": routes}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 3
        db.close()
