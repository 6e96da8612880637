"""Reading RSS and Atom feeds: bytes fetched by Scrapy, parsed by feedparser (ECOSYSTEM.md).

feedparser never raises: a page that is not a feed, broken XML or bytes in another charset
than the one declared come back as a "bozo" result, sometimes with nothing in it. Here each
of those becomes a `NotAFeed` whose message a person can act on, so that a feed that cannot
be read is a broken source, never "no news". Pure functions: no I/O.

The charset comes from the XML itself (its declaration, a BOM, else UTF-8), not from the
HTTP header: feedparser follows RFC 3023, which makes `text/xml` without a charset US-ASCII,
and Taiwan's government servers send just that. A source whose feed declares the wrong
charset can state the right one (`charset` in its declaration).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import unescape
from urllib.parse import urlsplit

import feedparser

from crawler.faults import short_url

# What feedparser's XML parser says when a document stops before its end.
CUT_SHORT = re.compile(r"no element found|unclosed token")
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


class NotAFeed(ValueError):
    """What came back is not a feed that can be read; the message says why."""


@dataclass
class FeedItem:
    title: str
    link: str  # absolute: a relative link is resolved against the feed's address
    guid: str  # as the feed gives it (feedparser makes a relative one absolute)
    published: datetime | None  # aware (UTC); None when the item carries no usable date
    summary: str  # the description (HTML or plain text)
    content: str  # content:encoded or Atom content (HTML): a full body where a feed has one
    categories: list[str] = field(default_factory=list)
    deleted: bool = False  # the gov.tw profile lists deleted items (IsDeleteNews=Y)
    news_id: str = ""  # the gov.tw profile's NewsID
    files: list[str] = field(default_factory=list)  # attachments and enclosures


@dataclass
class Feed:
    version: str  # feedparser's name of the format: rss20, atom10...
    items: list[FeedItem]
    warning: str = ""  # a flaw feedparser read past (e.g. an unescaped '&')


def read_feed(body: bytes, url: str, *, charset: str = "") -> Feed:
    """The items of the feed `body` fetched from `url`; NotAFeed when it is not one."""
    where = short_url(url)
    # The body decides, not the Content-Type: ASP.NET feeds (RSSNEWS.aspx) may well be sent
    # as text/html.
    if HTML_START.match(body[:2048]):
        raise NotAFeed(f"{where}: the site answered with an HTML page where a feed was "
                       f"expected; the feed may have moved or the site be failing")
    media = "application/xml" + (f"; charset={charset}" if charset else "")
    parsed = feedparser.parse(body, response_headers={"content-type": media,
                                                      "content-location": url})
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version"):
        detail = f" ({problem})" if problem else ""
        raise NotAFeed(f"{where}: the answer is not an RSS or Atom feed{detail}; the feed may "
                       f"have moved or changed format")
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        raise NotAFeed(f"{where}: the feed is not in the charset it declares ({problem}); its "
                       f"text would be garbled. If the site is known to do this, state the "
                       f"right charset in the source's declaration")
    if problem is not None and not parsed.entries:
        raise NotAFeed(f"{where}: the feed is not well-formed XML ({problem}) and nothing "
                       f"could be read from it")
    if problem is not None and CUT_SHORT.search(str(problem)):
        raise NotAFeed(f"{where}: the feed is not well-formed XML: it ends before it is "
                       f"complete ({problem}); nothing was taken from it, it is read again "
                       f"next time")
    items = [_item(entry) for entry in parsed.entries]
    return Feed(version=parsed.version, items=items,
                warning=str(problem) if problem is not None else "")


def _item(entry) -> FeedItem:
    content = entry.get("content") or []
    files = [value for value in (entry.get("fileurl"),) if value]
    files += [e.get("href") for e in entry.get("enclosures") or [] if e.get("href")]
    return FeedItem(
        title=entry.get("title", "") or "",
        link=(entry.get("link") or "").strip(),
        guid=(entry.get("id") or "").strip(),
        published=_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        summary=entry.get("summary", "") or "",
        content="".join(part.get("value", "") for part in content),
        # WordPress keeps '&' in a category's name as '&amp;', inside CDATA
        categories=[unescape(t["term"]) for t in entry.get("tags") or [] if t.get("term")],
        deleted=str(entry.get("isdeletenews", "")).strip().upper() == "Y",
        news_id=str(entry.get("newsid", "") or "").strip(),
        files=list(dict.fromkeys(files)),
    )


def _utc(parsed) -> datetime | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)


def relative_guid(guid: str, origins: list[str]) -> str:
    """A guid as the site wrote it: feedparser makes a relative guid absolute against the
    address the feed was fetched from (a mirror, a test server), so one on any of the
    source's `origins` is cut back to its path and query."""
    parts = urlsplit(guid)
    if parts.scheme in ("http", "https"):
        for origin in origins:
            if parts.netloc.lower() == urlsplit(origin).netloc.lower():
                return parts.path + (f"?{parts.query}" if parts.query else "")
    return guid
