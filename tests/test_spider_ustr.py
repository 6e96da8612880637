"""USTR (ustr): rss.xml with Drupal's "NNN at https://ustr.gov" guids as ids, only the press
office's pages, bodies read from the page (a real release, US government text, and a
reconstruction without a date of its own), and a whole crawl."""

from __future__ import annotations

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
from tracker.classify import build_classifier

SOURCE = "ustr"
PRESS = "/about-us/policy-offices/press-office/press-releases"
REAL = (f"{PRESS}/2024/december/ustr-initiates-section-301-investigation-chinas-acts-policies-"
        "and-practices-related-targeting")
RECONSTRUCTED = f"{PRESS}/2026/september/ustr-statement-trade-talks-taiwan-reconstructed"


def test_press_releases_keyed_by_node_id_and_read_from_their_pages():
    spider = make_spider(SOURCE, since="2024-01-01")
    requests, docs, _ = read_listing(spider, "en", fixture(SOURCE, "rss.xml"))
    assert docs == []
    assert [r.cb_kwargs["entry"].external_id for r in requests] == ["20931", "19876"]
    assert [r.url for r in requests] == [f"https://ustr.gov{RECONSTRUCTED}",
                                         f"https://ustr.gov{REAL}"]  # the topic page is left out
    [real] = read_article(spider, requests[1], fixture(SOURCE,
                                                       "press_release_section_301_2024.html"))
    assert real["id"] == "ustr:19876"
    assert real["title"].startswith("USTR Initiates Section 301 Investigation on China's Acts")
    assert (real["published"], real["timezone"]) == ("2024-12-23T10:00:00-05:00",
                                                     "America/New_York")
    assert real["text"].startswith("WASHINGTON – United States Trade Representative")
    assert build_classifier().classify(real).labels == ["tariff"]
    [undated_page] = read_article(spider, requests[0], fixture(
        SOURCE, "press_release_reconstructed_2026.html"))
    assert undated_page["published"] == "2026-09-18T14:30:00-04:00"  # the feed's date


def test_whole_crawl(tmp_path):
    routes = {"/rss.xml": feed_reply(SOURCE, "rss.xml"),
              REAL: page_reply(SOURCE, "press_release_section_301_2024.html"),
              RECONSTRUCTED: page_reply(SOURCE, "press_release_reconstructed_2026.html")}
    with serve_sites({"base_url": routes}) as servers:
        _, db, outcome = crawl(tmp_path, SOURCE, servers, since="2024-01-01")
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 2
        db.close()
