"""Dates as documents write them, in English and Chinese, with the year taken from the
document's own date when the text leaves it out ("effective August 17")."""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
          "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# On lower-cased text: "march 1, 2026", "mar. 1 2026", "march 1", "1 march 2026", "2026-03-01".
ENGLISH_DATE = (
    r"(?:(?P<mon>" + _MONTH + r")\.?\s+(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?"
    r"(?:,?\s+(?P<year>\d{4})(?!\d))?"
    r"|(?P<day2>\d{1,2})\s+(?P<mon2>" + _MONTH + r")\.?,?\s+(?P<year2>\d{4})(?!\d)"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))")
# On text folded to Simplified: "2026年3月1日", "3月1日", "3 月 1 日".
CHINESE_DATE = (r"(?:(?P<zy>\d{4})\s?年\s?)?(?P<zm>\d{1,2})\s?月\s?(?P<zd>\d{1,2})\s?[日号]")

# A date with no year more than this long before the document's is taken for the next year.
_BEHIND = timedelta(days=90)


def base_date(value) -> date | None:
    """The document's own date ("2026-01-15", "2026-01-15T09:00:00-05:00"), if it has a day."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def resolve(year: str | None, month: int, day: int, base: date | None) -> date | None:
    """A calendar date, the year taken from `base` when `year` is missing."""
    try:
        if year:
            return date(int(year), month, day)
        if base is None:
            return None
        found = date(base.year, month, day)
        if found < base - _BEHIND:
            found = date(base.year + 1, month, day)
        return found
    except ValueError:
        return None


def english(m: re.Match, base: date | None) -> date | None:
    if m.group("iso"):
        try:
            return date.fromisoformat(m.group("iso"))
        except ValueError:
            return None
    if m.group("mon"):
        return resolve(m.group("year"), MONTHS[m.group("mon")[:3]], int(m.group("day")), base)
    return resolve(m.group("year2"), MONTHS[m.group("mon2")[:3]], int(m.group("day2")), base)


def chinese(m: re.Match, base: date | None) -> date | None:
    return resolve(m.group("zy"), int(m.group("zm")), int(m.group("zd")), base)
