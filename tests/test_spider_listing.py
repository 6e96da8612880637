"""The listing loop every HTML spider shares (crawler/spiders/base.py, crawler/listing.py),
driven by a spider that only states its listing, item pattern, fields and article parser,
on small pages written for these tests (markup in the style of tests/fixtures/)."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.items import DocumentError, make_document
from crawler.listing import Entry, ItemFields, Listing, find_entries, same_title
from crawler.pagetext import article_text
from crawler.spiders.base import ListingSpider

ORIGIN = "http://127.0.0.1:8123"


class NoticeSpider(ListingSpider):
    """A whole HTML source in a few lines. It reads a made-up site under the name of a
    registered US source (bis), so its dates are read in America/New_York."""
    name = "bis"
    item_path = re.compile(r"^/notices/(?P<id>n-\d+)$")
    item_hints = ("div.notice > h3 > a[href]",)
    loose_item_path = re.compile(r"^/n/(?P<id>n-\d+)$")
    fields = ItemFields(title="h3", date="time", summary="p.teaser", tags="a.tag")

    def listing_path(self, lang: str, section: str) -> str:
        return "/notices"

    def article(self, response, entry: Entry) -> dict:
        title = " ".join(response.css("h1::text").getall())
        if not entry.published:
            raise DocumentError(f"{self.name}: {response.url} has no date")
        return make_document(source=self.name, external_id=entry.identity, lang=entry.lang,
                             url=entry.url, title=title, published=entry.published,
                             text=article_text(response.css("article")[0], skip=(title,)))


def notice(number: int, day: str, title: str = "", href: str = "") -> str:
    return (f'<div class="notice"><h3><a href="{href or f"/notices/n-{number}"}">'
            f'{title or f"Notice {number}"}</a></h3><time datetime="{day}">{day}</time>'
            f'<p class="teaser">Teaser {number}.</p><a class="tag" href="/t/x">Export</a></div>')


def page(*items: str, next_href: str | None = "/notices?page=2", url: str = "/notices",
         body: bytes | None = None) -> HtmlResponse:
    pager = f'<a rel="next" href="{next_href}">Next</a>' if next_href else ""
    html = (f"<html><head><title>Notices</title></head><body><main>{''.join(items)}</main>"
            f"<nav>{pager}</nav></body></html>").encode()
    return HtmlResponse(url=ORIGIN + url, body=html if body is None else body,
                        encoding="utf-8", request=Request(ORIGIN + url))


def make_spider(**spec) -> NoticeSpider:
    spec = {"source": {"base_url": ORIGIN}, "since": "2026-01-01", **spec}
    return NoticeSpider.from_crawler(get_crawler(NoticeSpider), spec=spec)


def run_listing(spider, response, page_number: int = 1):
    listing = Listing(url=ORIGIN + "/notices", page=page_number)
    results = list(spider.parse_listing(response, listing))
    articles = [r.cb_kwargs["entry"] for r in results if "entry" in r.cb_kwargs]
    pages = [r.url for r in results if "listing" in r.cb_kwargs]
    return articles, pages


THREE = (notice(3, "2026-03-02T15:00:00Z"), notice(2, "2026-02-20"), notice(1, "2026-02-01"))


def test_a_stated_source_gets_listings_items_fields_and_requests(caplog):
    spider = make_spider()
    assert spider.listings() == [Listing(url=ORIGIN + "/notices", lang="en")]
    # A hero item repeated above the list, spelled once with a query, and a link elsewhere.
    hero = notice(3, "2026-03-02T15:00:00Z", href="/notices/n-3?from=hero")
    elsewhere = notice(9, "2026-03-01", href="https://example.org/notices/n-9")
    with caplog.at_level(logging.INFO):
        articles, pages = run_listing(spider, page(hero, *THREE, elsewhere))
    assert [a.external_id for a in articles] == ["n-3", "n-2", "n-1"]
    first = articles[0]
    assert first.url == first.fetch_url == ORIGIN + "/notices/n-3"
    assert (first.title, first.summary, first.tags) == ("Notice 3", "Teaser 3.", ["Export"])
    assert first.published == date(2026, 3, 2)  # 15:00 UTC is 10:00 in Washington
    assert first.contexts == [] and first.anchors == []  # the listing page is not kept
    assert pages == [ORIGIN + "/notices?page=2"]
    assert ("listing page 1: 4 items, 3 to fetch, 1 on other sites, 2026-02-01 to 2026-03-02"
            in caplog.text)


def test_items_found_by_class_hints_when_the_url_pattern_finds_none():
    restyled = ('<div class="notice"><h3><a href="/n/n-7">Seven</a></h3>'
                '<time datetime="2026-02-07">7 Feb</time></div>'
                '<div class="other"><a href="/n/n-8">not an item</a></div>')
    articles, _ = run_listing(make_spider(), page(restyled))
    assert [(a.external_id, a.title, a.published) for a in articles] == [
        ("n-7", "Seven", date(2026, 2, 7))]


def test_routine_paging_stops_at_a_page_of_stored_and_unchanged_items():
    known = {f"bis:n-{n}": {"url": f"{ORIGIN}/notices/n-{n}", "title": f"Notice {n}",
                            "published": day}
             for n, day in ((3, "2026-03-02"), (2, "2026-02-20"), (1, "2026-02-01"))}
    assert run_listing(make_spider(known=known), page(*THREE)) == ([], [])
    # A changed title is fetched again, and the crawl pages on.
    known["bis:n-2"]["title"] = "An earlier wording"
    articles, pages = run_listing(make_spider(known=known), page(*THREE))
    assert [a.external_id for a in articles] == ["n-2"] and pages
    # A backfill does not stop at stored items.
    assert run_listing(make_spider(known=known, mode="backfill"), page(*THREE))[1]


def test_since_and_max_pages_stop_paging():
    articles, pages = run_listing(make_spider(since="2026-02-15"), page(*THREE))
    assert [a.external_id for a in articles] == ["n-3", "n-2"] and pages == []
    assert run_listing(make_spider(max_pages=2), page(*THREE), page_number=2)[1] == []
    assert run_listing(make_spider(), page(*THREE, next_href=None))[1] == []


def test_a_next_page_that_repeats_the_items_already_read_ends_paging():
    spider = make_spider(mode="backfill")
    assert run_listing(spider, page(*THREE))[1] == [ORIGIN + "/notices?page=2"]
    assert run_listing(spider, page(*THREE, url="/notices?page=2"), page_number=2) == ([], [])
    assert spider.problems == []


@pytest.mark.parametrize("response, words", [
    (page("<p>No notices in this layout</p>"), "listing http://127.0.0.1:8123/notices matched "
                                                "no items: the page layout may have changed"),
    (page(body=b""), "answered with an empty page (HTTP 200, no content)"),
    (page(body=b"<html><head><title>Just a moment...</title></head><body></body></html>"),
     "the site answered with a bot challenge"),
    (page(body=b"<html><body><main><div class='notice'><h3><a href='/notices/n-1'>"),
     "the page arrived cut short"),
])
def test_a_listing_that_cannot_be_read_is_a_problem_and_no_request(response, words):
    spider = make_spider()
    assert run_listing(spider, response) == ([], [])
    [problem] = spider.problems
    assert problem.startswith("bis: ") and words in problem


def test_articles_become_documents_and_their_problems_are_recorded():
    spider = make_spider()
    url = ORIGIN + "/notices/n-3"
    body = b"<html><body><article><h1>Notice 3</h1><p>Body text.</p></article></body></html>"
    response = HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))
    entry = Entry(url=url, external_id="n-3", published=date(2026, 3, 2))
    [doc] = spider.parse_article(response, entry)
    assert (doc["id"], doc["title"], doc["text"]) == ("bis:n-3", "Notice 3", "Body text.")
    assert list(spider.parse_article(response, Entry(url=url, external_id="n-3"))) == []
    assert spider.problems == [f"bis: {url} has no date"]


def test_find_entries_ignores_links_that_are_not_web_pages():
    response = page('<a href="mailto:a@b.c">mail</a><a href="javascript:void(0)">js</a>'
                    '<a href="ftp://127.0.0.1/notices/n-5">ftp</a>' + notice(4, "2026-02-04"))
    assert [e.url for e in find_entries(response, NoticeSpider.item_path)] == [
        ORIGIN + "/notices/n-4"]


@pytest.mark.parametrize("listed, stored, same", [
    ("Commerce’s  Rule", "commerce's rule", True),
    ("A long title cut…", "A long title cut short in the listing", True),
    ("A long title cut...", "Another title", False),
    ("New wording", "Old wording", False),
])
def test_same_title(listed, stored, same):
    assert same_title(listed, stored) is same
