"""What the press-release spiders share: read a listing page, decide which articles to fetch,
and decide whether to read the next page.

A routine crawl stops paging at a page with nothing to fetch (every item already stored and
unchanged, or older than `since`) or at `max_pages`; it never requests an article whose URL is
stored unless the listing shows a different title or date. A backfill pages back until a page
holds only items older than `since` (no page cap unless one is given). A listing that yields
no item at all is a problem, never "no news".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import scrapy

from crawler.listing import stop_paging, triage
from crawler.spiders.base import ChipwatchSpider


@dataclass
class Entry:
    """One item of a listing page, as the listing shows it."""
    url: str  # canonical URL: the document's identity
    fetch_url: str  # where to request it (on the configured base URL)
    title: str = ""
    published: date | None = None
    doc_type: str = ""
    tags: list[str] = field(default_factory=list)
    teaser: str = ""
    follow: bool = True  # False for an item that is not ours to fetch (an archived copy)


class ListingSpider(ChipwatchSpider):
    """Subclasses set `name`, implement `entries(response)` and `next_page(response)` and an
    article callback `parse_article(response, entry)`."""

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.pages = 0
        self.stored = {entry["url"]: entry for entry in self.known.values()}
        self.requested: set[str] = set()

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.errback)

    def parse_listing(self, response):
        if self.check_blocked(response):
            return
        self.pages += 1
        entries = self.entries(response)
        if not entries:
            self.problem(f"{self.name}: listing {response.url} matched no items: the page "
                         f"layout may have changed")
            return
        fetch = [e for e in entries if self.wanted(e)]
        dated = [e.published for e in entries if e.published]
        self.progress(f"listing page {self.pages}: {len(entries)} items, "
                      f"{len(fetch)} to fetch"
                      + (f", {min(dated).isoformat()} to {max(dated).isoformat()}" if dated else ""))
        for entry in fetch:
            self.requested.add(entry.url)
            yield scrapy.Request(entry.fetch_url, callback=self.parse_article,
                                 errback=self.errback, cb_kwargs={"entry": entry})
        next_url = self.next_page(response)
        if next_url and self.keep_paging(entries, fetch):
            yield self.listing_request(next_url)

    def wanted(self, entry: Entry) -> bool:
        """Fetch an article unless it is stored and unchanged, or older than `since`."""
        if not entry.follow or entry.url in self.requested:
            return False
        return triage(self.stored.get(entry.url), entry.title, entry.published,
                      self.since) == "fetch"

    def keep_paging(self, entries: list[Entry], fetch: list[Entry]) -> bool:
        dated = [e.published for e in entries if e.published]
        return not stop_paging(mode=self.mode, pages=self.pages, max_pages=self.max_pages,
                               since=self.since, oldest=min(dated) if dated else None,
                               fetched=len(fetch))

    # -- to be provided by each source ------------------------------------------------------

    def entries(self, response) -> list[Entry]:
        raise NotImplementedError

    def next_page(self, response) -> str | None:
        raise NotImplementedError

    def parse_article(self, response, entry: Entry):
        raise NotImplementedError
