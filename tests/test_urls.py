"""URL identity: one spelling per page, whatever the link's percent-encoding, host alias or
tracking parameters; and so one stored document."""

from __future__ import annotations

import pytest

from crawler.items import make_document
from crawler.urls import canonical_url, same_origin_path
from store import documents as doc_store
from store import open_db

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
