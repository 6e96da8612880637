"""The classifier: run a rule book over a document and give each category a score and the
sentences that earned it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .rules import AnchorIndex, Category, MetadataRule, Rule, RuleBook, Scan
from .text import Prepared, prepare

# Bump when the engine's way of scoring changes; the rules file's hash covers the rules.
ENGINE_VERSION = "1"
EVIDENCE_CHARS = 400


@dataclass
class Tag:
    category: str
    score: float
    evidence: list[dict] = field(default_factory=list)  # [{"sentence", "match"}]

    def as_dict(self) -> dict:
        return {"category": self.category, "score": self.score, "evidence": self.evidence}


@dataclass
class Result:
    tags: list[Tag]  # the categories given, strongest first
    scores: dict[str, float]  # every category, given or not

    @property
    def labels(self) -> list[str]:
        return [t.category for t in self.tags]


@dataclass
class _Hit:
    weight: float  # what this rule adds
    sentence: int
    span: tuple[int, int]
    note: str | None = None  # for metadata rules: what was seen


class Classifier:
    def __init__(self, book: RuleBook, *, min_score: float = 3.0, max_evidence: int = 3):
        self.book = book
        self.min_score = min_score
        self.max_evidence = max_evidence
        setting = json.dumps({"min_score": min_score, "max_evidence": max_evidence},
                             sort_keys=True)
        digest = hashlib.sha256((book.digest + setting).encode()).hexdigest()[:12]
        self.version = f"{ENGINE_VERSION}+{digest}"

    @property
    def categories(self) -> list[str]:
        return list(self.book.categories)

    def classify(self, doc: dict) -> Result:
        """`doc` has `title` and `text` (either may be empty), and may have `source`,
        `doc_type` and `metadata` (a dict or its JSON) for metadata rules."""
        prepared = prepare(doc.get("title"), doc.get("text"))
        scan = Scan(prepared, self.book.index)
        vetoed, penalties = self._exclusions(scan)
        metadata = _metadata_of(doc)
        tags, scores = [], {}
        for name, category in self.book.categories.items():
            hits = self._text_hits(category, scan) + self._metadata_hits(category, doc, metadata)
            score = sum(h.weight for h in hits) - penalties.get(name, 0.0)
            score = round(max(score, 0.0), 2)
            if name in vetoed:
                score = 0.0
            scores[name] = score
            threshold = category.threshold if category.threshold is not None else self.min_score
            if hits and score >= threshold:
                tags.append(Tag(name, score, self._evidence(hits, prepared)))
        tags.sort(key=lambda t: -t.score)
        return Result(tags, scores)

    # -- parts ---------------------------------------------------------------------------

    def _exclusions(self, scan: Scan) -> tuple[set[str], dict[str, float]]:
        doc = scan.doc
        everything = set(self.book.categories)
        vetoed: set[str] = set()
        penalties: dict[str, float] = {}
        masked = False
        for exclusion in self.book.exclusions:
            spans = exclusion.terms.find(scan)
            if not spans:
                continue
            targets = exclusion.categories if exclusion.categories is not None else everything
            if exclusion.effect == "mask":
                chars = list(doc.match)
                for start, end in spans:
                    chars[start:end] = " " * (end - start)
                doc.match = "".join(chars)
                masked = True
            elif exclusion.effect == "veto":
                vetoed |= targets
            else:
                for name in targets:
                    penalties[name] = penalties.get(name, 0.0) + exclusion.penalty
        if masked:
            doc.lowered = _lower(doc.match)
            scan.reset()
        return vetoed, penalties

    def _text_hits(self, category: Category, scan: Scan) -> list[_Hit]:
        hits = []
        for rule in category.rules:
            hit = self._rule_hit(rule, scan)
            if hit:
                hits.append(hit)
        return hits

    def _rule_hit(self, rule: Rule, scan: Scan) -> _Hit | None:
        doc = scan.doc
        spans = rule.terms.find(scan)
        if not spans:
            return None
        owners = doc.owners()
        located = [(owners[s], (s, e)) for s, e in spans]
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
        settings = self.book.settings
        located.sort(key=lambda m: (not doc.in_title(m[0]), m[1][0]))
        best_sentence, best_span = located[0]
        weight = rule.weight * (settings.title_factor if doc.in_title(best_sentence) else 1.0)
        extra = len({m[0] for m in located}) - 1
        weight += rule.weight * settings.repeat_bonus * min(extra, settings.repeat_cap)
        return _Hit(weight, best_sentence, best_span)

    def _metadata_hits(self, category: Category, doc: dict, metadata: dict) -> list[_Hit]:
        hits = []
        for rule in category.metadata:
            note = _metadata_match(rule, doc, metadata, self.book.index)
            if note:
                hits.append(_Hit(rule.weight, -1, (0, 0), note=note))
        return hits

    def _evidence(self, hits: list[_Hit], doc: Prepared) -> list[dict]:
        evidence, seen = [], set()
        for hit in sorted(hits, key=lambda h: -h.weight):
            if hit.note is not None:
                entry = {"sentence": hit.note, "match": hit.note.split(": ", 1)[-1]}
            else:
                if hit.sentence in seen:
                    continue
                seen.add(hit.sentence)
                entry = {"sentence": _clip(doc, hit.sentence, hit.span),
                         "match": doc.display[hit.span[0]:hit.span[1]]}
            evidence.append(entry)
            if len(evidence) >= self.max_evidence:
                break
        return evidence


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; keep offsets true
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered


def _clip(doc: Prepared, index: int, span: tuple[int, int]) -> str:
    """The sentence, or a window of it around the match when it is very long."""
    begin, end = doc.sentences[index]
    text = doc.display[begin:end]
    if len(text) <= EVIDENCE_CHARS:
        return text.strip()
    middle = (span[0] + span[1]) // 2 - begin
    lo = max(0, min(middle - EVIDENCE_CHARS // 2, len(text) - EVIDENCE_CHARS))
    hi = lo + EVIDENCE_CHARS
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
