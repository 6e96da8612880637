"""TSMC newsroom, pr.tsmc.com (SOURCES.md §4), in English, Traditional and Simplified Chinese.

Listings `/<path>/latest-news` (routine) or `/<path>/news-archives` (backfill) link to
`/<path>/news/<id>`; the numeric id is shared by the three editions, so each document's
`group_key` is `tsmc:<id>`. The English body opens with a dateline
(`HSINCHU, Taiwan, R.O.C. – June 10, 2026 –`), the Chinese one with a header
(`發佈單位 :… 發佈日期 : 2024/10/17`): both are kept apart from the text in `dateline`.
The site sits behind Cloudflare: a 403 or a challenge page is an error, never "no news".
"""

from __future__ import annotations

import re

from crawler.dates import find_day, from_iso
from crawler.faults import short_url
from crawler.items import DocumentError, make_document
from crawler.listing import Entry, ItemFields, Listing
from crawler.pagetext import article_text
from crawler.spiders.base import ListingSpider
from crawler.urls import canonical_url
from vocab.text import clean_line

LANGUAGE_PATHS = {"en": "english", "zh-Hant": "chinese", "zh-Hans": "schinese"}
LEADING_DAY = re.compile(r"^\s*\d{4}\s*/\s*\d{1,2}\s*/\s*\d{1,2}\s*")

MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
DATELINE_EN = re.compile(
    r"^\s*(?P<line>[A-Za-z][A-Za-z .'-]{1,40},\s*Taiwan\s*,?\s*R\.?\s?O\.?\s?C\.?"
    r"\s*[,.]?\s*[–—-]?\s*(?P<date>" + MONTH + r"\s+\d{1,2}\s*,?\s*\d{4}))\s*[–—-]+\s*",
    re.IGNORECASE)
HEADER_ZH = re.compile(
    r"^\s*(?P<line>[發发][佈布]單?单?位\s*[:：]\s*\S.*?[發发][佈布]日期\s*[:：]\s*"
    r"(?P<date>\d{4}\s*/\s*\d{1,2}\s*/\s*\d{1,2}))\s*", re.DOTALL)
BODY = ("div.node__content div.field--name-body", "div.field--name-body",
        "div.node__content", "article")
NOT_BODY = (".field--name-field-image", ".articleSubInfo", ".field--name-field-category",
            ".field--name-field-attachment", 'a[href*="/system/files/"]')
CATEGORY = ".field--name-field-category, .article-category, .category"


class TsmcSpider(ListingSpider):
    name = "tsmc"
    item_path = re.compile(r"^/(?P<edition>english|chinese|schinese)/news/(?P<id>\d+)/?$")
    # Latest-news teasers show `.article-title` and `time`; the archive's anchors read
    # "2026/04/10 TSMC March 2026 Revenue Report".
    fields = ItemFields(title=".article-title", date="time", tags=CATEGORY, date_in_text=True)

    def listing_path(self, lang: str, section: str) -> str:
        listing = "news-archives" if self.mode == "backfill" else "latest-news"
        return f"/{LANGUAGE_PATHS[lang]}/{listing}"

    def entries(self, response, listing: Listing) -> list[Entry]:
        """Items of the listing's own edition (a page links the other editions too)."""
        edition = LANGUAGE_PATHS[listing.lang]
        entries = [e for e in super().entries(response, listing)
                   if e.match["edition"] == edition]
        for entry in entries:
            entry.title = LEADING_DAY.sub("", entry.title)
        return entries

    def article(self, response, entry: Entry) -> dict:
        """The document of an article page; the listing gave its edition, id and category."""
        lang, news_id = entry.lang, entry.external_id
        title = (response.css("h1 ::text").getall()
                 or response.css('meta[property="og:title"]::attr(content)').getall())
        title = clean_line(" ".join(title))
        title = re.sub(r"\s*\|\s*TSMC\b.*$", "", title)
        body_node = next((node for selector in BODY for node in response.css(selector)), None)
        raw = article_text(body_node, drop=NOT_BODY) if body_node is not None else ""
        dateline, text, dateline_day = split_dateline(raw, lang)
        zone = self.source.zone
        day = (from_iso(response.css("article time::attr(datetime)").get()
                        or response.css("time::attr(datetime)").get(), zone)
               or from_iso(response.css('meta[property="article:published_time"]::attr(content)')
                           .get(), zone)
               or dateline_day)
        where = short_url(response.url)
        if not day:
            raise DocumentError(f"{self.name}: {where}: the article has no publication date (no "
                                f"time[datetime], dateline or 發佈日期 header); the layout may "
                                f"have changed")
        if not text and title:
            raise DocumentError(f"{self.name}: {where}: the article has no body text (looked for "
                                f"div.field--name-body); the layout may have changed")
        category = (entry.tags or [clean_line(" ".join(
            response.css(".field--name-field-category ::text").getall()))])[0]
        attachments = [response.urljoin(href) for href in
                       response.css('a[href*="/system/files/"]::attr(href)').getall()]
        metadata = {"news_id": news_id}
        if category:
            metadata["category"] = category
        if attachments:
            metadata["attachments"] = list(dict.fromkeys(attachments))
        return make_document(
            source=self.name, external_id=news_id, lang=lang, url=canonical_url(response.url),
            title=title, published=day, text=text, dateline=dateline,
            summary=response.css('meta[property="og:description"]::attr(content)').get() or "",
            doc_type="news", group_key=f"tsmc:{news_id}", metadata=metadata, page=where)


def split_dateline(text: str, lang: str) -> tuple[str, str, object]:
    """(dateline, rest of the text, day written in the dateline) of an article body."""
    pattern = DATELINE_EN if lang == "en" else HEADER_ZH
    match = pattern.match(text)
    if not match and lang != "en":
        match = DATELINE_EN.match(text)
    if not match:
        return "", text, None
    return (clean_line(match.group("line")), text[match.end():].strip(),
            find_day(match.group("date")))
