"""Rates: percentages where a tariff, duty or levy is spoken of (25 percent, 25%, 百分之二十,
20%關稅). What makes a sentence speak of one is the rules file's `[facts] rate_context`; a
percentage elsewhere (growth, market share, a revenue change) is not a rate."""

from __future__ import annotations

import re

from ..rules import RuleBook, Scan
from .numbers import parse

_BEFORE_PERCENT = re.compile(
    r"(?:(?P<low>\d+(?:\.\d+)?)\s?(?:-|\u2013|~|to|至|到)\s?)?"
    r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s?$")
_WORDS = (" percent", " per cent", "percent")
_CHINESE = re.compile(r"百分之(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百点]+)")


def find_rates(scan: Scan, book: RuleBook) -> list[tuple[int, int, float]]:
    """(start, end, percent) of every rate, in the order of the text."""
    doc = scan.doc
    text = doc.match
    spots: list[tuple[int, int]] = []  # where a percent sign or word starts and ends
    pos = text.find("%")
    while pos >= 0:
        spots.append((pos, pos + 1))
        pos = text.find("%", pos + 1)
    words = doc.words or set()
    if "percent" in words or "cent" in words:
        lowered = doc.lowered
        for word in ("percent", "per cent"):
            pos = lowered.find(word)
            while pos >= 0:
                end = pos + len(word)
                if not lowered[end:end + 1].isalpha():  # not "percentage"
                    spots.append((pos, end))
                pos = lowered.find(word, end)
    found: list[tuple[int, int, float]] = []
    for start, end in spots:
        m = _BEFORE_PERCENT.search(text, max(0, start - 24), start)
        if not m:
            continue
        if m.group("low"):
            found.append((m.start("low"), end, float(m.group("low"))))
        found.append((m.start("num"), end, float(m.group("num"))))
    if doc.has_cjk and "百分之" in text:
        for m in _CHINESE.finditer(text):
            value = parse(m.group("num"))
            if value is not None:
                found.append((m.start(), m.end(), value))
    if not found:
        return []
    context = book.rate_context
    kept = sorted({item for item in found
                   if context is None or scan.sentence_has(context, doc.sentence_at(item[0]))})
    return kept
