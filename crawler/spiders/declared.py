"""The one spider of every declared source: feeds (RSS, Atom) and simple HTML listings read
as their registry entry states (crawler/declared.py), through the one listing loop.

A feed is a listing whose items come from feedparser instead of links on a page: the same
triage (stored and unchanged items are skipped), paging (a feed's `?paged=N` pages), progress
lines and drift rules (a feed that is not XML, lists nothing or links to none of the source's
articles is a broken source, never a quiet one). An item whose feed carries its body becomes
a document at once; otherwise its article page is read with the declared page rules. Items
that the gov.tw feed profile marks deleted (IsDeleteNews=Y) are skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from crawler.dates import feed_moment, roc_day
from crawler.declared import Reading, body_text, query_value, read_page, readings
from crawler.faults import short_url
from crawler.feeds import FeedItem, NotAFeed, read_feed, relative_guid
from crawler.items import DocumentError, make_document
from crawler.listing import Entry, Listing, item_url
from crawler.spiders.base import ListingSpider
from crawler.urls import canonical_url
from vocab.languages import is_chinese
from vocab.text import clean_line

CJK = re.compile(r"[\u3400-\u9fff]")
MOJIBAKE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00bf]")


@dataclass
class FeedEntry(Entry):
    """A feed item: what a listing entry has, plus what only a feed says."""
    body: str = ""  # the HTML or text the feed carries as the item's body, if any
    description: str = ""  # the feed's description when it is only a summary
    moment: date | datetime | None = None  # the item's time in the source's zone
    guid: str = ""
    categories: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    news_id: str = ""


class DeclaredSpider(ListingSpider):
    """Reads the source named by its (generated) subclass; see crawler/spiders/__init__.py."""

    name = ""

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.readings: dict[str, Reading] = {lang: readings(self.name)[lang]
                                             for lang in self.languages}
        self.origin_options = {lang: r.site for lang, r in self.readings.items()}
        self.explained: set[str] = set()  # listings whose emptiness is already a problem
        self.all_deleted: set[str] = set()  # feeds whose every item was deleted

    # -- where things are ---------------------------------------------------------------

    def listing_path(self, lang: str, section: str) -> str:
        reading = self.readings[lang]
        return reading.feed or reading.listing

    def decoded(self, response, lang: str):
        """The response read in the charset the declaration states (a server may send
        text/html with no charset, or the wrong one)."""
        charset = self.readings[lang].charset
        if charset and hasattr(response, "text"):
            return response.replace(encoding=charset)
        return response

    # -- listings and feeds ---------------------------------------------------------------

    def parse_listing(self, response, listing: Listing):
        yield from super().parse_listing(self.decoded(response, listing.lang), listing)

    def entries(self, response, listing: Listing) -> list[Entry]:
        reading = self.readings[listing.lang]
        if reading.feed:
            return self.feed_entries(response, listing, reading)
        # An HTML listing: the shared loop, with this edition's pattern and fields (set here
        # because one spider reads editions whose items look different).
        self.item_path, self.fields = reading.pattern, reading.item_fields
        self.listing_scope = reading.listing_fields.scope
        found = super().entries(response, listing)
        for entry in found:  # a link's title attribute names the item without its date
            titled = [clean_line(a.attrib.get("title")) for a in entry.anchors
                      if clean_line(a.attrib.get("title"))]
            entry.title = titled[0] if titled and not reading.listing_fields.title \
                else entry.title
        if reading.listing_fields.calendar == "roc":
            for entry in found:
                entry.published = entry.published or next(
                    (d for d in map(roc_day, entry.texts(reading.listing_fields.date)) if d),
                    None)
        return found

    def feed_entries(self, response, listing: Listing, reading: Reading) -> list[Entry]:
        try:
            feed = read_feed(response.body, response.url, charset=reading.charset)
        except NotAFeed as exc:
            self.problem(f"{self.name}: {exc}")
            self.explained.add(response.url)
            return []
        if feed.warning:
            self.logger.warning(f"{self.name}: {short_url(response.url)}: read past a flaw in "
                                f"the feed ({feed.warning})")
        live = [item for item in feed.items if not item.deleted]
        deleted = len(feed.items) - len(live)
        if deleted:
            self.progress(f"{listing.lang} feed: {deleted} deleted item"
                          f"{'s' if deleted != 1 else ''} skipped (IsDeleteNews=Y)")
        if feed.items and not live:
            self.all_deleted.add(response.url)
        entries = [e for e in (self.feed_entry(item, listing, reading, response.url)
                               for item in live) if e is not None]
        unmatched = len(live) - len(entries)
        if entries and unmatched:
            self.progress(f"{listing.lang} feed: {unmatched} item"
                          f"{'s' if unmatched != 1 else ''} not linking to an article of "
                          f"the source, left out")
        elif live and not entries:
            self.problem(f"{self.name}: feed {response.url} lists {len(live)} items but none "
                         f"links to an article of the source (links matching "
                         f"{reading.item!r}); the feed or the site's addresses may have "
                         f"changed")
            self.explained.add(response.url)
        return entries

    def feed_entry(self, item: FeedItem, listing: Listing, reading: Reading,
                   feed_url: str) -> FeedEntry | None:
        """The entry of one feed item, or None when it is not an item of the source."""
        link = item.link
        if not link or urlsplit(link).scheme not in ("http", "https"):
            return None
        match = reading.pattern.match(urlsplit(link).path)
        if not match:
            return None
        origins = [self.origin(listing.lang), self.source.sites[reading.site]]
        guid = relative_guid(item.guid, origins)
        external_id = match.groupdict().get("id") or ""
        if reading.id_param:
            external_id = query_value(link, reading.id_param)
        if reading.guid_id:
            found = re.search(reading.guid_id, guid)
            external_id = found.group("id") if found else external_id
        if reading.id_param and not external_id:
            return None
        url = canonical_url(link) if reading.id_param else item_url(link)
        moment, _ = feed_moment(item.published, self.source.zone)
        entry = FeedEntry(url=url, lang=listing.lang, external_id=external_id,
                          title=clean_line(item.title), guid=guid, moment=moment,
                          categories=item.categories, files=item.files, news_id=item.news_id)
        entry.url, entry.fetch_url, entry.follow = self.locate(url, listing.lang)
        entry.published = moment.date() if isinstance(moment, datetime) else moment
        if reading.body == "feed":
            entry.body = item.content or item.summary
            entry.description = item.summary if item.content else ""
        else:
            entry.description = item.summary
        entry.summary = clean_line(body_text(entry.description))[:500]
        return entry

    def progress_line(self, listing: Listing, entries: list[Entry], tally) -> str:
        line = super().progress_line(listing, entries, tally)
        return line.replace("listing page", "feed page", 1) if self.readings[
            listing.lang].feed else line

    def no_items(self, response, listing: Listing) -> None:
        if response.url in self.explained:
            return
        if response.url in self.all_deleted:
            self.progress(f"{listing.lang} feed: every item is marked deleted; nothing to read")
            return
        if self.readings[listing.lang].feed:
            self.problem(f"{self.name}: feed {response.url} lists no items: a feed of news "
                         f"that is empty means it has moved or is failing")
            return
        super().no_items(response, listing)

    def next_page(self, response, listing: Listing) -> str | None:
        reading = self.readings[listing.lang]
        if not reading.feed:
            return super().next_page(response, listing)
        if not reading.paging:
            return None
        first = listing.url
        return f"{first}{'&' if '?' in first else '?'}{reading.paging}={listing.page + 1}"

    # -- documents ------------------------------------------------------------------------

    def follow(self, entry: Entry):
        reading = self.readings[entry.lang]
        if isinstance(entry, FeedEntry) and (entry.body or reading.page is None):
            doc = self.make(self.feed_document, entry)
            if doc:
                yield doc
            return
        yield self.article_request(entry)

    def parse_article(self, response, entry: Entry):
        yield from super().parse_article(self.decoded(response, entry.lang), entry)

    def feed_document(self, entry: FeedEntry) -> dict:
        """The document of a feed item that carries its body (or has no page to read)."""
        reading = self.readings[entry.lang]
        text = body_text(entry.body, drop=reading.drop, drop_text=reading.drop_text,
                         cut_at=reading.cut_at)
        if not entry.moment:
            raise DocumentError(f"{self.name}: {short_url(entry.fetch_url)}: the feed item has "
                                f"no publication date (no pubDate) and no page is read for "
                                f"it; the feed may have changed")
        return self.document(entry, title=entry.title, moment=entry.moment, text=text,
                             where=entry.fetch_url)

    def article(self, response, entry: Entry) -> dict:
        """The document of an article page read with the declared page rules."""
        reading = self.readings[entry.lang]
        page = read_page(response, reading.page, self.source.zone, cut_at=reading.cut_at)
        where = short_url(response.url)
        feed_moment_ = getattr(entry, "moment", None)
        # A feed's title and time are kept (the listing triage compares against them); an
        # HTML listing's anchor text is only a teaser of the page's own title.
        title = entry.title if isinstance(entry, FeedEntry) and entry.title else page.title
        moment = feed_moment_ or page.moment
        missing = [what for what, value in (("title", title), ("publication date", moment))
                   if not value]
        if missing:
            raise DocumentError(f"{self.name}: article {where} has no {' and no '.join(missing)}"
                                f": the page layout may have changed")
        text = page.text or body_text(getattr(entry, "body", ""), drop=reading.drop,
                                      drop_text=reading.drop_text, cut_at=reading.cut_at)
        self.check_charset(response, entry.lang, page.title + page.text)
        extra = {}
        if page.subtitle:
            extra["subtitle"] = page.subtitle
        page_day = page.moment.date() if isinstance(page.moment, datetime) else page.moment
        moment_day = moment.date() if isinstance(moment, datetime) else moment
        if page_day and page_day != moment_day:
            extra["page_date"] = page_day.isoformat()
        group = ""
        if page.other_edition:
            extra["other_edition"] = page.other_edition
            group = self.edition_group(page.other_edition, entry.lang)
        # The address the page was read at, after any redirect (a /node/NNN alias).
        return self.document(entry, title=title, moment=moment, text=text, where=where,
                             extra=extra, group=group, url=canonical_url(response.url))

    def check_charset(self, response, lang: str, text: str) -> None:
        """A Chinese page that reads as Latin letters with accents was decoded in the wrong
        charset (Big5 or UTF-8 bytes read as ISO-8859-1): an error, not a document."""
        if is_chinese(lang) and not CJK.search(text) and MOJIBAKE.search(text):
            raise DocumentError(
                f"{self.name}: {short_url(response.url)}: the page reads as garbled text "
                f"(decoded as {getattr(response, 'encoding', '?')}, no Chinese characters); "
                f"the site sent the wrong charset. State the right one (`charset`) in the "
                f"source's declaration")

    def edition_group(self, other_url: str, lang: str) -> str:
        """The group of the story a page names in another language: that edition's own id."""
        for other_lang, reading in readings(self.name).items():
            if other_lang == lang:
                continue
            match = reading.pattern.match(urlsplit(other_url).path)
            other_id = match.groupdict().get("id") if match else ""
            if reading.id_param:
                other_id = query_value(other_url, reading.id_param)
            if other_id:
                return f"{self.name}:{other_id}"
        return ""

    def document(self, entry: Entry, *, title: str, moment, text: str, where: str,
                 extra: dict | None = None, group: str = "", url: str = "") -> dict:
        reading = self.readings[entry.lang]
        metadata: dict = {}
        if isinstance(entry, FeedEntry):
            for key in ("guid", "news_id", "categories", "files"):
                if getattr(entry, key):
                    metadata[key] = getattr(entry, key)
        metadata.update(extra or {})
        if reading.group == "title":
            day = moment.date() if isinstance(moment, datetime) else moment
            group = f"{self.name}:{day.isoformat()}:{title_key(title)}"
        categories = [c for c in metadata.get("categories") or []
                      if c not in reading.plain_categories]
        doc_type = reading.doc_type or next(iter(categories), "")
        return make_document(
            source=self.name, external_id=entry.identity, lang=entry.lang, url=url or entry.url,
            title=title, published=moment, text=text, summary=entry.summary,
            doc_type=doc_type, group_key=group, metadata=metadata, page=short_url(where))


def title_key(title: str) -> str:
    """A title folded for comparison: posts re-published under a new address keep it."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return "-".join(re.findall(r"\w+", folded))[:120]
