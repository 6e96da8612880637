"""The White House (white_house): the presidential-actions feed whose content:encoded is the
full text inside site furniture, categories as the kind of action, a post re-published under
a new address joining its first as one story, ?paged=N pages, and a whole crawl."""

from __future__ import annotations

from tests.declared import crawl, feed_reply, fixture, make_spider, read_listing, serve_sites
from tracker.classify import build_classifier

SOURCE = "white_house"
FEED = "/presidential-actions/feed/"


def test_full_text_without_the_furniture_and_the_kind_of_action():
    spider = make_spider(SOURCE)
    requests, docs, pages = read_listing(spider, "en",
                                         fixture(SOURCE, "presidential_actions_feed.xml"))
    assert requests == []  # the feed carries every body
    assert len(docs) == 3
    proclamation = docs[1]
    assert proclamation["url"] == ("https://www.whitehouse.gov/presidential-actions/2026/06/"
                                   "adjusting-imports-of-semiconductors-into-the-united-states")
    assert proclamation["doc_type"] == "Proclamations"
    assert proclamation["text"].startswith("By the President of the United States of America")
    for furniture in ("Presidential Actions\n", "appeared first on", "Download",
                      "proclamation-99010"):
        assert furniture not in proclamation["text"]
    # pubDate is UTC; the document keeps New York time
    assert proclamation["published"] == "2026-06-25T19:00:00-04:00"
    assert docs[2]["title"] == "Protecting America’s Technology Supply Chains"
    assert docs[2]["doc_type"] == "Executive Orders"
    assert "export_control" in build_classifier().classify(docs[2]).labels
    assert "tariff" in build_classifier().classify(proclamation).labels
    # re-published with the signed PDF: a new address, the same story
    assert docs[0]["id"] != proclamation["id"]
    assert docs[0]["group_key"] == proclamation["group_key"] == (
        "white_house:2026-06-25:adjusting-imports-of-semiconductors-into-the-united-states")
    assert [p.url for p in pages] == [f"https://www.whitehouse.gov{FEED}?paged=2"]


def test_whole_crawl_reads_the_second_page_while_it_brings_news(tmp_path):
    routes = {FEED: feed_reply(SOURCE, "presidential_actions_feed.xml"),
              f"{FEED}?paged=2": feed_reply(SOURCE, "presidential_actions_feed_paged_2.xml")}
    with serve_sites({"base_url": routes}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 4
        kinds = {r["doc_type"] for r in db.query("select doc_type from documents")}
        assert kinds == {"Proclamations", "Executive Orders", "Nominations & Appointments"}
        db.close()
