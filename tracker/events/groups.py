"""Editions and corrections: documents that share a group_key.

The crawler gives the editions of one story a shared group_key (TSMC's numeric id across
English, Traditional and Simplified Chinese; TrendForce's editions are given one by
tracker/editions.py after each crawl), and a Federal Register correction (`C1-2026-16628`)
the group_key of the document it corrects."""

from __future__ import annotations

from .docs import Doc
from .evidence import Candidate, Found, candidate

KEY_PAIRS = (("group", "group"),)


def keys(doc: Doc) -> set[tuple[str, str]]:
    return {("group", doc.group_key)} if doc.group_key else set()


def find(a: Doc, b: Doc, shared: set[tuple[str, str, str]]) -> list[Candidate]:
    if not a.group_key or a.group_key != b.group_key:
        return []
    if a.is_fr and b.is_fr and a.is_correction != b.is_correction:
        fix, original = (a, b) if a.is_correction else (b, a)
        return [candidate(a, b, "correction", 95,
                          f"{fix.external_id} is a correction of {original.external_id}")]
    return [candidate(a, b, "edition", 90,
                      f"editions of one story: both have group_key {a.group_key}")]


def accept(item: Candidate, found: Found) -> bool:
    return True
