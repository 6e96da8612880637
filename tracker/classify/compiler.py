"""Compiling a checked rules file (spec.py) into its matching form (rules.py): every term
becomes a regular expression with an anchor that tells which documents may contain it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from vocab.actors import actors, table_bytes
from vocab.errors import ConfigError

from .rules import (
    PREFIX,
    ActorTerms,
    AnchorIndex,
    Boilerplate,
    Category,
    Exclusion,
    Instrument,
    MetadataRule,
    Rule,
    RuleBook,
    Settings,
    Term,
    TermSet,
)
from .spec import RulesFileSpec
from .text import CJK, clean, fold, normalise_term

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CJK_RUN = re.compile(CJK.pattern + "+")

_PIECES = re.compile(r"\s*\.\.\.\s*|\s+|[-\u2010-\u2013]|\*|['\u2019]|.", re.S)
_DASHES = "-\u2010\u2011\u2012\u2013"
_DASH_CLASS = r"\-\u2010-\u2013"


def compile_rules(path: Path, spec: RulesFileSpec, data: bytes) -> RuleBook:
    # The actors' aliases are compiled into the book: a change of either re-tags.
    digest = hashlib.sha256(data)
    digest.update(table_bytes())
    return _Compiler(path, spec).build(digest.hexdigest())


class _Compiler:
    def __init__(self, path: Path, spec: RulesFileSpec) -> None:
        self.path, self.spec = path, spec
        self._terms: dict[tuple[str, bool], list[Term]] = {}
        self._vocab: dict[tuple[str, bool], TermSet] = {}
        self._sets: list[TermSet] = []
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
            rules, metadata = self.rules_of("categories", cat_name, cat)
            categories[cat_name] = Category(cat_name, cat.description, cat.threshold, rules,
                                            metadata)
        instruments = {}
        for name, inst in self.spec.instruments.items():
            where = f"[instruments.{name}]"
            if not NAME.match(name):
                self.fail(where, "instrument names are lower-case letters, digits and _")
            if name in categories:
                self.fail(where, f"'{name}' is already a category; give the instrument a name "
                                 f"of its own")
            if inst.category not in categories:
                self.fail(where, f"category: '{inst.category}' is not a category of this file "
                                 f"({', '.join(categories)})")
            rules, metadata = self.rules_of("instruments", name, inst)
            if not rules and not metadata:
                self.fail(where, "an instrument needs at least one rule or metadata rule")
            instruments[name] = Instrument(name, inst.description, inst.threshold, rules,
                                           metadata, parent=inst.category)
        actor_terms = [ActorTerms(a.name, a.kind, a.country,
                                  self.term_set(list(a.aliases),
                                                f"vocab/actors.toml [actors.{a.key}]", False,
                                                "aliases"))
                       for a in actors().values()]
        rate_context = (self.term_set(self.spec.facts.rate_context, "[facts]", False,
                                      "rate_context")
                        if self.spec.facts.rate_context else None)
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
        evidence, relevance, boilerplate = (self.spec.evidence, self.spec.relevance,
                                            self.spec.boilerplate)
        informative = [self.term_set([t], "[evidence]", False, "informative")
                       for t in evidence.informative]
        core = (self.term_set(relevance.core, "[relevance]", False, "core")
                if relevance.core else None)
        footer = self.starts(boilerplate.footer, "[boilerplate]: footer")
        navigation = frozenset(fold(clean(t)).lower() for t in boilerplate.navigation)
        for term_set in self._sets:  # each term knows its sets: a document skips the others
            for term in term_set.members:
                term.sets.append(term_set)
        settings = Settings(**self.spec.settings.model_dump())
        terms = [t for group in self._terms.values() for t in group]
        return RuleBook(self.path, digest, settings, categories, exclusions, AnchorIndex(terms),
                        informative=informative, informative_bonus=evidence.bonus,
                        position_decay=evidence.position_decay, core=core,
                        subject_lead=relevance.lead,
                        boilerplate=Boilerplate(footer, navigation),
                        instruments=instruments, actors=actor_terms,
                        rate_context=rate_context)

    def rules_of(self, table: str, owner: str, spec) -> tuple[list[Rule], list[MetadataRule]]:
        """The text and metadata rules of a category or an instrument, compiled."""
        rules = []
        for i, r in enumerate(spec.rules):
            name = r.name or f"rules[{i}]"
            where = f"[{table}.{owner}] rule '{name}'"
            rules.append(Rule(
                name=name, category=owner, weight=r.weight,
                terms=self.term_set(r.terms, where, r.case_sensitive, "terms"),
                with_=[self.term_set([t], where, r.case_sensitive, "with") for t in r.with_],
                without=(self.term_set(r.without, where, r.case_sensitive, "without")
                         if r.without else None),
                within=r.within))
        metadata = []
        for i, m in enumerate(spec.metadata):
            name = m.name or f"metadata[{i}]"
            where = f"[{table}.{owner}] metadata rule '{name}'"
            metadata.append(MetadataRule(
                name=name, category=owner, weight=m.weight, source=set(m.source),
                doc_type={t.lower() for t in m.doc_type}, agencies=set(m.agencies),
                cfr=[self.cfr(c, where) for c in m.cfr],
                action=self.term_set(m.action, where, False, "action") if m.action else None))
        return rules, metadata

    def term_set(self, entries: list[str], where: str, case_sensitive: bool,
                 key: str) -> TermSet:
        if len(entries) == 1 and entries[0].strip().startswith("@"):
            return self.vocab(entries[0].strip()[1:], where, key, case_sensitive)
        terms: list[Term] = []
        for entry in entries:
            if entry.strip().startswith("@"):
                terms.extend(self.vocab(entry.strip()[1:], where, key, case_sensitive).terms)
            else:
                terms.extend(self.term(entry, f"{where}: {key}", case_sensitive))
        return self._set(terms)

    def starts(self, entries: list[str], where: str) -> str | None:
        """One pattern for terms that are only ever tried at the start of a sentence, in the
        case written (not searched through whole documents, so not in the anchor index)."""
        patterns = []
        for entry in entries:
            if entry.strip().startswith("@"):
                self.fail(where, f"'{entry}': write the terms here, not a [vocab] list")
            patterns += [f"(?:{term.pattern})" for term in self._compile(entry, where, True)]
        return "|".join(patterns) or None

    def vocab(self, name: str, where: str, key: str, case_sensitive: bool,
              naming: tuple[str, ...] = ()) -> TermSet:
        """A [vocab] list, compiled once and shared, so each document searches it once. A
        list may name other lists, never itself."""
        if name not in self.spec.vocab:
            known = ", ".join(sorted(self.spec.vocab)) or "none"
            self.fail(where, f"{key}: '@{name}' names no [vocab] list (lists: {known})")
        if name in naming:
            self.fail(f"[vocab] {naming[0]}", "lists name each other in a circle: "
                      + " -> ".join(f"@{n}" for n in (*naming, name)))
        cache_key = (name, case_sensitive)
        if cache_key not in self._vocab:
            terms = []
            for word in self.spec.vocab[name]:
                if word.strip().startswith("@"):
                    terms.extend(self.vocab(word.strip()[1:], f"[vocab] {name}", "list",
                                            case_sensitive, (*naming, name)).terms)
                else:
                    terms.extend(self.term(word, f"[vocab] {name}", case_sensitive))
            self._vocab[cache_key] = self._set(list(dict.fromkeys(terms)))
        return self._vocab[cache_key]

    def _set(self, terms: list[Term]) -> TermSet:
        term_set = TermSet(terms)
        self._sets.append(term_set)
        return term_set

    def term(self, text: str, where: str, case_sensitive: bool) -> list[Term]:
        """The compiled forms of a term (two for Chinese whose phrases fold differently from
        its characters); the same term written twice is the same objects (found once)."""
        if text.startswith("case:"):
            text, case_sensitive = text[5:], True
        key = (text, case_sensitive)
        if key not in self._terms:
            self._terms[key] = self._compile(text, where, case_sensitive)
        return self._terms[key]

    def _compile(self, text: str, where: str, case_sensitive: bool) -> list[Term]:
        if not text.strip():
            self.fail(where, "an empty term matches everything; remove it")
        if text.startswith("re:"):
            return [self._regex(text, where, case_sensitive)]
        forms = normalise_term(text)
        if not re.search(r"\w", forms[0]):
            self.fail(where, f"term '{text}' has no letters to match")
        return [self.plain(text, form if case_sensitive else form.lower(), case_sensitive)
                for form in forms]

    def _regex(self, text: str, where: str, case_sensitive: bool) -> Term:
        source = text[3:]
        flags = 0 if case_sensitive else re.IGNORECASE
        try:
            regex = re.compile(source, flags)
        except re.error as exc:
            self.fail(where, f"term '{text}' is not a valid regular expression: {exc}")
        if regex.search(""):
            self.fail(where, f"term '{text}' matches the empty string")
        # Faster forms of the same search: a leading \b before a letter is checked by hand
        # (so the regex can start with a literal), and a pattern with no capitals runs on the
        # lower-cased text instead of with IGNORECASE.
        bounded = bool(re.match(r"\\b[A-Za-z]", source))
        fast = source[2:] if bounded else source
        lowered = not case_sensitive and not re.search(r"[A-Z]", re.sub(r"\\.", "", fast))
        fast_flags = 0 if (case_sensitive or lowered) else re.IGNORECASE
        try:
            re.compile(fast, fast_flags)
        except re.error:
            fast, fast_flags, bounded, lowered = source, flags, False, False
        term = Term(text, fast, fast_flags, on_lowered=lowered, bounded_start=bounded,
                    cjk=bool(CJK.search(source)),
                    lead=None if fast_flags & re.IGNORECASE else _worth_finding(
                        _literal_lead(fast)))
        lead = re.match(r"(?:\\b)?([A-Za-z]{3,})(?![?*{|])", source[_lookbehinds(source):])
        if lead and not _top_level_alternation(source):
            term.anchor, term.anchor_kind = lead.group(1).lower(), "prefix"
        chinese = _chinese_lead(source)
        if chinese:  # "(?<!美国)商务部": found where 商务部 stands, a candidate where it occurs
            term.anchor, term.anchor_kind, term.lead = chinese, "cjk", chinese
        return term

    def plain(self, text: str, folded: str, case_sensitive: bool) -> Term:
        pieces = _PIECES.findall(folded)
        out: list[str] = []
        words: list[tuple[str, str, str]] = []  # (literal run, separator before, after)
        current, before = "", "hard"
        for index, piece in enumerate(pieces):
            previous = pieces[index - 1][-1:] if index else ""
            following = pieces[index + 1][:1] if index + 1 < len(pieces) else ""
            if piece.strip() == "...":
                cjk_gap = bool(CJK.search(current[-1:] + following) or CJK.match(previous))
                out.append(r"[^\n\u3002!?]{0,12}?" if cjk_gap
                           else r"[\W_]+(?:[\w.'\u2019]+[\W_]+){0,3}?")
                sep = "hard"
            elif piece.isspace():
                # between a Latin word or number and Chinese, a space may or may not be
                # written ("232 調查", "232調查")
                mixed = _latin_meets_cjk(previous, following)
                out.append(r"\s*" if mixed else r"[\s" + _DASH_CLASS + r"]+")
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
                if _latin_meets_cjk(previous, piece):
                    out.append(r"\s*")
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
        lead = re.match(r"[A-Za-z0-9]+|" + CJK.pattern + "+", folded)
        term = Term(text, pattern, 0, on_lowered=not case_sensitive,
                    bounded_start=bounded_start, cjk=bool(CJK.search(folded)),
                    lead=_worth_finding(lead.group() if lead else None))
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


def _worth_finding(lead: str | None) -> str | None:
    """A lead rare enough that finding it beats one pass of the expression over the text
    (not "in" or "re", found a hundred times in a page)."""
    if lead and (len(lead) >= 3 or (len(lead) == 2 and CJK.match(lead))):
        return lead
    return None


def _chinese_lead(source: str) -> str | None:
    """The Chinese characters a regular expression's every match starts with, after any
    look-behind assertions ("(?<!美)商务部" -> 商务部), or None."""
    if _top_level_alternation(source):
        return None
    m = re.match(r"(?:\(\?<!?[^()]*\))*(" + CJK.pattern + r"{2,})(?![?*{+])", source)
    return m.group(1) if m else None


def _lookbehinds(source: str) -> int:
    """Where a regular expression starts after its leading look-behind assertions and \\b
    (they match no text: what follows them is where a match starts)."""
    return re.match(r"(?:\(\?<!?[^()]*\)|\\b)*", source).end()


def _literal_lead(source: str) -> str | None:
    """The letters a regular expression's every match starts with ("bring" of
    "bring\\w*...", "Commerce" of "(?<!of )\\bCommerce"), or None when it has none."""
    if _top_level_alternation(source):
        return None
    m = re.match(r"[A-Za-z0-9]+", source[_lookbehinds(source):])
    if not m:
        return None
    lead = m.group()
    if source[m.end():m.end() + 1] in ("?", "*", "{"):
        lead = lead[:-1]  # the last letter is optional
    return lead or None


def _latin_meets_cjk(left: str, right: str) -> bool:
    """Whether a Latin letter or digit and a Chinese character meet across this point."""
    if not left or not right:
        return False
    return ((left.isascii() and left.isalnum() and bool(CJK.match(right)))
            or (right.isascii() and right.isalnum() and bool(CJK.match(left))))


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
