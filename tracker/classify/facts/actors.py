"""Actors: who a document names, by the aliases of vocab/actors.toml (compiled with the rules
and found with the same index as their terms), and ECCNs and CFR parts by their shape, in
the text and in the Federal Register's cfr_references."""

from __future__ import annotations

import re

from ..rules import RuleBook, Scan
from .model import ActorMention

# 3A090, 4A090.a, 3B001: a digit, a letter A-E, three digits (in capitals, as the CCL writes).
_ECCN = re.compile(r"(?<![A-Za-z0-9])(?P<eccn>[0-9][A-E][0-9]{3})(?:\.[a-z0-9]+)*(?![A-Za-z0-9])")
# 15 CFR 744, 15 CFR part 744, 15 C.F.R. § 744.11, 15 CFR parts 730-774 (the first part).
_CFR = re.compile(r"(?<![\w.])(?P<title>\d{1,2})\s?C\.?\s?F\.?\s?R\.?\s?(?:[Pp]arts?\s?|§+\s?)?"
                  r"(?P<part>\d{1,4})(?!\d)")


def find_actors(scan: Scan, book: RuleBook, metadata: dict,
                look_for_eccns: bool) -> tuple[list[ActorMention], dict[str, set[int]]]:
    """The actors a document names, in the order they first appear, and for each the
    sentences that name it. ECCNs are looked for only in `look_for_eccns` documents (about
    export controls: nowhere else is a code like 3A090 worth the search)."""
    doc = scan.doc
    mentions: list[ActorMention] = []
    where: dict[str, set[int]] = {}
    for actor in _live_actors(book, scan):
        spans = actor.terms.find(scan)
        if not spans:
            continue
        start, end = spans[0]
        mentions.append(ActorMention(actor.name, actor.kind, doc.quote(start, end),
                                     actor.country, start))
        where[actor.name] = {doc.sentence_at(s) for s, _ in spans}
    words = doc.words or set()
    if (look_for_eccns or "eccn" in words or "eccns" in words) and _eccn_like(words):
        for m in _ECCN.finditer(doc.match):
            _add(mentions, where, doc, f"ECCN {m.group('eccn')}", "eccn", m)
    if "cfr" in words or ("r" in words and "c.f.r" in doc.lowered):
        for m in _CFR.finditer(doc.match):
            _add(mentions, where, doc, f"{int(m.group('title'))} CFR {int(m.group('part'))}",
                 "cfr", m)
    mentions.sort(key=lambda a: a.start)
    for ref in metadata.get("cfr_references") or []:
        if not isinstance(ref, dict):
            continue
        try:
            name = f"{int(ref.get('title'))} CFR {int(ref.get('part'))}"
        except (TypeError, ValueError):
            continue
        if name not in where:
            mentions.append(ActorMention(name, "cfr", f"Federal Register cfr_references: "
                                                       f"{name}", start=len(doc.match)))
            where[name] = set()
    return mentions, where


def _eccn_like(words: set[str]) -> bool:
    """Whether a word of the text could be an ECCN (3a090): asked of the words before the
    text is searched, which most documents then need not be."""
    return any(len(w) == 5 and w[0].isdigit() and w[1] in "abcde" and w[2:].isdigit()
               for w in words)


def _live_actors(book: RuleBook, scan: Scan) -> list:
    """The actors whose aliases may occur in the document, in the table's order (found from
    the term sets that may match, not by asking every actor)."""
    index = book.actor_index()
    return [actor for _, actor in sorted(index[key] for key in scan.live.intersection(index))]


def _add(mentions: list[ActorMention], where: dict[str, set[int]], doc, name: str, kind: str,
         m: re.Match) -> None:
    sentence = doc.sentence_at(m.start())
    if name in where:
        where[name].add(sentence)
        return
    mentions.append(ActorMention(name, kind, doc.quote(m.start(), m.end()), start=m.start()))
    where[name] = {sentence}
