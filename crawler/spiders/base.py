"""What every chipwatch spider shares (`ChipwatchSpider`: its crawl spec, readable
problems), and the one listing loop of the HTML sources (`ListingSpider`).

Spiders only parse. They yield documents and requests and record problems; they never open
the database. What the store already knows arrives in the spec (`known`, `since`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals

from crawler.faults import describe_failure, short_url, unreadable
from crawler.items import DocumentError, document_id
from crawler.listing import (
    Entry,
    ItemFields,
    Listing,
    find_entries,
    merge_entries,
    next_page_link,
    read_fields,
    stop_paging,
    triage,
)
from crawler.options import load_options
from crawler.urls import canonical_url, same_origin_path
from vocab.sources import get_source

PROBLEMS_STAT = "chipwatch/problems"


class ChipwatchSpider(scrapy.Spider):
    """Base class. `spec` is the crawl specification written by the tracker:
    {"source": {...options...}, "mode": "routine"|"backfill", "since": "YYYY-MM-DD"|None,
     "max_pages": int|None, "known": {id: {url, title, published}}}."""

    def __init__(self, spec: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        spec = spec or {}
        self.options = load_options(self.name, spec.get("source"))
        self.mode: str = spec.get("mode", "routine")
        self.since: str | None = spec.get("since")
        # A backfill pages back until `since` unless told otherwise.
        self.max_pages: int | None = spec.get(
            "max_pages", None if self.mode == "backfill" else self.options.max_pages)
        self.known: dict[str, dict] = spec.get("known", {})
        self.problems: list[str] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    def request_dropped(self, request, spider=None) -> None:
        """Scrapy drops a request it has already made without a word. For a link that is
        right, but a redirect that leads back to a page already requested is a loop."""
        chain = request.meta.get("redirect_urls")
        if chain:
            self.problem(f"{self.name}: {short_url(chain[0])}: the site kept redirecting (a "
                         f"redirect loop back to {short_url(request.url)}); the page was not "
                         f"fetched")

    @property
    def allowed_domains(self) -> list[str]:
        """The hosts of the configured origins, without a leading 'www.' so that a site's
        own subdomains (media.bis.gov) stay allowed. Scrapy's offsite filter
        (crawler/offsite.py) drops, and records, any request elsewhere, redirects included."""
        domains = []
        for key, url in self.options.model_dump().items():
            host = (urlsplit(url).hostname or "").lower() if key.startswith("base_url") else ""
            host = host.removeprefix("www.")
            if host and host not in domains:
                domains.append(host)
        return domains

    # -- problems --------------------------------------------------------------------------

    def problem(self, message: str) -> None:
        """Record something that makes this crawl untrustworthy (and so the source broken)."""
        self.logger.error(message)
        self.problems.append(message)
        if getattr(self, "crawler", None):
            self.crawler.stats.set_value(PROBLEMS_STAT, list(self.problems))

    def progress(self, message: str) -> None:
        self.logger.info(message)

    def errback(self, failure) -> None:
        """Turn a download failure into a sentence a person can act on."""
        self.problem(f"{self.name}: {short_url(failure.request.url)}: "
                     f"{describe_failure(failure)}")

    def check_blocked(self, response) -> bool:
        """True (and a problem recorded) when a page must not be parsed: a bot challenge,
        an empty page, or an HTML document that arrived cut short."""
        reason = unreadable(response)
        if reason:
            self.problem(f"{self.name}: {reason}")
        return reason is not None

    def make(self, builder, *args, **kwargs):
        """Call a document builder; a DocumentError becomes a recorded problem."""
        try:
            return builder(*args, **kwargs)
        except DocumentError as exc:
            self.problem(str(exc))
            return None


class ListingSpider(ChipwatchSpider):
    """The crawl of a site that lists its articles on HTML pages.

    A source states its listings (`listing_path` for each language and section), the URL
    pattern of its items (`item_path`; a group `id` is the item's own id, a group `day` its
    YYYYMMDD date), what the listing shows of them (`fields`), optionally class hints for a
    restyled list (`item_hints`, `loose_item_path`), and its article parser (`article`).
    The loop here does the rest: items found, stored and unchanged ones skipped
    (`triage`), paging stopped at a page with nothing new (routine), past `since`
    (backfill) or at `max_pages`, progress lines, and a listing with no items recorded as
    a problem, never taken for "no news". The next page is the site's own "next" link,
    fetched on the configured origin (`next_page` states another rule). A source whose
    listing is not links on a page (embedded JSON, a feed) adds or replaces `entries`.
    """

    item_path: re.Pattern  # matched against the path of a link
    item_hints: tuple[str, ...] = ()
    loose_item_path: re.Pattern | None = None
    listing_scope = "//body"
    fields = ItemFields()
    # Language -> the option naming its origin, for sources with one site per language.
    origin_options: dict[str, str] = {}

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.source = get_source(self.name)
        self.languages: list[str] = list(getattr(self.options, "languages", None)
                                         or self.source.languages)
        self.sections: list[str] = list(getattr(self.options, "sections", None) or [""])
        self.seen: dict[str, set[str]] = {}  # listing -> items already read on it
        self.requested: set[str] = set()  # documents whose article is requested

    # -- what a source states -----------------------------------------------------------

    def listing_path(self, lang: str, section: str) -> str:
        """The path (and query) of a listing's first page on the origin of `lang`."""
        raise NotImplementedError

    def article(self, response, entry: Entry) -> dict | None:
        """The document of an article page; raise DocumentError when it lacks what a
        document needs, return None when the page is not one to keep."""
        raise NotImplementedError

    # -- where things are ----------------------------------------------------------------

    def origin(self, lang: str) -> str:
        return getattr(self.options, self.origin_options.get(lang, "base_url")).rstrip("/")

    def listings(self) -> list[Listing]:
        several = len(self.languages) * len(self.sections) > 1
        return [Listing(url=self.origin(lang) + self.listing_path(lang, section), lang=lang,
                        label=" ".join(filter(None, (lang, section))) if several else "")
                for lang in self.languages for section in self.sections]

    def locate(self, url: str, lang: str) -> tuple[str, str, bool]:
        """(identity, URL to fetch, whether to fetch it) of an item (`url`: its `item_url`).
        Items on the source's own site (its configured origin, or its real one and the real
        one's aliases) are fetched on the configured origin; items elsewhere are not."""
        option = self.origin_options.get(lang, "base_url")
        ours = {urlsplit(canonical_url(origin)).netloc
                for origin in (self.origin(lang), self.source.sites[option])}
        if urlsplit(canonical_url(url)).netloc not in ours:
            return canonical_url(url), url, False
        fetch_url = same_origin_path(url, self.origin(lang))
        return canonical_url(fetch_url), fetch_url, True

    # -- the loop ---------------------------------------------------------------------------

    async def start(self):
        for listing in self.listings():
            yield self.listing_request(listing.url, listing)

    def listing_request(self, url: str, listing: Listing) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.errback,
                              cb_kwargs={"listing": listing})

    def parse_listing(self, response, listing: Listing):
        if self.check_blocked(response):
            return
        entries = self.entries(response, listing)
        if not entries:
            self.no_items(response, listing)
            return
        seen = self.seen.setdefault(listing.url, set())
        fresh = [e for e in entries if e.url not in seen]
        seen.update(e.url for e in fresh)
        tally: Counter = Counter()
        for entry in fresh:
            decision = self.decide(entry)
            tally[decision] += 1
            if decision == "fetch":
                self.requested.add(self.document_key(entry))
                yield from self.follow(entry.detached())
        self.progress(self.progress_line(listing, entries, tally))
        if not fresh:  # the "next" page repeated items already read
            return
        dated = [e.published for e in fresh if e.published]
        if stop_paging(mode=self.mode, pages=listing.page, max_pages=self.max_pages,
                       since=self.since, oldest=min(dated) if dated else None,
                       fetched=tally["fetch"]):
            return
        next_url = self.next_page(response, listing)
        if next_url:
            yield self.listing_request(next_url, replace(listing, page=listing.page + 1))

    def entries(self, response, listing: Listing) -> list[Entry]:
        """The items of a listing page, located and with what the listing shows of them."""
        found = find_entries(response, self.item_path, scope=self.listing_scope,
                             hints=self.item_hints, loose=self.loose_item_path)
        for entry in found:
            entry.lang = listing.lang
            entry.url, entry.fetch_url, entry.follow = self.locate(entry.url, listing.lang)
            entry.external_id = (entry.match.groupdict().get("id") or "") if entry.match else ""
            read_fields(entry, self.fields, self.source.zone)
        return merge_entries(found)

    def no_items(self, response, listing: Listing) -> None:
        """A listing without items is a broken source, never a quiet one."""
        self.problem(f"{self.name}: listing {response.url} matched no items: the page "
                     f"layout may have changed")

    def follow(self, entry: Entry):
        """What an item to fetch becomes: a request for its article (a feed that carries
        the body yields the document itself)."""
        yield self.article_request(entry)

    def next_page(self, response, listing: Listing) -> str | None:
        """The next listing page: the site's own "next" link, on the configured origin."""
        href = next_page_link(response)
        return same_origin_path(href, self.origin(listing.lang)) if href else None

    def document_key(self, entry: Entry) -> str:
        return document_id(self.name, entry.identity, entry.lang)

    def decide(self, entry: Entry) -> str:
        """"fetch", or why not: "elsewhere" (another site), "repeated" (requested already
        in this crawl, from another listing), "known" (stored and unchanged) or "old"."""
        if not entry.follow:
            return "elsewhere"
        key = self.document_key(entry)
        if key in self.requested:
            return "repeated"
        return triage(self.known.get(key), entry.title, entry.published, self.since)

    def progress_line(self, listing: Listing, entries: list[Entry], tally: Counter) -> str:
        words = [f"{len(entries)} items", f"{tally['fetch']} to fetch"]
        if tally["known"]:
            words.append(f"{tally['known']} already stored")
        if tally["old"]:
            words.append(f"{tally['old']} older than {self.since}")
        if tally["repeated"]:
            words.append(f"{tally['repeated']} listed again")
        if tally["elsewhere"]:
            words.append(f"{tally['elsewhere']} on other sites")
        dated = sorted(e.published for e in entries if e.published)
        if dated:
            words.append(f"{dated[0].isoformat()} to {dated[-1].isoformat()}")
        prefix = f"{listing.label} " if listing.label else ""
        return f"{prefix}listing page {listing.page}: " + ", ".join(words)

    def article_request(self, entry: Entry) -> scrapy.Request:
        return scrapy.Request(entry.fetch_url, callback=self.parse_article,
                              errback=self.errback, cb_kwargs={"entry": entry})

    def parse_article(self, response, entry: Entry):
        if self.check_blocked(response):
            return
        doc = self.make(self.article, response, entry)
        if doc:
            yield doc
