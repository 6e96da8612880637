"""URL identity: one spelling per page, whatever the link's percent-encoding, host alias or
tracking parameters; and so one stored document."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.items import make_document
from crawler.listing import Entry
from crawler.spiders.commerce import CommerceSpider
from crawler.urls import canonical_url, same_origin_path
from store import documents as doc_store
from store import open_db
from tests.conftest import FIXTURES, write_config
from tests.loopback import LoopbackServer, Reply
from tracker.config import load
from tracker.cycle import crawl_source

# One TrendForce path written three ways: lower-case escapes, upper-case escapes, raw.
SPELLINGS = (
    "https://www.trendforce.com/presscenter/news/%e5%8d%8a%e5%b0%8e%e9%ab%94",
    "https://www.trendforce.com/presscenter/news/%E5%8D%8A%E5%B0%8E%E9%AB%94",
    "https://www.trendforce.com/presscenter/news/半導體",
)
CANONICAL = "https://www.trendforce.com/presscenter/news/%E5%8D%8A%E5%B0%8E%E9%AB%94"


@pytest.mark.parametrize("url", SPELLINGS)
def test_every_percent_encoding_of_a_path_is_one_spelling(url):
    assert canonical_url(url) == CANONICAL


@pytest.mark.parametrize("url, canonical", [
    # Host aliases, https and no port for the sites chipwatch knows.
    ("http://media.bis.gov/press-release/x", "https://www.bis.gov/press-release/x"),
    ("https://bis.gov:443/press-release/x/", "https://www.bis.gov/press-release/x"),
    ("http://COMMERCE.gov/news/press-releases/2024/12/x", "https://www.commerce.gov/news/press-releases/2024/12/x"),
    ("http://pr.tsmc.com:8443/english/news/3343", "https://pr.tsmc.com/english/news/3343"),
    # Trailing and repeated slashes; the root keeps its slash.
    ("https://www.trendforce.com//presscenter///news/", "https://www.trendforce.com/presscenter/news"),
    ("https://www.trendforce.com", "https://www.trendforce.com/"),
    # Query arguments sorted, tracking parameters dropped, fragment dropped.
    ("https://www.commerce.gov/news?b=2&utm_source=x&a=1&fbclid=y#top",
     "https://www.commerce.gov/news?a=1&b=2"),
    ("https://www.commerce.gov/news?UTM_Medium=mail&page=3", "https://www.commerce.gov/news?page=3"),
    ("https://www.commerce.gov/news?q=chip%20act&q2=chip+act", "https://www.commerce.gov/news?q=chip+act&q2=chip+act"),
    # Escapes of unreserved characters are decoded; an escaped slash stays one.
    ("https://www.bis.gov/press-release/%41bc%2Fd", "https://www.bis.gov/press-release/Abc%2Fd"),
    # Other hosts (a mirror, a test server) keep scheme and port; default ports go.
    ("http://127.0.0.1:8080/press-release/x/", "http://127.0.0.1:8080/press-release/x"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("https://Example.org:443/a?ref=feed", "https://example.org/a"),
])
def test_canonical_forms(url, canonical):
    assert canonical_url(url) == canonical


def test_canonical_url_is_idempotent():
    for url in SPELLINGS + ("http://media.bis.gov/node/8102/?utm_campaign=x",):
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_same_origin_path_moves_a_link_onto_the_configured_origin():
    assert same_origin_path("https://www.trendforce.com/presscenter/news?page=2",
                            "http://127.0.0.1:9/") == "http://127.0.0.1:9/presscenter/news?page=2"


def test_three_spellings_upserted_into_a_sqlite_file_are_one_document(tmp_path):
    db = open_db(tmp_path / "chipwatch.db")
    try:
        docs = [make_document(source="commerce", external_id=canonical_url(url), lang="en",
                              url=canonical_url(url), title="One release", published="2026-08-01",
                              text="The same release, linked three ways.")
                for url in SPELLINGS]
        counts = doc_store.upsert_documents(db, docs)
        assert (counts.seen, counts.new, counts.changed) == (3, 1, 0)
        assert doc_store.count_documents(db, "commerce") == 1
        [stored] = doc_store.known_documents(db, "commerce").values()
        assert stored["url"] == CANONICAL
    finally:
        db.close()


# -- through a spider and a whole crawl --------------------------------------------------------

SLUG = "/news/press-releases/2024/12/chips-%E6%99%B6%E7%89%87-controls"
LINKS = ("/news/press-releases/2024/12/chips-%e6%99%b6%e7%89%87-controls", SLUG,
         "/news/press-releases/2024/12/chips-晶片-controls")
# The title and day of the article page served for it (a US government release).
TITLE = ("Commerce Strengthens Export Controls to Restrict China’s Capability to Produce "
         "Advanced Semiconductors for Military Applications")
LISTING = "/news/press-releases"


def listing_page() -> bytes:
    """A Commerce listing (the card markup of tests/fixtures/commerce/) whose three cards
    link one release, each with another percent-encoding of its path."""
    cards = "".join(
        f'<div class="views-row"><article class="node node--type-news">'
        f'<div class="field field--name-field-news-type">Press Release</div>'
        f'<h2 class="node__title"><a href="{href}">{TITLE}</a></h2>'
        f'<div class="field field--name-field-release-datetime">'
        f'<time datetime="2024-12-02T15:00:00Z">December 2, 2024</time></div></article></div>'
        for href in LINKS)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Press Releases</title>'
            f'</head><body><main><div class="view-content">{cards}</div></main></body>'
            f'</html>').encode()


def article_page() -> bytes:
    return (FIXTURES / "commerce" / "article-sme-controls-2024-12.html").read_bytes()


def test_links_in_three_encodings_are_one_listing_item():
    assert LINKS[0] != LINKS[1] and "%e6%99%b6" in LINKS[0]
    spider = CommerceSpider.from_crawler(get_crawler(CommerceSpider),
                                         spec={"source": {}, "since": "2024-01-01"})
    url = "https://www.commerce.gov" + LISTING
    page = HtmlResponse(url=url, body=listing_page(), encoding="utf-8", request=Request(url))
    [entry] = spider.entries(page, spider.listings()[0])
    assert entry.url == "https://www.commerce.gov" + SLUG
    assert len(entry.anchors) == 3 and entry.published.isoformat() == "2024-12-02"
    requests = [r for r in spider.parse_listing(page, spider.listings()[0])
                if "entry" in r.cb_kwargs]
    assert len(requests) == 1


@pytest.mark.parametrize("spelling", LINKS)
def test_an_article_reached_by_any_spelling_is_the_same_document(spelling):
    spider = CommerceSpider.from_crawler(get_crawler(CommerceSpider), spec={"source": {}})
    url = "https://www.commerce.gov" + spelling
    page = HtmlResponse(url=url, body=article_page(), encoding="utf-8", request=Request(url))
    [doc] = spider.parse_article(page, Entry(url=canonical_url(url)))
    assert doc["id"] == f"commerce:https://www.commerce.gov{SLUG}"


def test_a_crawl_of_three_spellings_stores_one_document_and_fetches_it_once(tmp_path):
    routes = {LISTING: Reply(200, listing_page())}
    routes.update({path: Reply(200, article_page()) for path in
                   (LINKS[0], LINKS[1], quote(LINKS[2], safe="/%"))})
    with LoopbackServer(routes) as server:
        config = load(write_config(tmp_path, {"commerce": server.url}))
        db = open_db(tmp_path / "chipwatch.db")
        try:
            first = crawl_source(config, db, "commerce", since="2024-01-01")
            assert first.status == "ok", first.errors
            assert (first.seen, first.new) == (1, 1)
            assert len(server.requests_for("/news/press-releases/2024/")) == 1
            [stored] = doc_store.known_documents(db, "commerce").values()
            assert stored["url"] == server.url + SLUG

            server.reset_log()
            second = crawl_source(config, db, "commerce")
            assert second.status == "ok", second.errors
            assert server.requests_for("/news/press-releases/2024/") == []
            assert doc_store.count_documents(db, "commerce") == 1
        finally:
            db.close()
