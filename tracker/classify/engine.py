"""The classifier: run a rule book over a document and give each category a score, the
sentences that earned it and whether chips or Taiwan are its subject; give the instruments
its rules find (each implying its category); and extract the facts it states."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .boilerplate import strip_boilerplate
from .facts import Facts, extract_facts
from .rules import AnchorIndex, Category, MetadataRule, Rule, RuleBook, Scan
from .text import Prepared, prepare

# Bump when the engine's way of scoring changes; the rules file's hash covers the rules.
ENGINE_VERSION = "3"
EVIDENCE_CHARS = 400
CORE, WIDER = "core", "wider"


@dataclass
class Tag:
    category: str
    score: float
    evidence: list[dict] = field(default_factory=list)  # [{"sentence", "match"}], best first
    relevance: str = CORE  # core: chips, chipmaking, chip companies or Taiwan are the subject
    relevance_evidence: list[dict] = field(default_factory=list)  # what made it core

    def as_dict(self) -> dict:
        return {"category": self.category, "score": self.score, "evidence": self.evidence,
                "relevance": self.relevance, "relevance_evidence": self.relevance_evidence}


@dataclass
class InstrumentTag:
    instrument: str
    category: str  # the category it belongs to (and implies)
    score: float
    evidence: list[dict] = field(default_factory=list)  # [{"sentence", "match"}], best first

    def as_dict(self) -> dict:
        return {"instrument": self.instrument, "category": self.category, "score": self.score,
                "evidence": self.evidence}


@dataclass
class Result:
    tags: list[Tag]  # the categories given, strongest first
    scores: dict[str, float]  # every category, given or not
    instruments: list[InstrumentTag] = field(default_factory=list)  # strongest first
    facts: Facts | None = None  # None when the classifier extracts none

    @property
    def labels(self) -> list[str]:
        return [t.category for t in self.tags]

    @property
    def relevance(self) -> dict[str, str]:
        return {t.category: t.relevance for t in self.tags}

    @property
    def instrument_names(self) -> list[str]:
        return [t.instrument for t in self.instruments]


@dataclass
class _Hit:
    weight: float  # what this rule adds to the score
    rule_weight: float  # the rule's own weight (ranks the sentences it matched)
    sentences: dict[int, tuple[int, int]]  # sentence -> the first match there
    note: str | None = None  # for metadata rules: what was seen


# The classifier reads at most this many characters of a document's text: its evidence is
# in the lead, and a longer body (a whole report pasted into one field) would only cost
# memory, about twenty bytes per character.
MAX_TEXT = 1_000_000


class Classifier:
    def __init__(self, book: RuleBook, *, min_score: float = 3.0, max_evidence: int = 3,
                 extract: bool = True):
        self.book = book
        self.min_score = min_score
        self.max_evidence = max_evidence
        self.extract = extract  # also extract amounts, rates, deadlines and actors
        # The term sets each category's and instrument's rules search for (ids of this
        # process's objects): one set operation tells that none can match a document.
        self._rule_terms = {id(owner): frozenset(id(rule.terms) for rule in owner.rules)
                            for owner in (*book.categories.values(), *book.instruments.values())}
        # ... and which instruments a term set may give (most documents give none).
        self._instruments_of: dict[int, set[str]] = {}
        for name, instrument in book.instruments.items():
            for rule in instrument.rules:
                self._instruments_of.setdefault(id(rule.terms), set()).add(name)
        self._by_metadata = {name for name, i in book.instruments.items() if i.metadata}
        setting = json.dumps({"min_score": min_score, "max_evidence": max_evidence},
                             sort_keys=True)
        digest = hashlib.sha256((book.digest + setting).encode()).hexdigest()[:12]
        self.version = f"{ENGINE_VERSION}+{digest}"

    @property
    def categories(self) -> list[str]:
        return list(self.book.categories)

    def classify(self, doc: dict) -> Result:
        """`doc` has `title` and `text` (either may be empty), and may have `source`,
        `doc_type` and `metadata` (a dict or its JSON) for metadata rules, and `published`
        (or `date`) to date what the text says without a year."""
        text = doc.get("text")
        prepared = prepare(doc.get("title"), text[:MAX_TEXT] if isinstance(text, str) else text)
        scan = Scan(prepared, self.book.index)
        strip_boilerplate(scan, self.book.boilerplate)
        vetoed, penalties = self._exclusions(scan)
        metadata = _metadata_of(doc)
        instruments, instrument_hits = self._instruments(scan, doc, metadata, vetoed,
                                                         penalties)
        tags, scores = [], {}
        for name, category in self.book.categories.items():
            hits = self._text_hits(category, scan) + self._metadata_hits(category, doc, metadata)
            score = sum(h.weight for h in hits) - penalties.get(name, 0.0)
            score = round(max(score, 0.0), 2)
            if name in vetoed:
                score = 0.0
            threshold = category.threshold if category.threshold is not None else self.min_score
            implied = [t for t in instruments if t.category == name]
            if implied and not (hits and score >= threshold):
                # an instrument given implies its category, on the instrument's evidence
                best = implied[0]
                hits = hits + instrument_hits[best.instrument]
                score = max(score, best.score, threshold)
            scores[name] = score
            if hits and score >= threshold:
                evidence, order = self._evidence(hits, scan)
                relevance, why = self._relevance(hits, order, scan)
                tags.append(Tag(name, score, evidence, relevance, why))
        tags.sort(key=lambda t: -t.score)
        facts = None
        if self.extract:
            facts = extract_facts(scan, self.book, doc, metadata, [t.category for t in tags])
        return Result(tags, scores, instruments, facts)

    def _instruments(self, scan: Scan, doc: dict, metadata: dict, vetoed: set[str],
                     penalties: dict[str, float]) -> tuple[list[InstrumentTag], dict]:
        """The instruments given, strongest first, and the hits that gave each. An exclusion
        that vetoes or penalises a category does the same to its instruments."""
        given, hits_of = [], {}
        maybe = set(self._by_metadata)
        for key in scan.live.intersection(self._instruments_of):
            maybe |= self._instruments_of[key]
        for name, instrument in self.book.instruments.items():
            if name not in maybe or instrument.parent in vetoed:
                continue
            hits = (self._text_hits(instrument, scan)
                    + self._metadata_hits(instrument, doc, metadata))
            if not hits:
                continue
            score = sum(h.weight for h in hits) - penalties.get(instrument.parent, 0.0)
            score = round(max(score, 0.0), 2)
            threshold = (instrument.threshold if instrument.threshold is not None
                         else self.min_score)
            if score >= threshold:
                evidence, _ = self._evidence(hits, scan, limit=1)  # its category quotes more
                given.append(InstrumentTag(name, instrument.parent, score, evidence))
                hits_of[name] = hits
        given.sort(key=lambda t: -t.score)
        return given, hits_of

    # -- parts ---------------------------------------------------------------------------

    def _exclusions(self, scan: Scan) -> tuple[set[str], dict[str, float]]:
        doc = scan.doc
        everything = set(self.book.categories)
        vetoed: set[str] = set()
        penalties: dict[str, float] = {}
        masked: list[tuple[int, int]] = []
        for exclusion in self.book.exclusions:
            spans = exclusion.terms.find(scan)
            if not spans:
                continue
            targets = exclusion.categories if exclusion.categories is not None else everything
            if exclusion.effect == "mask":
                masked += spans
            elif exclusion.effect == "veto":
                vetoed |= targets
            else:
                for name in targets:
                    penalties[name] = penalties.get(name, 0.0) + exclusion.penalty
        if masked:
            doc.blank(masked)
            scan.reset()
        return vetoed, penalties

    def _text_hits(self, category: Category, scan: Scan) -> list[_Hit]:
        hits = []
        if scan.live.isdisjoint(self._rule_terms[id(category)]):
            return hits  # none of its rules' terms can occur in this document
        for rule in category.rules:
            if id(rule.terms) not in scan.live:
                continue  # none of its terms can occur in this document
            hit = self._rule_hit(rule, scan)
            if hit:
                hits.append(hit)
        return hits

    def _rule_hit(self, rule: Rule, scan: Scan) -> _Hit | None:
        doc = scan.doc
        spans = rule.terms.find(scan)
        if not spans:
            return None
        at = doc.sentence_at
        located = [(at(s), (s, e)) for s, e in spans]
        for needed in rule.with_:
            if rule.within == "sentence":
                located = [m for m in located if scan.sentence_has(needed, m[0])]
                if not located:
                    return None
            elif not needed.find(scan):
                return None
        if rule.without is not None:
            where = scan.sentences_of(rule.without)
            located = [m for m in located if m[0] not in where]
            if not located:
                return None
        sentences: dict[int, tuple[int, int]] = {}
        for index, span in sorted(located, key=lambda m: m[1][0]):
            sentences.setdefault(index, span)
        settings = self.book.settings
        first = min(sentences)
        if doc.in_title(first):
            factor = settings.title_factor
        elif first - _body_index(doc) >= settings.lead_sentences:
            factor = settings.depth_factor  # a first mention deep in a long body counts less
        else:
            factor = 1.0
        extra = min(len(sentences) - 1, settings.repeat_cap)
        weight = rule.weight * factor + rule.weight * settings.repeat_bonus * extra
        return _Hit(weight, rule.weight, sentences)

    def _metadata_hits(self, category: Category, doc: dict, metadata: dict) -> list[_Hit]:
        hits = []
        for rule in category.metadata:
            note = _metadata_match(rule, doc, metadata, self.book.index)
            if note:
                hits.append(_Hit(rule.weight, rule.weight, {}, note=note))
        return hits

    def _evidence(self, hits: list[_Hit], scan: Scan,
                  limit: int | None = None) -> tuple[list[dict], list[int]]:
        """The body sentences that earned the tag, the most informative first (the weight of
        the rules they matched, plus a bonus for naming an amount, a rate or a target, a little
        less the later they come); the title only when no body sentence did; then what the
        source's metadata showed (at most `limit`, default max_evidence). Returns the
        entries and the sentences they quote."""
        limit = limit or self.max_evidence
        doc = scan.doc
        rank: dict[int, float] = {}
        best: dict[int, tuple[float, tuple[int, int]]] = {}
        for hit in hits:
            for index, span in hit.sentences.items():
                rank[index] = rank.get(index, 0.0) + hit.rule_weight
                if index not in best or hit.rule_weight > best[index][0]:
                    best[index] = (hit.rule_weight, span)
        body = [i for i in rank if not doc.in_title(i)]
        if body:
            book, first = self.book, _body_index(doc)
            # a lead names the action: later sentences rank a little lower
            decay = {i: max(0.5, 1 - book.position_decay * (i - first)) for i in body}
            order = sorted(body, key=lambda i: (-rank[i] * decay[i], i))
            if len(body) > 1 and book.informative:
                # naming an amount, a rate or a target can lift a sentence by at most `most`:
                # only the best few sentences within that of the last one quoted are looked at
                most = book.informative_bonus * len(book.informative)
                last = order[min(limit, len(order)) - 1]
                for i in order[:4 * limit]:
                    if (rank[i] + most) * decay[i] >= rank[last] * decay[last]:
                        rank[i] += book.informative_bonus * sum(
                            1 for terms in book.informative if scan.sentence_has(terms, i))
                order = sorted(body, key=lambda i: (-rank[i] * decay[i], i))
            order = order[:limit]
        else:
            order = sorted(rank)[:1]
        evidence = [{"sentence": _clip(doc, i, best[i][1]), "match": doc.quote(*best[i][1])}
                    for i in order]
        for hit in sorted((h for h in hits if h.note is not None), key=lambda h: -h.weight):
            if len(evidence) >= limit:
                break
            evidence.append({"sentence": hit.note, "match": hit.note.split(": ", 1)[-1]})
        return evidence, order

    def _relevance(self, hits: list[_Hit], order: list[int],
                   scan: Scan) -> tuple[str, list[dict]]:
        """core when a chip or Taiwan term occurs in the sentences quoted as evidence, the
        title, the first sentences of the body or another sentence that earned the tag (in
        that order); otherwise wider."""
        core = self.book.core
        if core is None:
            return CORE, []
        doc = scan.doc
        places = list(order)
        if doc.title_end:
            places.append(0)
        first = _body_index(doc)
        places += range(first, first + self.book.subject_lead)
        places += sorted({i for h in hits for i in h.sentences})
        seen = set()
        for index in places:
            if index in seen or index >= len(doc.sentences):
                continue
            seen.add(index)
            span = scan.first_in(core, index)
            if span is not None:
                return CORE, [{"sentence": _clip(doc, index, span), "match": doc.quote(*span)}]
        return WIDER, []


def _body_index(doc: Prepared) -> int:
    """The index of the body's first sentence."""
    return 1 if doc.title_end else 0


def _clip(doc: Prepared, index: int, span: tuple[int, int]) -> str:
    """The sentence, or a window of it around the match when it is very long."""
    begin, end = doc.sentences[index]
    text = doc.quote(begin, end)
    if len(text) <= EVIDENCE_CHARS:
        return text.strip()
    middle = len(doc.quote(begin, (span[0] + span[1]) // 2))
    lo = max(0, min(middle - EVIDENCE_CHARS // 2, len(text) - EVIDENCE_CHARS))
    hi = lo + EVIDENCE_CHARS
    if lo > 0 and " " in text[lo:middle]:  # whole words at the edges (Chinese has no spaces)
        lo = text.index(" ", lo) + 1
    if hi < len(text) and " " in text[middle:hi]:
        hi = text.rindex(" ", middle, hi)
    return ("…" if lo > 0 else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


def _metadata_of(doc: dict) -> dict:
    metadata = doc.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    return metadata if isinstance(metadata, dict) else {}


def _metadata_match(rule: MetadataRule, doc: dict, metadata: dict,
                    index: AnchorIndex) -> str | None:
    """A short description of what matched, or None. Every condition given must hold."""
    seen = []
    if rule.source:
        if doc.get("source") not in rule.source:
            return None
        seen.append(f"source {doc.get('source')}")
    if rule.doc_type:
        doc_type = str(doc.get("doc_type") or "")
        if doc_type.lower() not in rule.doc_type:
            return None
        seen.append(f"type {doc_type}")
    if rule.agencies:
        agencies = [a for a in metadata.get("agencies") or [] if isinstance(a, dict)]
        named = [a for a in agencies if a.get("slug") in rule.agencies]
        if not named:
            return None
        seen.append("agency " + ", ".join(a.get("name") or a.get("slug") for a in named))
    if rule.cfr:
        cited = []
        for ref in metadata.get("cfr_references") or []:
            if not isinstance(ref, dict):
                continue
            try:
                title, part = int(ref.get("title")), int(ref.get("part"))
            except (TypeError, ValueError):
                continue
            if any(t == title and lo <= part <= hi for t, lo, hi in rule.cfr):
                cited.append(f"{title} CFR {part}")
        if not cited:
            return None
        seen.append("amends " + ", ".join(cited))
    if rule.action is not None:
        action = str(metadata.get("action") or "")
        if not action:
            return None
        if not rule.action.find(Scan(prepare(action, ""), index)):
            return None
        seen.append(f"action '{action}'")
    return f"{rule.name} (source metadata): " + "; ".join(seen)
