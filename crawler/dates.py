"""Publication days as the sources write them (SOURCES.md §7), read in the source's zone.

Every result is a `date` (day precision). A date-time with a zone is read in the source's own
zone: Taiwan sources in Asia/Taipei (UTC+8 all year), so a Drupal `2026-06-09T16:30:00Z` is
10 June in Taipei; US sources in America/New_York.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from vocab.text import clean_line

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")
MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
    ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}

ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
SLASHED = re.compile(r"\b(\d{4})\s*/\s*(\d{1,2})\s*/\s*(\d{1,2})\b")
CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})\s*,?\s*(\d{4})\b")


def from_iso(value: str | None, zone: tzinfo = TAIPEI) -> date | None:
    """The day of a `time[datetime]`, `data-date` or `article:published_time` value; a
    date-time with an offset is read in `zone` (the source's own)."""
    if not value:
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        match = ISO.search(value)
        return _day(*match.groups()) if match else None
    if moment.tzinfo is not None:
        return moment.astimezone(zone).date()
    return moment.date()


def day_of_digits(value: str | None) -> date | None:
    """A "YYYYMMDD" run of digits (TrendForce's article ids begin with one)."""
    if not value or not re.fullmatch(r"\d{8}", value):
        return None
    return _day(value[:4], value[4:6], value[6:])


def find_day(text: str | None) -> date | None:
    """The first day written in `text` in any of the forms these sites use."""
    if not text:
        return None
    candidates = []
    for pattern, order in ((ISO, "ymd"), (SLASHED, "ymd"), (CHINESE, "ymd"),
                           (DAY_MONTH_YEAR, "dmy"), (MONTH_DAY_YEAR, "mdy")):
        for match in pattern.finditer(text):
            day = _from_match(match, order)
            if day:
                candidates.append((match.start(), day))
                break
    return min(candidates)[1] if candidates else None


def _from_match(match, order: str) -> date | None:
    a, b, c = match.group(1), match.group(2), match.group(3)
    if order == "ymd":
        return _day(a, b, c)
    if order == "dmy":
        month = MONTHS.get(b.lower())
        return _day(c, month, a) if month else None
    month = MONTHS.get(a.lower())
    return _day(c, month, b) if month else None


def _day(year, month, day) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


# -- US sources: "November 19, 2025", "Monday, February 26, 2024" ------------------------

NEW_YORK = ZoneInfo("America/New_York")
US_FORMATS = ("%A, %B %d, %Y", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%A, %b %d, %Y")
WEEKDAY_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+"
    r"[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}")


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


# -- Taiwan's official calendar: year 1 of the Republic of China (民國) is 1912 -------------

ROC_OFFSET = 1911
ROC_DATE = re.compile(
    r"(?<!\d)(?:民國)?\s*(\d{2,3})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d))")


def roc_day(text: str | None) -> date | None:
    """The first day written with a Republic of China year ("115年05月16日", "114-07-29",
    "114/7/29"): two or three digits of year, to which 1911 is added."""
    for match in ROC_DATE.finditer(text or ""):
        year, month, day = match.group(1), match.group(2) or match.group(4), \
            match.group(3) or match.group(5)
        found = _day(int(year) + ROC_OFFSET, month, day)
        if found:
            return found
    return None


def feed_moment(utc: datetime | None, zone: tzinfo) -> tuple[date | datetime | None, str]:
    """A feed's publication time in the source's zone, and its precision. Feeds write times
    in GMT; a record the site keeps as a day alone is written as local midnight (Taiwan's
    government feeds: 16:00 GMT the day before), so local midnight means "day"."""
    if utc is None:
        return None, ""
    local = utc.astimezone(zone)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return local.date(), "day"
    return local, "datetime"
