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

import scrapy

from crawler.dates import find_day, from_iso
from crawler.items import DocumentError, document_id, make_document
from vocab.text import clean_line
from crawler.listing import find_entries, next_page_link, stop_paging, triage
from crawler.pagetext import article_text
from crawler.spiders.base import ChipwatchSpider, short_url
from crawler.urls import canonical_url, same_origin_path

LANGUAGE_PATHS = {"en": "english", "zh-Hant": "chinese", "zh-Hans": "schinese"}
ITEM_PATH = re.compile(r"^/(english|chinese|schinese)/news/(\d+)/?$")
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
NOT_BODY = (".field--name-field-image", ".articleSubInfo", "script", "style", "nav",
            ".field--name-field-category", ".field--name-field-attachment",
            'a[href*="/system/files/"]')


class TsmcSpider(ChipwatchSpider):
    name = "tsmc"

    def __init__(self, spec: dict | None = None, **kwargs):
        super().__init__(spec, **kwargs)
        self.base_url = self.options.base_url
        self.languages = self.options.languages
        self.pages: dict[str, int] = {}
        self.seen_ids: dict[str, set] = {}

    async def start(self):
        listing = "news-archives" if self.mode == "backfill" else "latest-news"
        for lang in self.languages:
            path = LANGUAGE_PATHS[lang]
            yield scrapy.Request(f"{self.base_url}/{path}/{listing}", callback=self.parse,
                                 errback=self.errback, cb_kwargs={"lang": lang})

    # -- listing ----------------------------------------------------------------------------

    def parse(self, response, lang: str = "en"):
        if self.check_blocked(response):
            return
        path = LANGUAGE_PATHS[lang]
        self.pages[lang] = self.pages.get(lang, 0) + 1
        entries = [e for e in find_entries(response, ITEM_PATH) if e.match.group(1) == path]
        if not entries:
            self.problem(f"{self.name}: listing {response.url} matched no items: "
                         f"the page layout may have changed")
            return
        seen = self.seen_ids.setdefault(lang, set())
        fresh = [e for e in entries if e.match.group(2) not in seen]
        to_fetch = known = old = 0
        oldest = None
        for entry in fresh:
            news_id = entry.match.group(2)
            seen.add(news_id)
            title, day, category = listing_fields(entry)
            if day and (oldest is None or day < oldest):
                oldest = day
            stored = self.known.get(document_id(self.name, news_id, lang))
            decision = triage(stored, title, day, self.since)
            if decision == "old":
                old += 1
                continue
            if decision == "known":
                known += 1
                continue
            to_fetch += 1
            yield scrapy.Request(
                same_origin_path(entry.url, self.base_url), callback=self.parse_article,
                errback=self.errback,
                cb_kwargs={"lang": lang, "news_id": news_id, "category": category})
        self.progress(f"{lang} listing page {self.pages[lang]}: {len(entries)} items, "
                      f"{to_fetch} to fetch, {known} already stored, {old} older than "
                      f"{self.since}")
        if not fresh:  # the "next" page repeated items already read (SOURCES.md §4)
            return
        if stop_paging(mode=self.mode, pages=self.pages[lang], max_pages=self.max_pages,
                       since=self.since, oldest=oldest, fetched=to_fetch):
            return
        next_link = next_page_link(response)
        if next_link:
            yield scrapy.Request(same_origin_path(response.urljoin(next_link), self.base_url),
                                 callback=self.parse, errback=self.errback,
                                 cb_kwargs={"lang": lang})

    # -- article ----------------------------------------------------------------------------

    def parse_article(self, response, lang: str, news_id: str, category: str = ""):
        if self.check_blocked(response):
            return
        doc = self.make(article_document, response, lang, news_id, category)
        if doc:
            yield doc


def listing_fields(entry) -> tuple[str, object, str]:
    """Title, day and category of one listing item (latest-news or archive markup)."""
    titles = entry.texts(".article-title") or [
        LEADING_DAY.sub("", t) for t in entry.anchor_texts()]
    title = next((t for t in titles if t), "")
    day = None
    for context in entry.contexts:
        day = from_iso(context.css("time::attr(datetime)").get())
        if day:
            break
    day = day or find_day(" ".join(entry.texts("time"))) or find_day(entry.context_text())
    categories = entry.texts(".field--name-field-category, .article-category, .category")
    return clean_line(title), day, categories[0] if categories else ""


def split_dateline(text: str, lang: str) -> tuple[str, str, object]:
    """(dateline, rest of the text, day written in the dateline) of an article body."""
    pattern = DATELINE_EN if lang == "en" else HEADER_ZH
    match = pattern.match(text)
    if not match and lang != "en":
        match = DATELINE_EN.match(text)
    if not match:
        return "", text, None
    return clean_line(match.group("line")), text[match.end():].strip(), find_day(match.group("date"))


def article_document(response, lang: str, news_id: str, category: str = "") -> dict:
    title = (response.css("h1 ::text").getall()
             or response.css('meta[property="og:title"]::attr(content)').getall())
    title = clean_line(" ".join(title))
    title = re.sub(r"\s*\|\s*TSMC\b.*$", "", title)
    body_node = next((node for selector in BODY for node in response.css(selector)), None)
    raw = article_text(body_node, drop=NOT_BODY) if body_node is not None else ""
    dateline, text, dateline_day = split_dateline(raw, lang)
    day = (from_iso(response.css("article time::attr(datetime)").get()
                    or response.css("time::attr(datetime)").get())
           or from_iso(response.css('meta[property="article:published_time"]::attr(content)')
                       .get())
           or dateline_day)
    where = short_url(response.url)
    if not day:
        raise DocumentError(f"tsmc: {where}: the article has no publication date (no "
                            f"time[datetime], dateline or 發佈日期 header); the layout may "
                            f"have changed")
    if not text and title:
        raise DocumentError(f"tsmc: {where}: the article has no body text (looked for "
                            f"div.field--name-body); the layout may have changed")
    category = category or clean_line(" ".join(
        response.css(".field--name-field-category ::text").getall()))
    attachments = [response.urljoin(href) for href in
                   response.css('a[href*="/system/files/"]::attr(href)').getall()]
    metadata = {"news_id": news_id}
    if category:
        metadata["category"] = category
    if attachments:
        metadata["attachments"] = list(dict.fromkeys(attachments))
    return make_document(
        source="tsmc", external_id=news_id, lang=lang, url=canonical_url(response.url),
        title=title, published=day, text=text, dateline=dateline,
        summary=response.css('meta[property="og:description"]::attr(content)').get() or "",
        doc_type="news", group_key=f"tsmc:{news_id}", metadata=metadata, page=where)
