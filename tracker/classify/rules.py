"""The rule table in its compiled form, and how a rules file becomes one.

A rules file has named word lists (`[vocab]`), exclusions (`[[exclude]]`) and, per category
and per instrument, weighted text rules (`[[categories.NAME.rules]]`) and source-metadata rules
(`[[categories.NAME.metadata]]`), plus how evidence is chosen (`[evidence]`), what makes a tag
core rather than wider (`[relevance]`), what makes a percentage a rate (`[facts]`) and what
text is boilerplate (`[boilerplate]`). The actors' aliases (vocab/actors.toml) are compiled
with it, so that one look at a document finds the terms of both.
`rules.toml` beside this module is the default and documents every key. Any mistake is
reported as a ConfigError naming the file, the rule and the problem.

Compiling a rules file takes longer than the rest of a short command, so its compiled form is
kept in a cache keyed by the file's contents (loading.py reads a file or reuses that form,
compiler.py compiles, cache.py keeps); regular expressions are compiled
only when a document first needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .text import Prepared

# Every byte but a-z and 0-9 becomes a space: a text's Latin words are then its split().
_WORD_BYTES = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))

PREFIX = 4  # prefix anchors are looked up by their first PREFIX letters


@dataclass(eq=False)
class Term:
    text: str  # as written in the rules file
    pattern: str  # the regular expression it became
    flags: int
    on_lowered: bool  # run on the lower-cased text (fast, case-insensitive)
    bounded_start: bool = False  # must not follow a Latin letter or digit
    anchor: str | None = None  # a literal the text must contain for a match
    anchor_kind: str = "none"  # word | prefix | cjk | none
    cjk: bool = False
    need_words: frozenset = frozenset()  # every whole word of the term
    need_starts: frozenset = frozenset()  # the first letters of every other word
    sets: list = field(default_factory=list, repr=False)  # the TermSets it belongs to
    lead: str | None = None  # a literal every match starts with (found with str.find)

    @cached_property
    def regex(self) -> re.Pattern:
        """Compiled when a document first needs it (most terms are absent from most
        documents, and a short command reads one)."""
        return re.compile(self.pattern, self.flags)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("regex", None)  # the cache keeps patterns, not compiled expressions
        return state

    def find(self, scan: "Scan") -> list[tuple[int, int]]:
        cached = scan.terms.get(self)
        if cached is not None:
            return cached
        spans: list[tuple[int, int]] = []
        text = scan.doc.lowered if self.on_lowered else scan.doc.match
        lead = self.lead
        if lead:  # try the expression only where its first letters stand (as finditer would)
            match = self.regex.match
            start = text.find(lead)
            while start >= 0:
                m = match(text, start)
                if m is None or m.end() == start:
                    start = text.find(lead, start + 1)
                    continue
                if not (self.bounded_start and start and text[start - 1].isascii()
                        and text[start - 1].isalnum()):
                    spans.append((start, m.end()))
                start = text.find(lead, m.end())
            scan.terms[self] = spans
            return spans
        for m in self.regex.finditer(text):
            start, end = m.span()
            if end == start:
                continue
            if self.bounded_start and start and text[start - 1].isascii() \
                    and text[start - 1].isalnum():
                continue
            spans.append((start, end))
        scan.terms[self] = spans
        return spans

    def occurs(self, scan: "Scan", start: int, end: int) -> bool:
        """Whether the term matches between offsets start and end (one sentence)."""
        return self.first(scan, start, end) is not None

    def first(self, scan: "Scan", start: int, end: int) -> tuple[int, int] | None:
        """The term's first match between offsets start and end (one sentence), if any."""
        cached = scan.terms.get(self)
        if cached is not None:
            return next(((s, e) for s, e in cached if start <= s < end), None)
        text = scan.doc.lowered if self.on_lowered else scan.doc.match
        pos = start
        lead = self.lead
        while True:
            if lead:
                at = text.find(lead, pos, end)
                if at < 0:
                    return None
                m = self.regex.match(text, at, end)
                if m is None:
                    pos = at + 1
                    continue
            else:
                m = self.regex.search(text, pos, end)
                if m is None:
                    return None
            s0 = m.start()
            if m.end() > s0 and not (self.bounded_start and s0 and text[s0 - 1].isascii()
                                     and text[s0 - 1].isalnum()):
                return s0, m.end()
            pos = s0 + 1


def latin_words(lowered: str) -> list[str]:
    """The runs of a-z and 0-9 of lower-cased text (what re.findall("[a-z0-9]+") gives,
    several times quicker: every other character becomes a space)."""
    return lowered.encode("ascii", "replace").translate(_WORD_BYTES).decode("ascii").split()


class AnchorIndex:
    """Which terms could match a document, found with set operations rather than by
    trying every term: most terms of a rule book are absent from any one document."""

    def __init__(self, terms: list[Term]) -> None:
        self.words: dict[str, list[Term]] = {}  # whole word -> terms with further needs
        self.free: dict[str, list[Term]] = {}  # whole word -> terms that need nothing else
        self.prefixes: dict[str, list[tuple[str, Term]]] = {}
        self.cjk: dict[str, list[tuple[str, Term]]] = {}  # first two characters -> terms
        self.cjk_pairs: dict[str, list[str]] = {}  # a pair's first character -> pairs
        self.cjk_single: dict[str, list[Term]] = {}  # one-character anchors
        self.always_latin: list[Term] = []
        self.always_cjk: list[Term] = []
        for term in terms:
            if term.anchor_kind == "word":
                simple = not term.need_words and not term.need_starts
                (self.free if simple else self.words).setdefault(term.anchor, []).append(term)
            elif term.anchor_kind == "prefix" and len(term.anchor) < PREFIX:
                self.always_latin.append(term)  # too short to key on a word's first letters
            elif term.anchor_kind == "prefix":
                self.prefixes.setdefault(term.anchor[:PREFIX], []).append((term.anchor, term))
            elif term.anchor_kind == "cjk" and len(term.anchor) == 1:
                self.cjk_single.setdefault(term.anchor, []).append(term)
            elif term.anchor_kind == "cjk":
                pair = term.anchor[:2]
                if pair not in self.cjk:
                    self.cjk_pairs.setdefault(pair[0], []).append(pair)
                self.cjk.setdefault(pair, []).append((term.anchor, term))
            elif term.cjk:
                self.always_cjk.append(term)
            else:
                self.always_latin.append(term)

    def candidates(self, doc: Prepared) -> set[Term]:
        words = set(latin_words(doc.lowered))
        doc.words = words  # what else reads the document (its facts) asks this set first
        found: set[Term] = set(self.always_latin)
        for word in words.intersection(self.free):
            found.update(self.free[word])
        starts = None
        for word in words.intersection(self.words):
            for term in self.words[word]:
                if term.need_words <= words:
                    if term.need_starts:
                        if starts is None:
                            starts = {w[:PREFIX] for w in words}
                        if not term.need_starts <= starts:
                            continue
                    found.add(term)
        if starts is None:
            starts = {w[:PREFIX] for w in words}
        lowered = doc.lowered
        for key in starts.intersection(self.prefixes):
            for anchor, term in self.prefixes[key]:
                if len(anchor) > PREFIX and anchor not in lowered:
                    continue
                if term.need_words <= words and term.need_starts <= starts:
                    found.add(term)
        if doc.has_cjk:
            text = doc.match
            found.update(self.always_cjk)
            chars = set(text)
            for char in chars.intersection(self.cjk_single):
                found.update(self.cjk_single[char])
            # the anchors' first two characters that occur: both characters present, then
            # the pair itself (cheaper than listing every pair of the text)
            pairs = [pair for char in chars.intersection(self.cjk_pairs)
                     for pair in self.cjk_pairs[char] if pair[1] in chars and pair in text]
            for pair in pairs:
                for anchor, term in self.cjk[pair]:
                    if len(anchor) == 2 or anchor in text:
                        found.add(term)
        return found


class Scan:
    """One document being classified: the terms that may match it, and every term's
    matches, each searched for at most once."""

    def __init__(self, doc: Prepared, index: AnchorIndex) -> None:
        self.doc, self.index = doc, index
        self.reset()

    def reset(self) -> None:
        """Start again (after exclusions have blanked words out of the text; the candidates
        found before still include every term that can match)."""
        self.terms: dict[Term, list[tuple[int, int]]] = {}
        self.sets: dict[int, list[tuple[int, int]]] = {}
        self.in_sentences: dict[int, set[int]] = {}
        self.checked: dict[tuple[int, int], bool] = {}
        if not hasattr(self, "candidates"):
            self.candidates = self.index.candidates(self.doc)
            # the term sets that may match at all (most sets of a rule book cannot)
            self.live = {id(s) for term in self.candidates for s in term.sets}

    def sentence_has(self, terms: "TermSet", index: int) -> bool:
        """Whether any of `terms` occurs in sentence `index` (searching that sentence only,
        unless the whole text has been searched for them already)."""
        if id(terms) not in self.live:
            return False
        if id(terms) in self.in_sentences:
            return index in self.in_sentences[id(terms)]
        key = (id(terms), index)
        known = self.checked.get(key)
        if known is None:
            start, end = self.doc.sentences[index]
            known = any(term.occurs(self, start, end)
                        for term in terms.members.intersection(self.candidates))
            self.checked[key] = known
        return known

    def first_in(self, terms: "TermSet", index: int) -> tuple[int, int] | None:
        """The first match of any of `terms` in sentence `index`, searching that sentence
        only."""
        if id(terms) not in self.live:
            return None
        start, end = self.doc.sentences[index]
        found = None
        for term in terms.members.intersection(self.candidates):
            span = term.first(self, start, end)
            if span is not None and (found is None or span < found):
                found = span
        return found

    def sentences_of(self, terms: "TermSet") -> set[int]:
        """The sentences in which any of `terms` occurs."""
        found = self.in_sentences.get(id(terms))
        if found is None:
            at = self.doc.sentence_at
            found = {at(start) for start, _ in terms.find(self)}
            self.in_sentences[id(terms)] = found
        return found


@dataclass(eq=False)
class TermSet:
    terms: list[Term]

    def __post_init__(self) -> None:
        self.members = frozenset(self.terms)

    def find(self, scan: Scan) -> list[tuple[int, int]]:
        if id(self) not in scan.live:
            return []
        cached = scan.sets.get(id(self))
        if cached is None:
            cached = [span for term in self.members.intersection(scan.candidates)
                      for span in term.find(scan)]
            cached.sort()
            scan.sets[id(self)] = cached
        return cached


@dataclass
class Rule:
    name: str
    category: str
    weight: float
    terms: TermSet
    with_: list[TermSet] = field(default_factory=list)
    without: TermSet | None = None
    within: str = "sentence"


@dataclass
class MetadataRule:
    name: str
    category: str
    weight: float
    source: set[str]
    doc_type: set[str]
    agencies: set[str]
    cfr: list[tuple[int, int, int]]  # (title, first part, last part)
    action: TermSet | None


@dataclass
class Exclusion:
    name: str
    terms: TermSet
    effect: str
    penalty: float
    categories: set[str] | None  # None: every category


@dataclass
class Category:
    name: str
    description: str
    threshold: float | None
    rules: list[Rule]
    metadata: list[MetadataRule]


@dataclass
class Instrument(Category):
    parent: str = ""  # the category an instrument implies


@dataclass
class ActorTerms:
    """An actor of vocab/actors.toml with its aliases compiled."""

    name: str
    kind: str
    country: str
    terms: TermSet


@dataclass
class Settings:
    title_factor: float = 1.5
    repeat_bonus: float = 0.25
    repeat_cap: int = 2
    lead_sentences: int = 8
    depth_factor: float = 0.7


@dataclass
class Boilerplate:
    footer: str | None  # a pattern: a sentence that starts with a match begins a footer
    navigation: frozenset[str]  # lines that are only one of these (folded, lower case)

    @cached_property
    def footer_regex(self) -> re.Pattern | None:
        return re.compile(self.footer) if self.footer else None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("footer_regex", None)
        return state


@dataclass
class RuleBook:
    path: Path
    digest: str  # sha256 of the file's bytes
    settings: Settings
    categories: dict[str, Category]
    exclusions: list[Exclusion]
    index: AnchorIndex
    informative: list[TermSet] = field(default_factory=list)  # better evidence
    informative_bonus: float = 1.0
    position_decay: float = 0.05  # a later body sentence ranks this much lower, down to half
    core: TermSet | None = None  # what makes a tag core (None: every tag is)
    subject_lead: int = 3  # sentences at the start of a body that state its subject
    boilerplate: Boilerplate = field(
        default_factory=lambda: Boilerplate(None, frozenset()))
    instruments: dict[str, Instrument] = field(default_factory=dict)
    actors: list[ActorTerms] = field(default_factory=list)
    rate_context: TermSet | None = None  # what makes a percentage a rate (None: any)


    def actor_index(self) -> dict[int, tuple[int, ActorTerms]]:
        """id(an actor's term set) -> (its place in the table, the actor); built once per
        process (ids are this process's), never kept in the cache."""
        index = self.__dict__.get("_actor_index")
        if index is None:
            index = {id(a.terms): (i, a) for i, a in enumerate(self.actors)}
            self.__dict__["_actor_index"] = index
        return index

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_actor_index", None)
        return state
