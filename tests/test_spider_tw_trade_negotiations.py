"""Office of Trade Negotiations (tw_trade_negotiations): an HTML listing in the Executive
Yuan's layout with ROC dates (its node is unknown, so the source is disabled by default),
its pages, and a whole crawl."""

from __future__ import annotations

from tests.declared import (
    crawl,
    fixture,
    make_spider,
    page_reply,
    read_article,
    read_listing,
    serve_sites,
)
from tracker import config as config_module

SOURCE = "tw_trade_negotiations"
LISTING = "/otn/8E7CF7585049FAB6"
ITEMS = {"/otn/8E7CF7585049FAB6/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9": "otn_0b1c2d3e.html",
         "/otn/3C2A5B02FE10DE06/1c2d3e4f-5061-4728-93a4-b5c6d7e8f90a": "otn_1c2d3e4f.html"}


def test_disabled_by_default_because_its_listing_node_is_unknown():
    assert config_module.defaults().source(SOURCE).enabled is False


def test_listing_items_on_any_node_with_roc_dates_and_the_since_limit():
    spider = make_spider(SOURCE, since="2026-09-01")
    requests, _, _ = read_listing(spider, "zh-Hant", fixture(SOURCE, "otn_listing.html"),
                                  content_type="text/html; charset=utf-8")
    # 115-08-20 is 2026-08-20, before `since`: left out; the nav link is no item
    [request] = requests
    entry = request.cb_kwargs["entry"]
    assert (entry.title, entry.published.isoformat()) == ("經貿辦說明臺美關稅協商進展",
                                                          "2026-09-12")
    [doc] = read_article(spider, request, fixture(SOURCE, "otn_0b1c2d3e.html"))
    assert doc["id"] == "tw_trade_negotiations:0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9:zh-Hant"
    assert (doc["published"], doc["date_precision"]) == ("2026-09-12", "day")
    assert "tariff" in build().classify(doc).labels


def build():
    from tracker.classify import build_classifier
    return build_classifier()


def test_whole_crawl_when_enabled(tmp_path):
    routes = {LISTING: page_reply(SOURCE, "otn_listing.html")}
    routes.update({path: page_reply(SOURCE, name) for path, name in ITEMS.items()})
    with serve_sites({"base_url": routes}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 2
        db.close()
