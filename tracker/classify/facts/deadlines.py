"""Deadlines: when a measure takes effect, when its comment period closes, when compliance is
due. From the source's own fields (the Federal Register's `effective_on` and
`comments_close_on`, and the sentences of its `dates` field) and from the text, in English
("effective March 1, 2026", "comments must be received by ...") and Chinese ("自…起生效",
"意見…截止")."""

from __future__ import annotations

import re
from datetime import date

from ..rules import latin_words
from ..text import Prepared
from . import dates
from .model import Deadline

# What may stand between "effective" and its date: "effective on", "effective as of",
# "effective at 12:01 a.m. eastern daylight time on".
_FILLER = (r"(?:[\s,:;(]|(?:on|as|of|is|was|will|be|beginning|starting|from|at|upon|date|"
           r"dates|the|immediately|\d{1,2}:\d{2}|a\.m\.|p\.m\.|eastern|standard|daylight|"
           r"time|et|est|edt)(?![a-z]))*?")
# Each phrase is matched from its trigger word ("effect" of "takes effect" looks behind).
_EFFECTIVE = re.compile(
    r"(?:effective|applicable|(?:(?<=takes )|(?<=take )|(?<=took )|(?<=taking )|(?<=into ))"
    r"effect|(?<=into )force)(?![a-z])" + _FILLER + dates.ENGLISH_DATE)
_TIME = r"(?:(?:\d{1,2}(?::\d{2})?\s?[ap]\.?m\.?|noon|midnight)[^.;]{0,40}?\bon\s+)?"
_COMMENTS = re.compile(
    r"(?:comments?|comment period|submissions?)(?![a-z])[^.;]{0,120}?"
    r"(?<![a-z])(?:by|on or before|no later than|before|until|through|closes? on|ends? on|"
    r"due(?: on| by)?)\s+" + _TIME + dates.ENGLISH_DATE)
_COMPLIANCE = re.compile(
    r"(?:compliance date|comply|compliance)(?![a-z])[^.;]{0,80}?(?<![a-z])"
    r"(?:by|no later than|on or before|beginning|starting|before|until|is|of|on)\s+"
    + dates.ENGLISH_DATE)
# kind, (trigger, the words that contain it), the phrase read from the trigger on
_ENGLISH = (
    ("effective", (("effective", {"effective"}), ("effect", {"effect"}), ("force", {"force"}),
                   ("applicable", {"applicable"})), _EFFECTIVE),
    ("comments_close", (("comment", {"comment", "comments"}),
                        ("submission", {"submission", "submissions"})), _COMMENTS),
    ("compliance", (("complian", {"compliance", "compliant"}), ("comply", {"comply"})),
     _COMPLIANCE))
_TRIGGER_WORDS = frozenset(word for _, triggers, _ in _ENGLISH for _, words in triggers
                           for word in words)

# Chinese deadlines are read around each date ("月" finds them): what follows the date, or
# what comes right before it, says what falls due.
_ZH_DATE = re.compile(dates.CHINESE_DATE)
_ZH_AFTER = (
    ("effective", re.compile(r"\s?(?:零时|0时)?\s?(?:起|开始)?\s?(?:正式)?\s?"
                             r"(?:生效|实施|施行|上路|起征|开征|适用)")),
    ("comments_close", re.compile(r"\s?(?:前|以前|之前|止)[^。;；]{0,15}?"
                                  r"(?:提交|提出|递交|送交|提供|回复)[^。;；]{0,10}?意见")),
    ("compliance", re.compile(r"\s?(?:前|以前|之前|起)[^。;；]{0,15}?(?:遵守|遵循|符合|合规)")),
)
_ZH_BEFORE = (
    ("effective", re.compile(r"生效(?:日期|日)\s?(?:为|是|:)?\s?$")),
    ("comments_close", re.compile(r"(?:意见|评论)[^。;；]{0,20}?(?:截止|截至|至|到|于)\s?$")),
)
_ZH_LEAD_IN = re.compile(r"(?:自|从|于|将于|并于|已于|将自|订于|定于)\s?$")  # quoted with the date
_ZH_REACH = 24  # characters before a date that may say what it is

# The Federal Register's own fields.
METADATA_FIELDS = (("effective_on", "effective"), ("comments_close_on", "comments_close"))


def from_text(doc: Prepared, base: date | None) -> list[tuple[int, int, str, date]]:
    """(start, end, kind, date) of every deadline the text states."""
    found = []
    words = doc.words or set()
    if not _TRIGGER_WORDS.isdisjoint(words):
        lowered = doc.lowered
        for kind, triggers, pattern in _ENGLISH:
            present = tuple(t for t, in_words in triggers if not words.isdisjoint(in_words))
            for start in _starts(lowered, present):
                m = pattern.match(lowered, start)
                if m:
                    day = dates.english(m, base)
                    if day:
                        found.append((m.start(), m.end(), kind, day))
    if doc.has_cjk:
        found += _chinese(doc.match, base)
    return found


def _chinese(text: str, base: date | None) -> list[tuple[int, int, str, date]]:
    found, seen = [], set()
    pos = text.find("月")
    while pos >= 0:
        for m in _ZH_DATE.finditer(text, max(0, pos - 8), min(len(text), pos + 8)):
            if not m.start() <= pos < m.end() or m.span() in seen:
                continue
            seen.add(m.span())
            day = dates.chinese(m, base)
            if day is None:
                continue
            lead = _ZH_LEAD_IN.search(text, max(0, m.start() - 3), m.start())
            start = lead.start() if lead else m.start()
            for kind, after in _ZH_AFTER:
                tail = after.match(text, m.end())
                if tail:
                    found.append((start, tail.end(), kind, day))
                    break
            else:
                for kind, before in _ZH_BEFORE:
                    head = before.search(text, max(0, m.start() - _ZH_REACH), m.start())
                    if head:
                        found.append((head.start(), m.end(), kind, day))
                        break
        pos = text.find("月", pos + 1)
    return found


def _starts(text: str, triggers: tuple[str, ...]) -> list[int]:
    """Where each trigger begins a word."""
    starts = []
    for trigger in triggers:
        pos = text.find(trigger)
        while pos >= 0:
            if not (pos and text[pos - 1].isalpha()):
                starts.append(pos)
            pos = text.find(trigger, pos + 1)
    return sorted(set(starts))


def from_metadata(metadata: dict, base: date | None) -> list[Deadline]:
    """The Federal Register's effective_on and comments_close_on, and what its `dates`
    field states."""
    found = []
    for key, kind in METADATA_FIELDS:
        value = metadata.get(key)
        day = dates.base_date(value) if isinstance(value, str) else None
        if day:
            found.append(Deadline(kind, day.isoformat(), f"Federal Register {key}: {value}",
                                  origin="metadata"))
    stated = metadata.get("dates")
    if isinstance(stated, str) and stated.strip():
        from ..text import prepare  # the dates field read like a short text

        doc = prepare("", stated)
        doc.words = set(latin_words(doc.lowered))
        for start, _end, kind, day in from_text(doc, base):
            found.append(Deadline(kind, day.isoformat(), _sentence(doc, start),
                                  origin="metadata"))
    return found


def _sentence(doc: Prepared, pos: int) -> str:
    for start, end in doc.sentences:
        if start <= pos < end:
            return doc.quote(start, end).strip()
    return doc.display.strip()
