"""Sources stated as data: how each edition of a declared source is read.

A declared source's registry entry (vocab/sources.toml) has a `read` table per language,
which this module gives its meaning and checks (`Reading`): where its feed (RSS or Atom) or
HTML listing is, which links are its items and where their ids are (a path pattern, a query
parameter, the guid), whether the feed carries the body or only a summary, and how an
article page is read (`PageRules`: CSS selectors, or XPath written `xpath:...`). One spider
(crawler/spiders/declared.py) reads every declared source; the functions here only parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache
from html import unescape
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlsplit

from parsel import Selector
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from crawler.dates import find_day, from_iso, roc_day, us_date
from crawler.listing import ItemFields
from crawler.pagetext import article_text
from vocab.errors import ConfigError
from vocab.sources import get_source
from vocab.text import clean_line


def _listed(value):
    return [value] if isinstance(value, str) else value


Selectors = Annotated[list[str], BeforeValidator(_listed)]


def _pattern(value: str) -> str:
    try:
        re.compile(value)  # a bad pattern fails when the declaration is read
    except re.error as exc:
        raise ValueError(f"{value!r} is not a regular expression ({exc})") from None
    return value


Pattern = Annotated[str, BeforeValidator(_pattern)]


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageRules(_Rules):
    """How an article page is read. Every field is a selector or a list of them, tried in
    order; `scope` narrows the page first (a footer's own date stays out)."""
    scope: str = ""
    title: Selectors = []
    date: Selectors = []
    calendar: Literal["gregorian", "roc"] = "gregorian"  # roc: 115年05月16日, 114-07-29
    subtitle: Selectors = []
    body: Selectors = []
    drop: Selectors = []  # furniture inside the body (photos, videos, related links)
    other_edition: str = ""  # a link to the same story in the source's other language


class ListingRules(_Rules):
    """What an HTML listing shows of each item (see crawler/listing.py ItemFields)."""
    scope: str = "//body"
    title: str = ""
    date: str = "time"
    summary: str = ""
    calendar: Literal["gregorian", "roc"] = "gregorian"


class Reading(_Rules):
    """How one edition of a declared source is read."""
    site: str = "base_url"  # the configuration key of the origin it is on
    feed: str = ""  # path (and query) of its RSS or Atom feed...
    listing: str = ""  # ...or of its HTML listing
    item: Pattern  # the path of an item's link; a group `id` is the item's own id
    id_param: str = ""  # or: the query parameter that holds the id (any case)
    guid_id: Pattern = ""  # or: a pattern over the guid whose group `id`, when it matches,
    # is the id (else the canonical URL is)
    # "feed": the feed carries the body (content:encoded, else the description), and the
    # page is read only for an item without one; "page": the description is only a summary.
    body: Literal["feed", "page"] = "feed"
    charset: str = ""  # the charset the site really uses, when it declares another or none
    paging: str = ""  # the query parameter numbering a feed's older pages (?paged=2)
    drop: Selectors = []  # furniture inside a feed's body (CSS)
    drop_text: Selectors = []  # patterns of paragraphs that are furniture ("The post ...")
    cut_at: Selectors = []  # a paragraph starting with one of these ends the body (contacts)
    doc_type: str = ""  # the documents' type; else the item's first category that is not
    plain_categories: Selectors = []  # one of these (a section every item is filed under)
    # "title": posts of the same title on the same day are one story (a re-published post)
    group: Literal["", "title"] = ""
    listing_fields: ListingRules = ListingRules()
    page: PageRules | None = None

    @model_validator(mode="after")
    def _complete(self):
        if bool(self.feed) == bool(self.listing):
            raise ValueError("give either a feed or a listing path")
        if self.body == "page" and self.page is None:
            raise ValueError("body = 'page' needs a page table saying how the page is read")
        if self.listing and self.page is None:
            raise ValueError("an HTML listing shows no bodies: give a page table")
        return self

    @property
    def pattern(self) -> re.Pattern:
        return re.compile(self.item)

    @property
    def item_fields(self) -> ItemFields:
        f = self.listing_fields
        return ItemFields(title=f.title, date=f.date, summary=f.summary)


@lru_cache(maxsize=None)
def readings(source: str) -> dict[str, Reading]:
    """Language -> how that edition of `source` is read, checked."""
    entry = get_source(source)
    found = {}
    for lang, table in entry.read.items():
        try:
            found[lang] = Reading.model_validate(table)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"vocab/sources.toml [{source}.read.\"{lang}\"] {where}: "
                              f"{first['msg']}") from None
        if found[lang].site not in entry.sites:
            raise ConfigError(f"vocab/sources.toml [{source}.read.\"{lang}\"] site: "
                              f"'{found[lang].site}' is none of {list(entry.sites)}")
    linking = [lang for lang, r in found.items() if r.page and r.page.other_edition]
    if len(linking) > 1:
        raise ConfigError(f"vocab/sources.toml [{source}]: only one edition may name the "
                          f"other (page.other_edition), not {linking}")
    return found


def query_value(url: str, name: str) -> str:
    """The value of the query parameter `name` (any case: sites write nodeID and nodeid)."""
    wanted = name.lower()
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.lower() == wanted:
            return value.strip()
    return ""


# -- pages -------------------------------------------------------------------------------


@dataclass
class PageRead:
    title: str
    moment: date | datetime | None  # a day, or a local date-time when the page shows one
    text: str
    subtitle: str = ""
    other_edition: str = ""  # absolute URL of the story in the other language


def read_page(response, rules: PageRules, zone: tzinfo, *, cut_at=()) -> PageRead:
    """What an article page says, read with `rules`."""
    scoped = _nodes(response, rules.scope) if rules.scope else []
    scope = scoped[0] if scoped else response
    title = next(iter(_texts(scope, rules.title)), "")
    moment = None
    for text in _texts(scope, rules.date):
        moment = read_moment(text, zone, rules.calendar)
        if moment:
            break
    subtitle = next(iter(_texts(scope, rules.subtitle)), "")
    body = next((nodes[0] for nodes in (_nodes(scope, s) for s in rules.body) if nodes), None)
    text = ""
    if body is not None:
        text = cut(article_text(body, drop=rules.drop, skip=(title, subtitle)), cut_at)
    link = ""
    if rules.other_edition:
        href = scope.css(rules.other_edition).xpath("@href").get() \
            or response.css(rules.other_edition).xpath("@href").get()
        link = response.urljoin(href.strip()) if href and href.strip() else ""
    return PageRead(title=title, moment=moment, text=text, subtitle=subtitle,
                    other_edition=link)


ISO_LOCAL = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:+-])")


def read_moment(text: str, zone: tzinfo, calendar: str = "gregorian") -> date | datetime | None:
    """A day or date-time as a page writes it: an ISO date-time with an offset (taken in
    `zone`), a local "YYYY-MM-DD HH:MM" (MOEA), a day in any of the usual forms, or (with
    calendar "roc") a Republic of China date."""
    text = clean_line(text)
    if not text:
        return None
    if calendar == "roc":
        day = roc_day(text)
        if day:
            return day
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d", text) and re.search(r"(Z|[+-]\d{2}:?\d{2})$", text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(zone)
        except ValueError:
            pass
    local = ISO_LOCAL.search(text)
    if local:
        y, m, d, hh, mm, ss = (int(v or 0) for v in local.groups())
        try:
            return datetime(y, m, d, hh, mm, ss, tzinfo=zone)
        except ValueError:
            pass
    return from_iso(text, zone) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else (
        find_day(text) or us_date(text))


def body_text(html: str, *, drop=(), drop_text=(), cut_at=()) -> str:
    """The paragraphs of a body a feed carries (HTML, or plain text with line breaks), without
    the furniture `drop` (CSS) and `drop_text` (patterns) name, cut at a contact block."""
    html = (html or "").strip()
    if not html:
        return ""
    if "<" not in html:  # plain text (entities and all): a line is a paragraph
        lines = map(clean_line, unescape(html).splitlines())
        text = "\n\n".join(line for line in lines if line)
    else:
        root = Selector(text=f"<div>{html}</div>").css("body > div")
        text = article_text(root[0], drop=drop) if root else ""
    patterns = [re.compile(p) for p in drop_text]
    paragraphs = [p for p in text.split("\n\n") if not any(r.search(p) for r in patterns)]
    return cut("\n\n".join(paragraphs), cut_at)


def cut(text: str, cut_at=()) -> str:
    """`text` up to the first paragraph that starts with one of `cut_at` (a press release's
    contact block: names and mobile numbers are not what an analyst reads)."""
    if not cut_at:
        return text
    kept = []
    for paragraph in text.split("\n\n"):
        if any(paragraph.startswith(start) for start in cut_at):
            break
        kept.append(paragraph)
    return "\n\n".join(kept)


def _nodes(node, selector: str):
    if selector.startswith("xpath:"):
        return node.xpath(selector[len("xpath:"):])
    return node.css(selector)


def _texts(node, selectors) -> list[str]:
    """Non-empty texts of `selectors` in order: an attribute's value (`::attr(...)`) or the
    text of an element."""
    found = []
    for selector in selectors:
        for match in _nodes(node, selector):
            value = match.get() if "::attr(" in selector or selector.endswith("::text") \
                else " ".join(match.xpath("string(.)").getall())
            value = clean_line(value)
            if value:
                found.append(value)
    return found
