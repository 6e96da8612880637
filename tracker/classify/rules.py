"""The rule table: read a TOML rules file, check it, and compile its terms.

A rules file has named word lists (`[vocab]`), exclusions (`[[exclude]]`) and, per category,
weighted text rules (`[[categories.NAME.rules]]`) and source-metadata rules
(`[[categories.NAME.metadata]]`). `rules.toml` beside this module is the default and documents
every key. Any mistake is reported as a ConfigError naming the file, the rule and the problem.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vocab.errors import ConfigError

from .defaults import DEFAULT_RULES
from .text import CJK, Prepared, normalise_term

CJK_RUN = re.compile(CJK.pattern + "+")

NAME = re.compile(r"^[a-z][a-z0-9_]*$")

# -- the file's shape ------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleSpec(_Spec):
    name: str | None = None
    terms: list[str] = Field(min_length=1)
    weight: float = Field(gt=0)
    with_: list[str] = Field(default_factory=list, alias="with")
    without: list[str] = Field(default_factory=list)
    within: Literal["sentence", "document"] = "sentence"
    case_sensitive: bool = False


class MetadataSpec(_Spec):
    name: str | None = None
    weight: float = Field(gt=0)
    source: list[str] = Field(default_factory=list)
    doc_type: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list)
    cfr: list[str] = Field(default_factory=list)
    action: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_condition(self):
        if not (self.source or self.doc_type or self.agencies or self.cfr or self.action):
            raise ValueError("a metadata rule needs at least one of source, doc_type, "
                             "agencies, cfr or action")
        return self


class CategorySpec(_Spec):
    # Display names (read by vocab/categories.py for digests, pages and configuration).
    title: str | None = None
    title_zh: str | None = None
    singular: str | None = None
    plural: str | None = None
    description: str = ""
    threshold: float | None = Field(None, gt=0)
    rules: list[RuleSpec] = Field(default_factory=list)
    metadata: list[MetadataSpec] = Field(default_factory=list)


class ExclusionSpec(_Spec):
    name: str | None = None
    terms: list[str] = Field(min_length=1)
    effect: Literal["mask", "penalty", "veto"]
    penalty: float | None = Field(None, gt=0)
    categories: list[str] | None = None
    case_sensitive: bool = False

    @model_validator(mode="after")
    def _penalty_given(self):
        if self.effect == "penalty" and self.penalty is None:
            raise ValueError("effect = \"penalty\" needs a penalty (a positive number)")
        if self.effect != "penalty" and self.penalty is not None:
            raise ValueError(f"penalty only applies to effect = \"penalty\", not "
                             f"\"{self.effect}\"")
        return self


class SettingsSpec(_Spec):
    title_factor: float = Field(1.5, ge=1)
    repeat_bonus: float = Field(0.25, ge=0)
    repeat_cap: int = Field(2, ge=0)


class RulesFileSpec(_Spec):
    format: Literal[1] = 1
    settings: SettingsSpec = SettingsSpec()
    vocab: dict[str, list[str]] = Field(default_factory=dict)
    exclude: list[ExclusionSpec] = Field(default_factory=list)
    categories: dict[str, CategorySpec] = Field(min_length=1)


# -- compiled form ---------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CJK_PAIR = re.compile(r"(?=(" + CJK.pattern + "{2}))")
_PIECES = re.compile(r"\s*\.\.\.\s*|\s+|[-\u2010-\u2013]|\*|['\u2019]|.", re.S)
_DASHES = "-\u2010\u2011\u2012\u2013"
_DASH_CLASS = r"\-\u2010-\u2013"


PREFIX = 4  # prefix anchors are looked up by their first PREFIX letters


@dataclass(eq=False)
class Term:
    text: str  # as written in the rules file
    regex: re.Pattern
    on_lowered: bool  # run on the lower-cased text (fast, case-insensitive)
    bounded_start: bool = False  # must not follow a Latin letter or digit
    anchor: str | None = None  # a literal the text must contain for a match
    anchor_kind: str = "none"  # word | prefix | cjk | none
    cjk: bool = False
    need_words: frozenset = frozenset()  # every whole word of the term
    need_starts: frozenset = frozenset()  # the first letters of every other word

    def find(self, scan: "Scan") -> list[tuple[int, int]]:
        cached = scan.terms.get(self)
        if cached is not None:
            return cached
        spans: list[tuple[int, int]] = []
        text = scan.doc.lowered if self.on_lowered else scan.doc.match
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
        cached = scan.terms.get(self)
        if cached is not None:
            return any(start <= s < end for s, _ in cached)
        text = scan.doc.lowered if self.on_lowered else scan.doc.match
        pos = start
        while True:
            m = self.regex.search(text, pos, end)
            if m is None:
                return False
            s0 = m.start()
            if m.end() > s0 and not (self.bounded_start and s0 and text[s0 - 1].isascii()
                                     and text[s0 - 1].isalnum()):
                return True
            pos = s0 + 1


class AnchorIndex:
    """Which terms could match a document, found with set operations rather than by
    trying every term: most terms of a rule book are absent from any one document."""

    def __init__(self, terms: list[Term]) -> None:
        self.words: dict[str, list[Term]] = {}  # whole word -> terms with further needs
        self.free: dict[str, list[Term]] = {}  # whole word -> terms that need nothing else
        self.prefixes: dict[str, list[tuple[str, Term]]] = {}
        self.cjk: dict[str, list[tuple[str, Term]]] = {}  # first two characters -> terms
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
                self.cjk.setdefault(term.anchor[:2], []).append((term.anchor, term))
            elif term.cjk:
                self.always_cjk.append(term)
            else:
                self.always_latin.append(term)

    def candidates(self, doc: Prepared) -> set[Term]:
        words = set(_LATIN_WORD.findall(doc.lowered))
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
            for char in set(text).intersection(self.cjk_single):
                found.update(self.cjk_single[char])
            pairs = set(_CJK_PAIR.findall(text))
            for pair in pairs.intersection(self.cjk):
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

    def sentence_has(self, terms: "TermSet", index: int) -> bool:
        """Whether any of `terms` occurs in sentence `index` (searching that sentence only,
        unless the whole text has been searched for them already)."""
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

    def sentences_of(self, terms: "TermSet") -> set[int]:
        """The sentences in which any of `terms` occurs."""
        found = self.in_sentences.get(id(terms))
        if found is None:
            owners = self.doc.owners()
            found = {owners[start] for start, _ in terms.find(self)}
            self.in_sentences[id(terms)] = found
        return found


@dataclass(eq=False)
class TermSet:
    terms: list[Term]

    def __post_init__(self) -> None:
        self.members = frozenset(self.terms)

    def find(self, scan: Scan) -> list[tuple[int, int]]:
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
class RuleBook:
    path: Path
    digest: str  # sha256 of the file's bytes
    settings: SettingsSpec
    categories: dict[str, Category]
    exclusions: list[Exclusion]
    index: AnchorIndex


def load_rules(path: Path | None = None) -> RuleBook:
    """Read, check and compile a rules file (the shipped default when `path` is None)."""
    path = Path(path) if path else DEFAULT_RULES
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: rules file not found; check [classifier] rules in the "
                          f"configuration (leave it out to use the shipped rules)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: rules file cannot be read: {exc.strerror}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: rules file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: rules file is not valid TOML: {exc}") from None
    try:
        spec = RulesFileSpec(**raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, raw, exc)) from None
    return _Compiler(path, spec).build(hashlib.sha256(data).hexdigest())


# -- compiling -------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, path: Path, spec: RulesFileSpec) -> None:
        self.path, self.spec = path, spec
        self._terms: dict[tuple[str, bool], Term] = {}
        self._vocab: dict[tuple[str, bool], TermSet] = {}
        for name in spec.vocab:
            if not NAME.match(name):
                self.fail(f"[vocab] {name}", "list names are lower-case letters, digits and _")
            if not spec.vocab[name]:
                self.fail(f"[vocab] {name}", "the list is empty")

    def fail(self, where: str, problem: str):
        raise ConfigError(f"{self.path}: {where}: {problem}")

    def build(self, digest: str) -> RuleBook:
        categories = {}
        for cat_name, cat in self.spec.categories.items():
            if not NAME.match(cat_name):
                self.fail(f"[categories.{cat_name}]",
                          "category names are lower-case letters, digits and _")
            rules = []
            for i, r in enumerate(cat.rules):
                name = r.name or f"rules[{i}]"
                where = f"[categories.{cat_name}] rule '{name}'"
                rules.append(Rule(
                    name=name, category=cat_name, weight=r.weight,
                    terms=self.term_set(r.terms, where, r.case_sensitive, "terms"),
                    with_=[self.term_set([t], where, r.case_sensitive, "with") for t in r.with_],
                    without=(self.term_set(r.without, where, r.case_sensitive, "without")
                             if r.without else None),
                    within=r.within))
            metadata = []
            for i, m in enumerate(cat.metadata):
                name = m.name or f"metadata[{i}]"
                where = f"[categories.{cat_name}] metadata rule '{name}'"
                metadata.append(MetadataRule(
                    name=name, category=cat_name, weight=m.weight, source=set(m.source),
                    doc_type={t.lower() for t in m.doc_type}, agencies=set(m.agencies),
                    cfr=[self.cfr(c, where) for c in m.cfr],
                    action=self.term_set(m.action, where, False, "action") if m.action else None))
            categories[cat_name] = Category(cat_name, cat.description, cat.threshold, rules,
                                            metadata)
        exclusions = []
        for i, x in enumerate(self.spec.exclude):
            name = x.name or f"exclude[{i}]"
            where = f"[[exclude]] '{name}'"
            for cat_name in x.categories or []:
                if cat_name not in categories:
                    self.fail(where, f"unknown category '{cat_name}'; categories are: "
                                     f"{', '.join(categories)}")
            exclusions.append(Exclusion(
                name=name, terms=self.term_set(x.terms, where, x.case_sensitive, "terms"),
                effect=x.effect, penalty=x.penalty or 0.0,
                categories=set(x.categories) if x.categories is not None else None))
        return RuleBook(self.path, digest, self.spec.settings, categories, exclusions,
                        AnchorIndex(list(self._terms.values())))

    def term_set(self, entries: list[str], where: str, case_sensitive: bool,
                 key: str) -> TermSet:
        terms: list[Term] = []
        for entry in entries:
            if entry.strip().startswith("@"):
                terms.extend(self.vocab(entry.strip()[1:], where, key, case_sensitive).terms)
            else:
                terms.append(self.term(entry, f"{where}: {key}", case_sensitive))
        if len(entries) == 1 and entries[0].strip().startswith("@"):
            return self.vocab(entries[0].strip()[1:], where, key, case_sensitive)
        return TermSet(terms)

    def vocab(self, name: str, where: str, key: str, case_sensitive: bool) -> TermSet:
        """A [vocab] list, compiled once and shared, so each document searches it once."""
        if name not in self.spec.vocab:
            known = ", ".join(sorted(self.spec.vocab)) or "none"
            self.fail(where, f"{key}: '@{name}' names no [vocab] list (lists: {known})")
        cache_key = (name, case_sensitive)
        if cache_key not in self._vocab:
            terms = []
            for word in self.spec.vocab[name]:
                if word.strip().startswith("@"):
                    self.fail(f"[vocab] {name}", f"'{word}': a list cannot name another list")
                terms.append(self.term(word, f"[vocab] {name}", case_sensitive))
            self._vocab[cache_key] = TermSet(terms)
        return self._vocab[cache_key]

    def term(self, text: str, where: str, case_sensitive: bool) -> Term:
        """A compiled term; the same term written twice is one object (found once)."""
        if text.startswith("case:"):
            text, case_sensitive = text[5:], True
        key = (text, case_sensitive)
        if key not in self._terms:
            self._terms[key] = self._compile(text, where, case_sensitive)
        return self._terms[key]

    def _compile(self, text: str, where: str, case_sensitive: bool) -> Term:
        if not text.strip():
            self.fail(where, "an empty term matches everything; remove it")
        if text.startswith("re:"):
            source = text[3:]
            try:
                regex = re.compile(source, 0 if case_sensitive else re.IGNORECASE)
            except re.error as exc:
                self.fail(where, f"term '{text}' is not a valid regular expression: {exc}")
            if regex.search(""):
                self.fail(where, f"term '{text}' matches the empty string")
            # Faster forms of the same search: a leading \b before a letter is checked by
            # hand (so the regex can start with a literal), and a pattern with no capitals
            # runs on the lower-cased text instead of with IGNORECASE.
            bounded = bool(re.match(r"\\b[A-Za-z]", source))
            fast = source[2:] if bounded else source
            lowered = not case_sensitive and not re.search(r"[A-Z]", re.sub(r"\\.", "", fast))
            try:
                regex = re.compile(fast, 0 if (case_sensitive or lowered) else re.IGNORECASE)
            except re.error:
                bounded, lowered = False, False
            term = Term(text, regex, on_lowered=lowered, bounded_start=bounded,
                        cjk=bool(CJK.search(source)))
            lead = re.match(r"(?:\\b)?([A-Za-z]{3,})(?![?*{|])", source)
            if lead and not _top_level_alternation(source):
                term.anchor, term.anchor_kind = lead.group(1).lower(), "prefix"
            return term
        folded = normalise_term(text)
        if not re.search(r"\w", folded):
            self.fail(where, f"term '{text}' has no letters to match")
        return self.plain(text, folded if case_sensitive else folded.lower(), case_sensitive)

    def plain(self, text: str, folded: str, case_sensitive: bool) -> Term:
        pieces = _PIECES.findall(folded)
        out: list[str] = []
        words: list[tuple[str, str, str]] = []  # (literal run, separator before, after)
        current, before = "", "hard"
        for index, piece in enumerate(pieces):
            if piece.strip() == "...":
                nxt = pieces[index + 1] if index + 1 < len(pieces) else ""
                cjk_gap = bool(CJK.search(current[-1:] + nxt[:1]))
                out.append(r"[^\n\u3002!?]{0,12}?" if cjk_gap
                           else r"[\W_]+(?:[\w.'\u2019]+[\W_]+){0,3}?")
                sep = "hard"
            elif piece.isspace():
                out.append(r"[\s" + _DASH_CLASS + r"]+")
                sep = "hard"
            elif piece in _DASHES:
                out.append(r"[\s" + _DASH_CLASS + r"]?")
                sep = "soft"
            elif piece == "*":
                out.append(r"[a-z0-9A-Z]*")
                sep = "soft"
            elif piece in "'\u2019":
                out.append("['\u2019]")
                sep = "hard"
            else:
                out.append(re.escape(piece))
                if piece.isascii() and piece.isalnum():
                    current += piece
                    continue
                sep = "hard"  # punctuation or a CJK character ends a Latin word
                if CJK.match(piece):
                    sep = "cjk"
            if current:
                words.append((current, before, sep))
                current = ""
            before = sep
        if current:
            words.append((current, before, "end"))
        pattern = "".join(out)
        bounded_start = bool(re.match(r"[A-Za-z0-9]", folded))
        if re.search(r"[A-Za-z0-9*]$", folded):
            pattern += r"(?![A-Za-z0-9])"
        term = Term(text, re.compile(pattern), on_lowered=not case_sensitive,
                    bounded_start=bounded_start, cjk=bool(CJK.search(folded)))
        cjk_runs = CJK_RUN.findall(folded)
        if cjk_runs:
            term.anchor, term.anchor_kind = max(cjk_runs, key=len), "cjk"
        elif words:
            # A word with hard edges on both sides is a whole word of the text; one glued to
            # a soft edge (a * or an optional hyphen) is at least the start of one.
            def rank(w):
                whole = w[1] in ("hard", "end") and w[2] in ("hard", "end")
                return (w[1] != "soft", whole, len(w[0]))
            word, left, right = max(words, key=rank)
            if left == "soft":
                return term  # no safe anchor: always search
            whole = left == "hard" and right in ("hard", "end")
            term.anchor = word.lower()
            term.anchor_kind = "word" if whole else "prefix"
            term.need_words = frozenset(
                w.lower() for w, a, b in words if a in ("hard",) and b in ("hard", "end")
                and (w, a, b) != (word, left, right))
            term.need_starts = frozenset(
                w.lower()[:PREFIX] for w, a, b in words if a == "hard"
                and b not in ("hard", "end") and len(w) >= PREFIX)
        return term

    def cfr(self, text: str, where: str) -> tuple[int, int, int]:
        m = re.fullmatch(r"\s*(\d+)\s*CFR\s*(?:parts?\s*)?(\d+)(?:\s*-\s*(\d+))?\s*", text,
                         re.IGNORECASE)
        if not m:
            self.fail(where, f"cfr: '{text}' is not a CFR reference; write it like "
                             f"'15 CFR 744' or '15 CFR 730-774'")
        first = int(m.group(2))
        last = int(m.group(3) or first)
        if last < first:
            self.fail(where, f"cfr: '{text}' has its part range backwards")
        return int(m.group(1)), first, last


def _top_level_alternation(source: str) -> bool:
    depth, escaped, in_class = 0, False, False
    for ch in source:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


# -- error wording ---------------------------------------------------------------------------


def _describe(path: Path, raw: dict, exc: ValidationError) -> str:
    lines = [f"{path}: invalid rules file"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        lines.append(f"  {_where(raw, loc)}: {_reason(err)}")
    return "\n".join(lines)


def _where(raw: dict, loc: list[str]) -> str:
    """('categories', 'tariff', 'rules', '2', 'weight') -> [categories.tariff] rule 'x': weight"""
    if len(loc) >= 4 and loc[0] == "categories" and loc[2] in ("rules", "metadata") \
            and loc[3].isdigit():
        cat, kind, index = loc[1], loc[2], int(loc[3])
        try:
            name = raw["categories"][cat][kind][index].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = None
        label = "rule" if kind == "rules" else "metadata rule"
        rule = f"'{name}'" if name else f"{kind}[{index}]"
        rest = ".".join(_key(p) for p in loc[4:])
        return f"[categories.{cat}] {label} {rule}" + (f": {rest}" if rest else "")
    if len(loc) >= 2 and loc[0] == "exclude" and loc[1].isdigit():
        index = int(loc[1])
        try:
            name = raw["exclude"][index].get("name")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = None
        rest = ".".join(_key(p) for p in loc[2:])
        return f"[[exclude]] {repr(name) if name else f'#{index + 1}'}" + (
            f": {rest}" if rest else "")
    if len(loc) >= 2 and loc[0] == "categories":
        rest = ".".join(_key(p) for p in loc[2:])
        return f"[categories.{loc[1]}]" + (f" {rest}" if rest else "")
    return ".".join(_key(p) for p in loc) or "(top level)"


def _key(part: str) -> str:
    return "with" if part == "with_" else part


def _reason(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing (required)"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "literal_error":
        return f"'{err['input']}' is not allowed; choose one of {err['ctx']['expected']}"
    got = err.get("input")
    shown = f" (got {got!r})" if not isinstance(got, (dict, list)) else ""
    return f"{err['msg'].lower()}{shown}"
