"""Publication days as Taiwan sources write them (SOURCES.md §4, §5, §7).

Every result is a `date` (day precision). A date-time with a zone is read in Asia/Taipei
(UTC+8 all year, no daylight saving), so a Drupal `2026-06-09T16:30:00Z` is 10 June in Taipei.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

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


def from_iso(value: str | None) -> date | None:
    """`time[datetime]` and `article:published_time` values."""
    if not value:
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        match = ISO.search(value)
        return _day(*match.groups()) if match else None
    if moment.tzinfo is not None:
        return moment.astimezone(TAIPEI).date()
    return moment.date()


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
