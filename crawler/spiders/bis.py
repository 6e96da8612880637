"""Bureau of Industry and Security press releases (SOURCES.md §3).

Listing: `/news-updates`, read two ways and merged: the Next.js `__NEXT_DATA__` JSON when the
page embeds it (any object carrying a `/press-release/<slug>` path), and the links to
`/press-release/<slug>` (or `/node/NNNN`) in the markup, with the date, type, teaser and
topic tags of their `li[data-date]` item. The site's own next-page link is followed when
there is one. Article: `/press-release/<slug>`; the title is the release's own heading (not
the agency banner), the date comes from the "FOR IMMEDIATE RELEASE | Monday, February 26,
2024" header (else the listing), the "WASHINGTON, D.C. –" dateline is kept apart, and the
topic tags ("Enforcement") go into the metadata.

media.bis.gov and /node/NNNN aliases are folded into `https://www.bis.gov/press-release/<slug>`
(on another base URL, such as a test server, the same path on that host).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from crawler.dates import us_date, weekday_date
from crawler.faults import short_url
from crawler.items import DocumentError, make_document
from crawler.listing import Entry, ItemFields, Listing, item_url, merge_entries
from crawler.pagetext import article_text, split_us_dateline
from crawler.spiders.base import ListingSpider
from crawler.urls import canonical_url
from vocab.text import clean_line

RELEASE_PATH = re.compile(r"^/press-release/[^/?#]+/?$")
BANNER = re.compile(r"^(bureau of industry and security|u\.?\s?s\.? department of commerce|"
                    r"office of congressional and public affairs|press releases?|"
                    r"news (and|&) updates)$", re.I)
SITE_SUFFIX = re.compile(r"\s*\|\s*Bureau of Industry and Security\s*$")
RELEASE_HEADER = "FOR IMMEDIATE RELEASE"
TAG_LINKS = 'a[href*="news="]'
URL_KEYS = ("path", "url", "href", "alias", "link", "slug")
TITLE_KEYS = ("title", "label", "name", "heading")


class BisSpider(ListingSpider):
    name = "bis"
    item_path = re.compile(r"^/(?:press-release/[^/?#]+|node/\d+)/?$")
    fields = ItemFields(title="h3, h2", date="span.date", summary="a p",
                        doc_type="a span:first-child:not(.date)", tags=TAG_LINKS)

    def listing_path(self, lang: str, section: str) -> str:
        return "/news-updates"

    # -- listing ---------------------------------------------------------------------------

    def entries(self, response, listing: Listing) -> list[Entry]:
        return merge_entries(self.json_entries(response, listing)
                             + super().entries(response, listing))

    def json_entries(self, response, listing: Listing) -> list[Entry]:
        raw = response.css("script#__NEXT_DATA__::text").get()
        if not raw:
            return []
        try:
            data = json.loads(raw)
        except ValueError:
            self.logger.warning(f"{self.name}: {response.url}: __NEXT_DATA__ is not JSON; "
                                f"reading the markup only")
            return []
        entries = []
        for obj in walk(data):
            href = release_href(obj)
            url = response.urljoin(href.strip()) if href else ""
            if not url or not self.item_path.match(urlsplit(url).path):
                continue
            identity, fetch_url, follow = self.locate(item_url(url), listing.lang)
            entries.append(Entry(
                url=identity, fetch_url=fetch_url, follow=follow, lang=listing.lang,
                title=clean_line(first_text(obj, TITLE_KEYS)), published=first_date(obj),
                doc_type=clean_line(news_type(obj)), tags=tag_names(obj),
                summary=clean_line(first_text(obj, ("teaser", "summary", "field_teaser")))))
        return entries

    # -- article ---------------------------------------------------------------------------

    def article(self, response, entry: Entry) -> dict:
        page = short_url(response.url)
        container = (response.css(".press-release-container") or response.css("main")
                     or response.css("body"))[0]
        url = self.article_url(response, entry)
        title = release_title(response, container)
        header = release_header(container)
        header_text = clean_line(" ".join(header.css("::text").getall())) if header else ""
        published = (weekday_date(header_text)
                     or us_date(container.css("time::attr(datetime)").get()) or entry.published)
        missing = [what for what, value in (("title", title), ("publication date", published))
                   if not value]
        if missing:
            raise DocumentError(
                f"{self.name}: article {page} has no {' and no '.join(missing)} (looked for "
                f"the release heading and the '{RELEASE_HEADER} | <weekday>, <month> <day>, "
                f"<year>' header): the page layout may have changed")
        banners = [h for h in headings(container) if BANNER.match(h)]
        text = article_text(container, drop=(TAG_LINKS, *([header] if header else [])),
                            skip=(title, "###", *banners))
        dateline, text = split_us_dateline(text)
        tags = [clean_line(t) for t in container.css(f"{TAG_LINKS} ::text").getall()
                if clean_line(t)]
        metadata = {"tags": tags + [t for t in entry.tags if t not in tags],
                    "news_type": entry.doc_type or "Press Release"}
        contact = re.search(r"Media Contact:\s*(.+)$", header_text)
        if contact:
            metadata["media_contact"] = clean_line(contact.group(1))
        return make_document(source=self.name, external_id=url, lang="en", url=url,
                             title=title, published=published, text=text,
                             summary=entry.summary, dateline=dateline,
                             doc_type=metadata["news_type"], metadata=metadata, page=page)

    def article_url(self, response, entry: Entry) -> str:
        """The release's canonical URL: the page's own canonical link when it names a
        /press-release/ path (this resolves /node/NNNN aliases), else the listing's."""
        for href in (response.css('link[rel=canonical]::attr(href)').get(),
                     response.css('meta[property="og:url"]::attr(content)').get(),
                     response.url):
            if href and RELEASE_PATH.match(urlsplit(href).path):
                return canonical_url(f"{self.origin('en')}{urlsplit(href).path}")
        return entry.url


# -- pieces of the pages ---------------------------------------------------------------------


def headings(container) -> list[str]:
    return [h for h in (clean_line(" ".join(node.css("::text").getall()))
                        for node in container.css("h1, h2")) if h]


def release_title(response, container) -> str:
    """The release's own heading: the one the page title names, else the first heading that
    is not the agency banner, else the page title."""
    page_title = SITE_SUFFIX.sub("", clean_line(
        response.css('meta[property="og:title"]::attr(content)').get()
        or response.css("title::text").get() or ""))
    own = [h for h in headings(container) if not BANNER.match(h)
           and not h.upper().startswith(RELEASE_HEADER)]
    for heading in own:
        if heading.casefold() == page_title.casefold():
            return heading
    if own:
        return own[0]
    return "" if BANNER.match(page_title) else page_title


def release_header(container):
    """The element of the 'FOR IMMEDIATE RELEASE | date | Media Contact: …' line."""
    for node in container.xpath(f".//*[text()[contains(., '{RELEASE_HEADER}')]]"):
        if weekday_date(clean_line(" ".join(node.css("::text").getall()))):
            return node
        parent = node.xpath("..")
        return parent[0] if parent else node
    return None


def walk(value):
    """Every dict inside a JSON value, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)


def release_href(obj: dict) -> str:
    for key in URL_KEYS:
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("alias") or value.get("url") or value.get("href")
        if isinstance(value, str) and "/press-release/" in value:
            return value
    return ""


def first_text(obj: dict, keys) -> str:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("value") or value.get("processed")
        if isinstance(value, str) and value.strip():
            return value
    return ""


def first_date(obj: dict):
    for key, value in obj.items():
        if isinstance(value, str) and ("date" in key.lower() or key in ("created", "published")):
            day = us_date(value)
            if day:
                return day
    return None


def news_type(obj: dict) -> str:
    for key, value in obj.items():
        if "news_type" in key.lower() or key == "newsType":
            if isinstance(value, dict):
                value = value.get("name") or value.get("label")
            if isinstance(value, str):
                return value
    return ""


def tag_names(obj: dict) -> list[str]:
    names = []
    for key, value in obj.items():
        if not any(word in key.lower() for word in ("tag", "topic")):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                item = item.get("name") or item.get("label") or item.get("title")
            if isinstance(item, str) and clean_line(item) and clean_line(item) not in names:
                names.append(clean_line(item))
    return names
