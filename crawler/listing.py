"""Reading listing pages, and deciding what a crawl still has to fetch.

Items are found by the URL pattern of their links first (it survives restyling) and by CSS
class hints second (a restyled list whose links changed shape), each item once however often
it is linked (a hero item repeated above the list). The element around a link that links to
no other item is the item's "context": there the listing's title, date, summary, type and
tags are read with the source's selectors (`ItemFields`). A stored item is fetched again only
when the listing shows a different title or date (SOURCES.md §7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from urllib.parse import urlsplit

from crawler.dates import day_of_digits, find_day, from_iso
from crawler.urls import canonical_url
from vocab.text import clean_line

MAX_CONTEXT_DEPTH = 6
ANY_PATH = re.compile(r"^/.+")
DATE_ATTRIBUTES = ("datetime", "data-date")


@dataclass(frozen=True)
class Listing:
    """One listing a crawl reads, page after page."""
    url: str  # its first page
    lang: str = "en"
    label: str = ""  # how progress lines name it when a source has several
    page: int = 1  # the page a request reads


@dataclass
class Entry:
    """One item of a listing page: its identity, where to fetch it, what the listing shows."""
    url: str  # canonical URL
    fetch_url: str = ""  # where to request it (on the configured origin); `url` when empty
    lang: str = "en"
    external_id: str = ""  # the source's own id of the item (pattern group `id`), if any
    title: str = ""
    published: date | None = None
    summary: str = ""
    doc_type: str = ""
    tags: list[str] = field(default_factory=list)
    follow: bool = True  # False for an item that is not ours to fetch (another site)
    # Where the item sits on the listing page (dropped before the article is requested).
    match: re.Match | None = field(default=None, compare=False, repr=False)
    anchors: list = field(default_factory=list, compare=False, repr=False)
    contexts: list = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self):
        self.fetch_url = self.fetch_url or self.url

    @property
    def identity(self) -> str:
        return self.external_id or self.url

    def texts(self, selector: str) -> list[str]:
        """Non-empty texts of `selector` (CSS) in this item's contexts, in page order."""
        found = []
        for context in self.contexts if selector else ():
            for node in context.css(selector):
                text = _text(node)
                if text:
                    found.append(text)
        return found

    def anchor_texts(self) -> list[str]:
        return [t for t in map(_text, self.anchors) if t]

    def context_text(self) -> str:
        return " ".join(_text(c) for c in self.contexts)

    def detached(self) -> Entry:
        """This entry without its page nodes, so that a listing page is not held in memory
        while its articles are fetched."""
        return replace(self, match=None, anchors=[], contexts=[])


@dataclass(frozen=True)
class ItemFields:
    """Where a listing shows an item's fields: CSS selectors searched in the item's context.
    An empty title selector means the link's own text. A date is read from a `datetime` or
    `data-date` attribute (of the context or of a `date` node) before any text; with
    `date_in_text`, any day written in the item counts, and a pattern group `day`
    (YYYYMMDD) is the last resort."""
    title: str = ""
    date: str = "time"
    summary: str = ""
    doc_type: str = ""
    tags: str = ""
    date_in_text: bool = False


def find_entries(response, pattern: re.Pattern, *, scope: str = "//body", hints=(),
                 loose: re.Pattern | None = None) -> list[Entry]:
    """Items of a listing, in page order: links whose path matches `pattern`; when none
    does, links that the CSS selectors `hints` pick out and whose path matches `loose`."""
    entries = _linked(response, pattern, scope)
    if entries or not hints:
        return entries
    hinted = {item_url(response.urljoin(href.strip())) for selector in hints
              for href in response.css(selector).xpath("@href").getall()}
    return [e for e in _linked(response, loose or ANY_PATH, scope) if e.url in hinted]


def _linked(response, pattern: re.Pattern, scope: str) -> list[Entry]:
    entries: dict[str, Entry] = {}
    roots = response.xpath(scope) or [response.selector]
    for anchor in roots[0].xpath(".//a[@href]"):
        url = response.urljoin(anchor.attrib["href"].strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            continue  # file:, ftp:, javascript:, mailto: ... are never ours to fetch
        match = pattern.match(parts.path)
        if not match:
            continue
        key = item_url(url)
        entry = entries.setdefault(key, Entry(url=key, match=match))
        entry.anchors.append(anchor)
        entry.contexts.append(_context(anchor, key, pattern, response))
    return list(entries.values())


def item_url(url: str) -> str:
    """An item's identity: its canonical URL without the query (item patterns match paths;
    a listing's links may carry a query of their own, `?from=hero`)."""
    parts = urlsplit(url)
    return canonical_url(f"{parts.scheme}://{parts.netloc}{parts.path}")


def _context(anchor, item: str, pattern: re.Pattern, response):
    """The largest ancestor (within a few levels) that links to no other item than `item`
    (however that item's link is spelled)."""
    best = anchor
    for depth, ancestor in enumerate(reversed(anchor.xpath("ancestor::*"))):
        if depth >= MAX_CONTEXT_DEPTH or ancestor.root.tag in ("body", "html"):
            break
        urls = (response.urljoin(href.strip()) for href in ancestor.xpath(".//a/@href").getall())
        if any(pattern.match(urlsplit(url).path) and item_url(url) != item for url in urls):
            break
        best = ancestor
    return best


def read_fields(entry: Entry, fields: ItemFields, zone: tzinfo) -> Entry:
    """Fill in what the listing shows of `entry`, read in its context with `fields`."""
    titles = entry.texts(fields.title) or entry.anchor_texts()
    entry.title = titles[0] if titles else ""
    entry.published = listing_day(entry, fields, zone)
    summaries = [t for t in entry.texts(fields.summary) if t != entry.title]
    entry.summary = summaries[0] if summaries else ""
    entry.doc_type = next(iter(entry.texts(fields.doc_type)), "")
    entry.tags = list(dict.fromkeys(entry.texts(fields.tags)))
    return entry


def listing_day(entry: Entry, fields: ItemFields, zone: tzinfo) -> date | None:
    for context in entry.contexts:
        for node in [context, *(context.css(fields.date) if fields.date else ())]:
            for attribute in DATE_ATTRIBUTES:
                day = from_iso(node.attrib.get(attribute), zone)
                if day:
                    return day
    texts = entry.texts(fields.date)
    if fields.date_in_text:
        texts.append(entry.context_text())
    day = next((d for d in map(find_day, texts) if d), None)
    if day is None and fields.date_in_text and entry.match is not None:
        day = day_of_digits(entry.match.groupdict().get("day"))
    return day


def merge_entries(entries: list[Entry]) -> list[Entry]:
    """One entry per URL, in order: a later sighting of an item fills what an earlier one
    left blank (a listing's embedded JSON and its markup, say)."""
    merged: dict[str, Entry] = {}
    for entry in entries:
        first = merged.setdefault(entry.url, entry)
        if first is entry:
            continue
        for name in ("title", "published", "summary", "doc_type", "external_id"):
            if not getattr(first, name):
                setattr(first, name, getattr(entry, name))
        first.tags += [t for t in entry.tags if t not in first.tags]
        first.anchors += entry.anchors
        first.contexts += entry.contexts
    return list(merged.values())


def triage(known: dict | None, title: str, published: date | None, since: str | None) -> str:
    """What to do with one listing item: "fetch" it, skip it as "known" (stored, and the
    listing shows the same title and date), or skip it as "old" (never stored and published
    before `since`)."""
    if known is None:
        if published and since and published.isoformat() < since:
            return "old"
        return "fetch"
    if title and not same_title(title, known.get("title") or ""):
        return "fetch"
    if published and (known.get("published") or "")[:10] != published.isoformat():
        return "fetch"
    return "known"


def stop_paging(*, mode: str, pages: int, max_pages: int | None, since: str | None,
                oldest: date | None, fetched: int) -> bool:
    """Whether a crawl has read enough listing pages: the page limit, items older than
    `since`, or (routine crawls) a page that held nothing new or changed."""
    if max_pages is not None and pages >= max_pages:
        return True
    if since and oldest and oldest.isoformat() < since:
        return True
    return mode != "backfill" and fetched == 0


NEXT_LINKS = ('li.next:not(.disabled) a::attr(href)', 'a[rel="next"]::attr(href)',
              'li.pager__item--next a::attr(href)', 'li.pager-next a::attr(href)',
              'a[aria-label="Next page"]::attr(href)')


def next_page_link(response) -> str | None:
    """The absolute URL of the page's "next" link (Bootstrap, Drupal, rel=next or labelled
    pagers), if there is one."""
    for selector in NEXT_LINKS:
        href = response.css(selector).get()
        if href and href.strip():
            return response.urljoin(href.strip())
    return None


def same_title(listed: str, stored: str) -> bool:
    """Whether a listing's title is the stored one: equal once case, spacing and quotes are
    set aside, or a listing title cut short with an ellipsis that the stored one begins."""
    def norm(value: str) -> str:
        value = clean_line(value).casefold().replace("’", "'").replace("“", '"').replace("”", '"')
        return re.sub(r"\s+", " ", value).strip()
    a, b = norm(listed), norm(stored)
    if a == b:
        return True
    for cut in ("…", "..."):
        if a.endswith(cut):
            return b.startswith(a[:-len(cut)].rstrip())
    return False


def _text(node) -> str:
    return clean_line(" ".join(node.xpath("string(.)").getall()))
