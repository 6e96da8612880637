"""Boilerplate in a document's body, blanked before any rule looks so that a term there never
tags a document: a footer ("About TSMC", forward-looking statements, media contacts: from the
sentence that starts it to the end) and navigation that slipped through extraction (menus,
breadcrumbs, share buttons)."""

from __future__ import annotations

import re

from .rules import Boilerplate, Scan
from .text import Prepared

SHORT = 30  # characters: a menu entry or a breadcrumb part is no longer
RUN = 4  # this many short lines in a row at the edge of a body are a menu
_SEPARATORS = re.compile(r"\s*[|\u203a\u00bb\u00b7\u2022]\s*|\s+[>/]\s+")
_SEPARATOR = re.compile(r"[|\u203a\u00bb\u00b7\u2022]|(?<=[ \t])[>/](?=[ \t])")
_LINK_MARKS = ("|", "\u203a", "\u00bb", "\u00b7", "\u2022", " > ", " / ")
_ENDS_SENTENCE = re.compile(r"[.!?:;,\u3002\uff0c\uff1b\uff1a)\]\"'\u201d\u300d]$")
_LIST_ITEM = re.compile(r"^(?:[-*\u2022\u25cf\u25aa]|\(?\d+[.)\u3001]|\(?[a-z][.)])\s*")


def strip_boilerplate(scan: Scan, boilerplate: Boilerplate) -> None:
    doc = scan.doc
    body_start = doc.title_end + 1 if doc.title_end else 0
    if body_start >= len(doc.match):
        return
    one_paragraph = "\n" not in doc.lowered[body_start:]
    spans = [] if one_paragraph else _navigation(doc.lowered, body_start, boilerplate)
    footer = _footer_start(doc, boilerplate)
    if footer is not None:
        spans.append((footer, len(doc.match)))
    if spans:
        doc.blank(spans)
        scan.reset()


def _footer_start(doc: Prepared, boilerplate: Boilerplate) -> int | None:
    """Where the first sentence after the body's first that starts with a footer term
    begins."""
    regex = boilerplate.footer_regex
    if regex is None:
        return None
    text = doc.match
    for begin, end in doc.sentences[(1 if doc.title_end else 0) + 1:]:
        start = begin
        while start < end and text[start].isspace():
            start += 1
        if regex.match(text, start):
            return begin
    return None


def _navigation(text: str, body_start: int, boilerplate: Boilerplate) -> list[tuple[int, int]]:
    """Lines that are only a menu word, a breadcrumb or a row of links, and runs of short
    lines at either edge of the body."""
    lines = text[body_start:].split("\n")
    starts, offset = [], body_start
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    words = boilerplate.navigation
    links = any(mark in text for mark in _LINK_MARKS)  # most bodies have none: skip the rows
    menu = set()
    for i, line in enumerate(lines):
        line = line.strip()
        if line in words or (links and _SEPARATOR.search(line) and _is_link_row(line)):
            menu.add(i)
    for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
        run = []
        for i in order:
            if not (i in menu or _short(lines[i].strip())):
                break
            run.append(i)
        if len(run) >= RUN:
            menu.update(run)
    return [(starts[i], starts[i] + len(lines[i])) for i in sorted(menu)]


def _short(line: str) -> bool:
    """A line that could be a menu entry: short, not a sentence, not an item of a list."""
    return (0 < len(line) <= SHORT and not _ENDS_SENTENCE.search(line)
            and not _LIST_ITEM.match(line))


def _is_link_row(line: str) -> bool:
    if _ENDS_SENTENCE.search(line):
        return False
    parts = [p for p in _SEPARATORS.split(line) if p]
    return len(parts) >= 3 and all(len(p) <= SHORT for p in parts)
