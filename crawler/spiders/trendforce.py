"""TrendForce press center (SOURCES.md §5): trendforce.com (English) and trendforce.cn
(Simplified Chinese).

Listings `/presscenter/news?page=N` (1-based; other sections are category paths such as
`/presscenter/news/Consumer%20Electronics`) are read by the article-link pattern
`/presscenter/news/YYYYMMDD-NNNNN.html` first and CSS classes second, deduplicated by URL.
Article pages give the title (`h1`), the date, categories and author (`div.tag-row`) and the
body once the page furniture is removed; `og:` metadata is the fallback. The two editions of
one story have different ids: they are linked afterwards by date and title
(`tracker/editions.py`), not here.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from w3lib.url import add_or_replace_parameter

from crawler.dates import find_day, from_iso
from crawler.faults import short_url
from crawler.items import DocumentError, make_document
from crawler.listing import Entry, ItemFields, Listing, next_page_link
from crawler.pagetext import article_text
from crawler.spiders.base import ListingSpider
from crawler.urls import canonical_url, same_origin_path
from vocab.text import clean_line

NOT_BODY = ("div.tag-row", "div.tag-wrapper", "div.content_ad", "div.press-choose-post",
            "div.article_highlight-area-BG_wrap", "hr", "h1")
SITE_SUFFIX = re.compile(r"\s*[|｜]\s*TrendForce.*$", re.IGNORECASE)


def listing_path(section: str) -> str:
    """`news` is the full list; any other section is a category path, percent-encoded."""
    if section.strip("/") == "news":
        return "/presscenter/news"
    return "/presscenter/news/" + quote(section.strip("/"), safe="")


class TrendforceSpider(ListingSpider):
    name = "trendforce"
    item_path = re.compile(r"^/presscenter/news/(?P<id>(?P<day>\d{8})-\d+)\.html$")
    # Classes second: a restyled list whose links still carry the date-id pair somewhere.
    item_hints = ("div.list-item h3 a[href]", "div.list-item a.title-link[href]",
                  "div.advs-box h2 > a.text-m[href]", "a.title-link[href]")
    loose_item_path = re.compile(
        r"^/presscenter/news/.*?(?P<id>(?P<day>\d{8})-\d+)(?:\.html?)?/?$")
    fields = ItemFields(title="h3, h2", date="h4, p.bd-month", summary="p", date_in_text=True)
    origin_options = {"en": "base_url", "zh-Hans": "base_url_zh"}

    def listing_path(self, lang: str, section: str) -> str:
        return listing_path(section) + "?page=1"

    def next_page(self, response, listing: Listing) -> str | None:
        """`?page=N+1` of the same listing, as long as the pager offers a next page (the
        pager's own links name the site's real host and, on category pages, unknown paths)."""
        if not next_page_link(response):
            return None
        following = add_or_replace_parameter(listing.url, "page", str(listing.page + 1))
        return same_origin_path(following, self.origin(listing.lang))

    def article(self, response, entry: Entry) -> dict:
        """The document of an article page: title, date, categories and author from the
        page, the listing's summary (else og:description)."""
        where = short_url(response.url)
        container = (response.css("div.content div.presscenter") or response.css(".presscenter")
                     or response.css("div.content") or response.css("body"))
        container = container[0]
        title = clean_line(" ".join(container.css("h1 ::text").getall()))
        title = title or SITE_SUFFIX.sub("", _meta(response, "og:title"))
        tag_row = container.css("div.tag-row")
        day = None
        categories: list[str] = []
        author = ""
        if tag_row:
            tag_row = tag_row[0]
            calendar = tag_row.xpath(".//i[contains(concat(' ', normalize-space(@class), ' '), "
                                     "' fa-calendar ')]/..")
            day = find_day(clean_line(" ".join(calendar.xpath(".//text()").getall())))
            categories = list(dict.fromkeys(_next_to(tag_row, "fa-bookmark")))
            authors = _next_to(tag_row, "fa-user")
            author = authors[0] if authors else ""
        day = day or from_iso(_meta(response, "article:published_time"), self.source.zone)
        if not title:
            raise DocumentError(f"{self.name}: {where}: the article has no title (no h1, no "
                                f"og:title); the layout may have changed")
        if not day:
            raise DocumentError(f"{self.name}: {where}: the article has no publication date (no "
                                f"date in div.tag-row, no article:published_time); the layout "
                                f"may have changed")
        text = article_text(container, drop=NOT_BODY)
        metadata: dict = {}
        if categories:
            metadata["categories"] = categories
        if author:
            metadata["author"] = author
        image = _meta(response, "og:image")
        if image:
            metadata["image"] = response.urljoin(image)
        return make_document(
            source=self.name, external_id=entry.external_id, lang=entry.lang,
            url=canonical_url(response.url), title=title, published=day, text=text,
            summary=entry.summary or _meta(response, "og:description"), doc_type="press_release",
            metadata=metadata, page=where)


def _meta(response, prop: str) -> str:
    return clean_line(response.css(f'meta[property="{prop}"]::attr(content)').get()
                      or response.css(f'meta[name="{prop}"]::attr(content)').get() or "")


def _next_to(tag_row, icon: str) -> list[str]:
    """Texts of the links that follow an icon (`i.fa-bookmark`, `i.fa-user`) in the tag row."""
    texts = []
    for node in tag_row.css(f"i.{icon}"):
        texts += [clean_line(t) for t in node.xpath(
            "following-sibling::a//text() | ../following-sibling::a//text()").getall()]
    return [t for t in texts if t]
