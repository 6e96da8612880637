"""Bureau of Industry and Security press releases (SOURCES.md §3).

Listing: `/news-updates`, read two ways and merged: the Next.js `__NEXT_DATA__` JSON when the
page embeds it (any object carrying a `/press-release/<slug>` path), and the markup
(`li[data-date]` items and any `a[href^="/press-release/"]`). The site's own next-page link
is followed when there is one. Article: `/press-release/<slug>`; the title is the release's
own heading (not the agency banner), the date comes from the "FOR IMMEDIATE RELEASE |
Monday, February 26, 2024" header (else the listing), the "WASHINGTON, D.C. –" dateline is
kept apart, and the topic tags ("Enforcement") go into the metadata.

media.bis.gov and /node/NNNN aliases are folded into `https://www.bis.gov/press-release/<slug>`
(on another base URL, such as a test server, the same path on that host).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from crawler.dates import us_date, weekday_date
from crawler.items import make_document
from crawler.pagetext import article_text, split_us_dateline
from crawler.spiders.base import short_url
from crawler.spiders.listing import Entry, ListingSpider
from crawler.urls import canonical_url
from vocab.text import clean_line

BIS_HOSTS = {"www.bis.gov", "bis.gov", "media.bis.gov"}
RELEASE_PATH = re.compile(r"^/press-release/[^/?#]+/?$")
NODE_PATH = re.compile(r"^/node/\d+/?$")
BANNER = re.compile(r"^(bureau of industry and security|u\.?\s?s\.? department of commerce|"
                    r"office of congressional and public affairs|press releases?|"
                    r"news (and|&) updates)$", re.I)
SITE_SUFFIX = re.compile(r"\s*\|\s*Bureau of Industry and Security\s*$")
RELEASE_HEADER = "FOR IMMEDIATE RELEASE"
TAG_LINKS = ('a[href*="news="]',)
URL_KEYS = ("path", "url", "href", "alias", "link", "slug")
TITLE_KEYS = ("title", "label", "name", "heading")


class BisSpider(ListingSpider):
    name = "bis"

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.base_url = self.options.base_url

    async def start(self):
        yield self.listing_request(f"{self.base_url}/news-updates")

    # -- addresses -------------------------------------------------------------------------

    def locate(self, response, href: str) -> tuple[str, str] | None:
        """(canonical URL, URL to fetch) of a release link, or None if it is not one.
        Links to bis.gov's own hosts are fetched on the configured base URL."""
        url = response.urljoin(href.strip())
        parts = urlsplit(url)
        if not (RELEASE_PATH.match(parts.path) or NODE_PATH.match(parts.path)):
            return None
        if (parts.hostname or "").lower() in BIS_HOSTS:
            url = f"{self.base_url}{parts.path}"
        elif urlsplit(canonical_url(url)).netloc != urlsplit(canonical_url(self.base_url)).netloc:
            return None
        return canonical_url(url), url

    # -- listing ---------------------------------------------------------------------------

    def entries(self, response) -> list[Entry]:
        merged: dict[str, Entry] = {}
        for entry in self.json_entries(response) + self.markup_entries(response):
            known = merged.get(entry.url)
            if known is None:
                merged[entry.url] = entry
                continue
            for name in ("title", "published", "doc_type", "teaser"):
                if not getattr(known, name):
                    setattr(known, name, getattr(entry, name))
            known.tags += [t for t in entry.tags if t not in known.tags]
        return list(merged.values())

    def json_entries(self, response) -> list[Entry]:
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
            located = self.locate(response, href) if href else None
            if not located:
                continue
            entries.append(Entry(
                url=located[0], fetch_url=located[1],
                title=clean_line(first_text(obj, TITLE_KEYS)),
                published=first_date(obj), doc_type=clean_line(news_type(obj)),
                tags=tag_names(obj), teaser=clean_line(first_text(obj, ("teaser", "summary",
                                                                       "field_teaser")))))
        return entries

    def markup_entries(self, response) -> list[Entry]:
        entries = []
        for item in response.css("li[data-date]"):
            for link in item.css("a[href]"):
                located = self.locate(response, link.attrib["href"])
                if not located:
                    continue
                spans = [clean_line(t) for t in link.css("span::text").getall()]
                spans = [t for t in spans if t and t != "|"]
                date_text = item.css("span.date::text").get()
                entries.append(Entry(
                    url=located[0], fetch_url=located[1],
                    title=clean_line(" ".join(link.css("h3 ::text, h2 ::text").getall()))
                    or clean_line(" ".join(link.css("::text").getall())),
                    published=us_date(item.attrib.get("data-date")) or us_date(date_text),
                    doc_type=spans[0] if spans and not us_date(spans[0]) else "",
                    tags=[clean_line(t) for t in item.css('a[href*="news="] ::text').getall()
                          if clean_line(t)],
                    teaser=clean_line(" ".join(link.css("p ::text").getall()))))
                break
        # The scraper-tested fallback: any link to a release, wherever it sits.
        for link in response.css('a[href*="/press-release/"]'):
            located = self.locate(response, link.attrib["href"])
            if located:
                entries.append(Entry(url=located[0], fetch_url=located[1], title=clean_line(
                    " ".join(link.css("h3 ::text, h2 ::text").getall()))))
        return entries

    def next_page(self, response) -> str | None:
        href = response.css('a[rel=next]::attr(href), a[aria-label="Next page"]::attr(href)').get()
        return response.urljoin(href) if href else None

    # -- article ---------------------------------------------------------------------------

    def parse_article(self, response, entry: Entry):
        if self.check_blocked(response):
            return
        page = short_url(response.url)
        container = (response.css(".press-release-container") or response.css("main")
                     or response.css("body"))[0]
        url = self.article_url(response, entry)
        title = release_title(response, container)
        header_node = release_header(container)
        header = clean_line(" ".join(header_node.css("::text").getall())) if header_node else ""
        published = (weekday_date(header) or us_date(container.css("time::attr(datetime)").get())
                     or entry.published)
        missing = [what for what, value in (("title", title), ("publication date", published))
                   if not value]
        if missing:
            self.problem(f"{self.name}: article {page} has no {' and no '.join(missing)} "
                         f"(looked for the release heading and the '{RELEASE_HEADER} | "
                         f"<weekday>, <month> <day>, <year>' header): the page layout may have "
                         f"changed")
            return
        banners = [h for h in headings(container) if BANNER.match(h)]
        text = article_text(container, drop=(header_node, *TAG_LINKS) if header_node else TAG_LINKS,
                            skip=(title, "###", *banners))
        dateline, text = split_us_dateline(text)
        tags = [clean_line(t) for t in container.css('a[href*="news="] ::text').getall()
                if clean_line(t)]
        metadata = {"tags": tags + [t for t in entry.tags if t not in tags],
                    "news_type": entry.doc_type or "Press Release"}
        contact = re.search(r"Media Contact:\s*(.+)$", header)
        if contact:
            metadata["media_contact"] = clean_line(contact.group(1))
        doc = self.make(make_document, source=self.name, external_id=url, lang="en", url=url,
                        title=title, published=published, text=text, summary=entry.teaser,
                        dateline=dateline, doc_type=metadata["news_type"], metadata=metadata,
                        page=page)
        if doc:
            yield doc

    def article_url(self, response, entry: Entry) -> str:
        """The release's canonical URL: the page's own canonical link when it names a
        /press-release/ path (this resolves /node/NNNN aliases), else the listing's."""
        for href in (response.css('link[rel=canonical]::attr(href)').get(),
                     response.css('meta[property="og:url"]::attr(content)').get(),
                     response.url):
            if href and RELEASE_PATH.match(urlsplit(href).path):
                return canonical_url(f"{self.base_url}{urlsplit(href).path}")
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
