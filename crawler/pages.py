"""Reading US government press-release pages: dates as they write them, datelines, and
body text without navigation. Pure functions over strings and Scrapy selectors."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crawler.items import clean_line, clean_text

NEW_YORK = ZoneInfo("America/New_York")
US_FORMATS = ("%A, %B %d, %Y", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%A, %b %d, %Y")
WEEKDAY_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+"
    r"[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}")
# "WASHINGTON, D.C. – Today, …", "WASHINGTON — …": an upper-case place, then a dash.
DATELINE = re.compile(r"^\s*((?:[A-Z][A-Z.'’]*\.?[ ,]*){1,6}?)\s*[–—-]{1,2}\s+(?=\S)")
# Blocks that carry text; nested blocks are skipped so no paragraph is read twice.
BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "blockquote", "pre", "td")
NOISE = ("nav", "header", "footer", "aside", "form", "script", "style", "noscript", "button",
         "svg", "template")


def us_date(value: str | None) -> date | None:
    """A publication day from what US sites write: an ISO date or date-time (a date-time is
    taken in America/New_York), "November 19, 2025", "Nov 19, 2025" or
    "Monday, February 26, 2024". None when there is nothing usable."""
    text = clean_line(value)
    if not text:
        return None
    iso = text.replace("Z", "+00:00")
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", iso):
            moment = datetime.fromisoformat(iso)
            if moment.tzinfo is not None:
                moment = moment.astimezone(NEW_YORK)
            return moment.date()
        if re.match(r"^\d{4}-\d{2}-\d{2}$", iso):
            return date.fromisoformat(iso)
    except ValueError:
        return None
    text = text.replace("Sept.", "Sep.").replace("Sept ", "Sep ")
    for fmt in US_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def weekday_date(text: str) -> date | None:
    """The first "Monday, February 26, 2024" in a run of text (a release header)."""
    match = WEEKDAY_DATE.search(text or "")
    return us_date(match.group(0)) if match else None


def split_dateline(text: str) -> tuple[str, str]:
    """("WASHINGTON, D.C.", "Today, …") from "WASHINGTON, D.C. – Today, …"; ("", text) when
    the text opens with no dateline."""
    match = DATELINE.match(text or "")
    if not match:
        return "", text
    place = match.group(1).strip(" ,")
    if len(re.sub(r"[^A-Z]", "", place)) < 3:
        return "", text
    return place, text[match.end():]


def block_text(node, skip=()) -> str:
    """The readable text of a selector: its paragraphs, list items and headings in document
    order, blank-line separated, leaving out navigation, forms and scripts, and any block
    whose text is in `skip` (the title, a header line)."""
    if node is None:
        return ""
    noise = " or ".join(f"ancestor::{tag}" for tag in NOISE)
    nested = " or ".join(f"ancestor::{tag}" for tag in BLOCKS)
    path = " | ".join(f".//{tag}[not({noise})][not({nested})]" for tag in BLOCKS)
    skipped = {clean_line(s).casefold() for s in skip if s}
    paragraphs = []
    for block in node.xpath(path):
        text = clean_text(" ".join(block.xpath(".//text()").getall()))
        if text and clean_line(text).casefold() not in skipped:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def body_with_dateline(text: str) -> tuple[str, str]:
    """Split the dateline off the first paragraph of a body."""
    first, sep, rest = text.partition("\n\n")
    place, first = split_dateline(first)
    if not place:
        return "", text
    return place, (first + sep + rest).strip()


def same_title(listed: str, stored: str) -> bool:
    """Whether a listing's title is the stored one: equal once case, spacing and quotes are
    set aside, or a listing title cut short with an ellipsis that the stored one begins."""
    def norm(value: str) -> str:
        value = clean_line(value).casefold().replace("’", "'").replace("“", '"').replace("”", '"')
        return re.sub(r"\s+", " ", value).strip()
    a, b = norm(listed), norm(stored)
    if a == b:
        return True
    for cut in ("…", "..."):
        if a.endswith(cut):
            return b.startswith(a[:-len(cut)].rstrip())
    return False
