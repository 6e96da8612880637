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
from datetime import date
from urllib.parse import quote

import scrapy

from crawler.dates import find_day, from_iso
from crawler.items import DocumentError, document_id, make_document
from vocab.text import clean_line
from crawler.listing import find_entries, next_page_link, stop_paging, triage
from crawler.pagetext import article_text
from crawler.spiders.base import ChipwatchSpider, short_url
from crawler.urls import canonical_url, same_origin_path

ITEM_PATH = re.compile(r"^/presscenter/news/(\d{8})-(\d+)\.html$")
# Classes second: a restyled list whose links still carry the date-id pair somewhere.
LOOSE_ITEM_PATH = re.compile(r"^/presscenter/news/.*?(\d{8})-(\d+)(?:\.html?)?/?$")
CLASS_HINTS = ("div.list-item h3 a[href]", "div.list-item a.title-link[href]",
               "div.advs-box h2 > a.text-m[href]", "a.title-link[href]")
NOT_BODY = ("div.tag-row", "div.tag-wrapper", "div.content_ad", "div.press-choose-post",
            "div.article_highlight-area-BG_wrap", "hr", "h1", "script", "style")
SITE_SUFFIX = re.compile(r"\s*[|｜]\s*TrendForce.*$", re.IGNORECASE)


def listing_path(section: str) -> str:
    """`news` is the full list; any other section is a category path, percent-encoded."""
    if section.strip("/") == "news":
        return "/presscenter/news"
    return "/presscenter/news/" + quote(section.strip("/"), safe="")


class TrendforceSpider(ChipwatchSpider):
    name = "trendforce"

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.bases = {
            "en": self.options.base_url,
            "zh-Hans": self.options.base_url_zh,
        }
        self.languages = self.options.languages
        self.sections = self.options.sections
        self.requested: set[str] = set()

    async def start(self):
        for lang in self.languages:
            for section in self.sections:
                yield self._listing(lang, listing_path(section), 1)

    def _listing(self, lang: str, path: str, page: int) -> scrapy.Request:
        return scrapy.Request(f"{self.bases[lang]}{path}?page={page}", callback=self.parse,
                              errback=self.errback,
                              cb_kwargs={"lang": lang, "path": path, "page": page})

    # -- listing ----------------------------------------------------------------------------

    def parse(self, response, lang: str = "en", path: str = "/presscenter/news", page: int = 1):
        if self.check_blocked(response):
            return
        entries = find_entries(response, ITEM_PATH) or self._by_classes(response)
        if not entries:
            self.problem(f"{self.name}: listing {response.url} matched no items: "
                         f"the page layout may have changed")
            return
        to_fetch = known = old = 0
        oldest: date | None = None
        for entry in entries:
            day_prefix, number = entry.match.group(1), entry.match.group(2)
            external_id = f"{day_prefix}-{number}"
            title, day, summary = listing_fields(entry)
            day = day or find_day(f"{day_prefix[:4]}-{day_prefix[4:6]}-{day_prefix[6:]}")
            if day and (oldest is None or day < oldest):
                oldest = day
            stored = self.known.get(document_id(self.name, external_id, lang))
            decision = triage(stored, title, day, self.since)
            if decision == "old":
                old += 1
                continue
            if decision == "known":
                known += 1
                continue
            url = same_origin_path(entry.url, self.bases[lang])
            if url in self.requested:  # the same story listed in two sections
                continue
            self.requested.add(url)
            to_fetch += 1
            yield scrapy.Request(url, callback=self.parse_article, errback=self.errback,
                                 cb_kwargs={"lang": lang, "external_id": external_id,
                                            "summary": summary})
        self.progress(f"{lang} {path} page {page}: {len(entries)} items, {to_fetch} to "
                      f"fetch, {known} already stored, {old} older than {self.since}")
        if stop_paging(mode=self.mode, pages=page, max_pages=self.max_pages, since=self.since,
                       oldest=oldest, fetched=to_fetch) or not next_page_link(response):
            return
        yield self._listing(lang, path, page + 1)

    def _by_classes(self, response) -> list:
        """Second chance for a restyled list: known item classes, looser link pattern."""
        hinted = {response.urljoin(href) for selector in CLASS_HINTS
                  for href in response.css(selector).xpath("@href").getall()}
        if not hinted:
            return []
        entries = find_entries(response, LOOSE_ITEM_PATH)
        return [e for e in entries if any(h.split("?")[0].startswith(e.url) for h in hinted)]

    # -- article ----------------------------------------------------------------------------

    def parse_article(self, response, lang: str, external_id: str, summary: str = ""):
        if self.check_blocked(response):
            return
        doc = self.make(article_document, response, lang, external_id, summary)
        if doc:
            yield doc


def listing_fields(entry) -> tuple[str, date | None, str]:
    """Title, listing date and summary of one listing item."""
    titles = entry.texts("h3") or entry.texts("h2") or entry.anchor_texts()
    title = titles[0] if titles else ""
    dates = entry.texts("h4") + entry.texts("p.bd-month") + [entry.context_text()]
    day = next((d for d in map(find_day, dates) if d), None)
    summaries = [t for t in entry.texts("p") if t != title]
    return title, day, summaries[0] if summaries else ""


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


def article_document(response, lang: str, external_id: str, summary: str = "") -> dict:
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
    day = day or from_iso(_meta(response, "article:published_time"))
    if not title:
        raise DocumentError(f"trendforce: {where}: the article has no title (no h1, no "
                            f"og:title); the layout may have changed")
    if not day:
        raise DocumentError(f"trendforce: {where}: the article has no publication date (no "
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
        source="trendforce", external_id=external_id, lang=lang,
        url=canonical_url(response.url), title=title, published=day, text=text,
        summary=summary or _meta(response, "og:description"), doc_type="press_release",
        metadata=metadata, page=where)
