"""US Department of Commerce press releases (SOURCES.md §2).

Listing: `/news/<section>?page=N` (Drupal, 0-based), read by the article-link pattern
`/news/<section>/YYYY/MM/<slug>`; each card shows its type label, `time`, teaser, issue and
tag links; the site's own next-page link is followed. The identity is the canonical URL;
the date is the release day (`time[datetime]` taken in America/New_York, else the
"November 19, 2025" text). Archived copies (2017-2021.commerce.gov and the like) share
titles and are never followed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.dates import us_date
from crawler.faults import short_url
from crawler.items import DocumentError, make_document
from crawler.listing import Entry, ItemFields
from crawler.pagetext import article_text, split_us_dateline
from crawler.spiders.base import ListingSpider
from vocab.text import clean_line

ARCHIVE_HOST = re.compile(r"^\d{4}-\d{4}\.commerce\.gov$", re.I)
TYPE = ".field--name-field-news-type"
DATE = ".field--name-field-release-datetime time, time"
ISSUES = ".field--name-field-issues a"
TAGS = ".field--name-field-tags a"
SITE_SUFFIX = re.compile(r"\s*\|\s*U\.S\. Department of Commerce\s*$")


class CommerceSpider(ListingSpider):
    name = "commerce"
    item_path = re.compile(r"^/news/[a-z0-9-]+/\d{4}/\d{2}/[^/?#]+/?$")
    listing_scope = "//main"
    fields = ItemFields(date=DATE, summary=".field--name-body", doc_type=TYPE,
                        tags=f"{ISSUES}, {TAGS}")

    def listing_path(self, lang: str, section: str) -> str:
        return f"/news/{section}"

    def article(self, response, entry: Entry) -> dict | None:
        if ARCHIVE_HOST.match(urlsplit(response.url).hostname or ""):
            self.logger.warning(f"{self.name}: {entry.fetch_url} redirected to the archive "
                                f"{short_url(response.url)}; not followed")
            return None
        page = short_url(response.url)
        main = (response.css("main article") or response.css("main") or response.css("body"))[0]
        title = clean_line(" ".join(
            (response.css("main h1") or main.css("h1"))[:1].css("::text").getall()))
        if not title:
            title = SITE_SUFFIX.sub("", clean_line(
                response.css('meta[property="og:title"]::attr(content)').get()
                or response.css("title::text").get() or ""))
        published = release_day(main) or entry.published
        missing = [what for what, value in (("title", title), ("publication date", published))
                   if not value]
        if missing:
            raise DocumentError(f"{self.name}: article {page} has no "
                                f"{' and no '.join(missing)}: the page layout may have changed")
        body = main.css(".field--name-body")
        dateline, text = split_us_dateline(article_text(body[0] if body else main,
                                                        skip=(title,)))
        doc_type = (texts(main.css(TYPE)) or [entry.doc_type])[0]
        issues, tags = texts(main.css(ISSUES)), texts(main.css(TAGS))
        if not issues and not tags:
            tags = entry.tags  # the card's issues and tags, when the article shows none
        metadata = {"news_type": doc_type, "issues": issues, "tags": tags,
                    "section": urlsplit(entry.url).path.split("/")[2]}
        return make_document(source=self.name, external_id=entry.url, lang="en", url=entry.url,
                             title=title, published=published, text=text,
                             summary=entry.summary, dateline=dateline, doc_type=doc_type,
                             metadata=metadata, page=page)


def release_day(node):
    """The day of an article: `time[datetime]`, else the time's text."""
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
