"""US Department of Commerce press releases (SOURCES.md §2).

Listing: `/news/<section>?page=N` (Drupal, 0-based), one card per release
(`div.views-row article`: `h2 a`, type label, `time`, issue and tag links), with the
site's own next-page link. Article: `/news/<section>/YYYY/MM/<slug>`. The identity is the
canonical URL; the date is the release day (`time[datetime]` taken in America/New_York, else
the "November 19, 2025" text). Archived copies (2017-2021.commerce.gov and the like) share
titles and are never followed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.dates import us_date
from crawler.items import make_document
from crawler.pagetext import article_text, split_us_dateline
from crawler.spiders.base import short_url
from crawler.spiders.listing import Entry, ListingSpider
from crawler.urls import canonical_url
from vocab.text import clean_line

ARTICLE_PATH = re.compile(r"^/news/[a-z0-9-]+/\d{4}/\d{2}/[^/?#]+/?$")
ARCHIVE_HOST = re.compile(r"^\d{4}-\d{4}\.commerce\.gov$", re.I)
CARD = "div.view-content div.views-row article, div.views-row article"
TYPE = ".field--name-field-news-type"
DATE = ".field--name-field-release-datetime time, time"
ISSUES = ".field--name-field-issues a"
TAGS = ".field--name-field-tags a"
SITE_SUFFIX = re.compile(r"\s*\|\s*U\.S\. Department of Commerce\s*$")


def card_date(node):
    """The day of a card or article: `time[datetime]`, else the time's text."""
    for time in node.css(DATE):
        day = us_date(time.attrib.get("datetime")) or us_date(" ".join(time.css("::text").getall()))
        if day:
            return day
    return None


def texts(nodes) -> list[str]:
    seen: list[str] = []
    for node in nodes:
        text = clean_line(" ".join(node.css("::text").getall()))
        if text and text not in seen:
            seen.append(text)
    return seen


class CommerceSpider(ListingSpider):
    name = "commerce"

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.base_url = self.options.base_url
        self.sections = self.options.sections
        self.host = urlsplit(canonical_url(self.base_url)).netloc

    async def start(self):
        for section in self.sections:
            yield self.listing_request(f"{self.base_url}/news/{section}")

    # -- listing ---------------------------------------------------------------------------

    def entries(self, response) -> list[Entry]:
        cards = response.css(CARD)
        found = []
        for card in cards:
            link = (card.css("h2 a[href], h3 a[href]") or card.css("a[href]"))[:1]
            if link:
                found.append(self.entry(response, link[0], card))
        if not cards:
            # The cards' classes changed: article links by their URL pattern still work.
            found = [self.entry(response, link, None)
                     for link in response.css("main a[href], #main-content a[href]")]
            found = [e for e in found if e.follow]
            if found:
                self.logger.warning(f"{self.name}: listing {response.url}: no Drupal cards; "
                                    f"{len(found)} articles found by their URL pattern")
        entries, seen = [], set()
        for entry in found:
            if entry.url not in seen:
                seen.add(entry.url)
                entries.append(entry)
        return entries

    def entry(self, response, link, card) -> Entry:
        url = response.urljoin(link.attrib["href"].strip())
        canonical = canonical_url(url)
        parts = urlsplit(url)
        ours = (not ARCHIVE_HOST.match(parts.hostname or "")
                and urlsplit(canonical).netloc == self.host and ARTICLE_PATH.match(parts.path))
        entry = Entry(url=canonical, fetch_url=url, follow=bool(ours),
                      title=clean_line(" ".join(link.css("::text").getall())))
        if card is not None:
            entry.published = card_date(card)
            entry.doc_type = (texts(card.css(TYPE)) or [""])[0]
            entry.tags = texts(card.css(f"{ISSUES}, {TAGS}"))
            entry.teaser = clean_line(" ".join(card.css(".field--name-body ::text").getall()))
        return entry

    def next_page(self, response) -> str | None:
        href = response.css("a[rel=next]::attr(href), li.pager__item--next a::attr(href)").get()
        return response.urljoin(href) if href else None

    # -- article ---------------------------------------------------------------------------

    def parse_article(self, response, entry: Entry):
        if self.check_blocked(response):
            return
        if ARCHIVE_HOST.match(urlsplit(response.url).hostname or ""):
            self.logger.warning(f"{self.name}: {entry.fetch_url} redirected to the archive "
                                f"{short_url(response.url)}; not followed")
            return
        page = short_url(response.url)
        main = (response.css("main article") or response.css("main") or response.css("body"))[0]
        title = clean_line(" ".join(
            (response.css("main h1") or main.css("h1"))[:1].css("::text").getall()))
        if not title:
            title = SITE_SUFFIX.sub("", clean_line(
                response.css('meta[property="og:title"]::attr(content)').get()
                or response.css("title::text").get() or ""))
        published = card_date(main) or entry.published
        missing = [what for what, value in (("title", title), ("publication date", published))
                   if not value]
        if missing:
            self.problem(f"{self.name}: article {page} has no {' and no '.join(missing)}: the "
                         f"page layout may have changed")
            return
        body = main.css(".field--name-body")
        text = article_text(body[0] if body else main, skip=(title,))
        dateline, text = split_us_dateline(text)
        doc_type = (texts(main.css(TYPE)) or [entry.doc_type])[0]
        issues, tags = texts(main.css(ISSUES)), texts(main.css(TAGS))
        if not issues and not tags:
            tags = entry.tags  # the card's issues and tags, when the article shows none
        metadata = {"news_type": doc_type, "issues": issues, "tags": tags,
                    "section": urlsplit(entry.url).path.split("/")[2]}
        doc = self.make(make_document, source=self.name, external_id=entry.url, lang="en",
                        url=entry.url, title=title, published=published, text=text,
                        summary=entry.teaser, dateline=dateline, doc_type=doc_type,
                        metadata=metadata, page=page)
        if doc:
            yield doc
