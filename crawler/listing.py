"""Reading listing pages by their links, and deciding what a crawl still has to fetch.

Items are found by the URL pattern of their links (robust to restyling); the element around
each link that holds no other item is its "context", where the title, date and summary are
looked for. A stored item is fetched again only when the listing shows a different title or
date (SOURCES.md §7: prefer URL patterns over class chains).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from vocab.text import clean_line

MAX_CONTEXT_DEPTH = 6


@dataclass
class Entry:
    url: str
    match: re.Match
    anchors: list = field(default_factory=list)
    contexts: list = field(default_factory=list)

    def texts(self, selector: str) -> list[str]:
        """Non-empty texts of `selector` (CSS) in this item's contexts, in page order."""
        found = []
        for context in self.contexts:
            for node in context.css(selector):
                text = clean_line(" ".join(node.xpath("string(.)").getall()))
                if text:
                    found.append(text)
        return found

    def anchor_texts(self) -> list[str]:
        texts = [clean_line(" ".join(a.xpath("string(.)").getall())) for a in self.anchors]
        return [t for t in texts if t]

    def context_text(self) -> str:
        return " ".join(clean_line(" ".join(c.xpath("string(.)").getall()))
                        for c in self.contexts)


def find_entries(response, pattern: re.Pattern, *, scope: str = "//body") -> list[Entry]:
    """Items of a listing: links whose path matches `pattern`, deduplicated by URL (a hero
    item repeated above the list counts once), in page order."""
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
        key = f"{parts.scheme}://{parts.netloc}{parts.path}"
        entry = entries.setdefault(key, Entry(url=key, match=match))
        entry.anchors.append(anchor)
        context = _context(anchor, pattern, response)
        if context is not None:
            entry.contexts.append(context)
    return list(entries.values())


def _context(anchor, pattern: re.Pattern, response):
    """The largest ancestor (within a few levels) that links to no other item."""
    best = anchor
    for depth, ancestor in enumerate(reversed(anchor.xpath("ancestor::*"))):
        if depth >= MAX_CONTEXT_DEPTH or ancestor.root.tag in ("body", "html"):
            break
        paths = set()
        for href in ancestor.xpath(".//a/@href").getall():
            path = urlsplit(response.urljoin(href.strip())).path
            if pattern.match(path):
                paths.add(path)
        if len(paths) > 1:
            break
        best = ancestor
    return best


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


def next_page_link(response) -> str | None:
    """The href of the page's "next" link (Bootstrap, Drupal or rel=next pagers), if any."""
    for selector in ('li.next:not(.disabled) a::attr(href)', 'a[rel="next"]::attr(href)',
                     'li.pager__item--next a::attr(href)', 'li.pager-next a::attr(href)'):
        href = response.css(selector).get()
        if href:
            return href
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
