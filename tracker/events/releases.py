"""The same release on two sites, and the same title within a few days.

Commerce and BIS post one press release under two addresses (commerce.gov and bis.gov), on
the same day or the next, with the same title or the same opening words. Two announcements
from different sources published within a day of each other that share their normalised
title or the first twenty significant words of their body are the same release.

More widely, two documents from different sources whose normalised titles are the same and
specific (four significant words, eight Chinese characters) and that were published within
14 days are one story (a proclamation on the White House site and in the Federal Register).
Two Federal Register documents never link by title: each has its own number, and a title
reused there is a new action ("Additions to the Entity List"). A document that finds two
partners from one source links to neither.
"""

from __future__ import annotations

from vocab.events import short_label

from .docs import Doc, days_between, significant, words
from .evidence import Candidate, Found, candidate

KEY_PAIRS = (("title", "title"), ("lead", "lead"))
SAME_RELEASE_DAYS = 1
TITLE_WINDOW_DAYS = 14
LEAD_WORDS = 20


def keys(doc: Doc) -> set[tuple[str, str]]:
    found = set()
    if significant(doc.title):
        found.add(("title", doc.norm_title))
    if doc.is_announcement:
        lead = words(doc.text)[:LEAD_WORDS]
        if len(lead) == LEAD_WORDS:
            found.add(("lead", " ".join(lead)))
    return found


def find(a: Doc, b: Doc, shared: set[tuple[str, str, str]]) -> list[Candidate]:
    if a.source == b.source or (a.is_fr and b.is_fr):
        return []
    gap = days_between(a, b)
    if gap is None:
        return []
    kinds = {kind for kind, _, _ in shared}
    if a.is_announcement and b.is_announcement and abs(gap) <= SAME_RELEASE_DAYS \
            and kinds & {"title", "lead"}:
        what = "title" if "title" in kinds else "opening words"
        return [candidate(a, b, "same_release", 85,
                          f"the same {what} on {short_label(a.source, 'en')} and "
                          f"{short_label(b.source, 'en')}"
                          + (" on the same day" if gap == 0 else f", {abs(gap)} day apart"))]
    if "title" in kinds and abs(gap) <= TITLE_WINDOW_DAYS:
        return [candidate(a, b, "title_window", 60,
                          f"the same title, {abs(gap)} day{'s' if abs(gap) != 1 else ''} "
                          f"apart: “{a.title}”")]
    return []


def accept(item: Candidate, found: Found) -> bool:
    """Each side has no other partner of the same reason from the other side's source."""
    for this, that in ((item.a, item.b), (item.b, item.a)):
        source = found.docs[that].source
        rivals = [c for c in found.of(this, item.reason)
                  if c != item and found.docs[Found.other(c, this)].source == source]
        if rivals:
            return False
    return True
