"""Tagging stored documents: the classifier meets the store here (the cycle tags what it
just stored; `chipwatch reclassify` re-tags everything after the rules change). A document's
tags and facts (instruments, amounts, rates, deadlines, actors) are written together; an
analyst's tag corrections (`chipwatch tags`) are applied over what the rules say, every time."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Callable

from sqlite_utils import Database

from store import corrections as correction_store
from store import events as event_store
from store import facts as fact_store
from store import tags as tag_store

from .engine import Classifier, Result

BATCH = 500


@dataclass
class TagReport:
    documents: int = 0  # documents tagged
    changed: int = 0  # documents whose set of categories changed
    added: int = 0  # tags a document did not have before
    removed: int = 0  # tags a document lost

    def line(self) -> str:
        return (f"{self.documents} document{'s' if self.documents != 1 else ''} tagged; "
                f"{self.changed} changed category ({self.added} tag"
                f"{'s' if self.added != 1 else ''} added, {self.removed} removed)")


def tag_documents(db: Database, classifier: Classifier, document_ids: list[str], *,
                  on_progress: Callable[[int, int], None] | None = None) -> TagReport:
    """Classify the documents and store their tags, a batch per transaction."""
    report = TagReport()
    total = len(document_ids)
    for start in range(0, total, BATCH):
        rows = tag_store.documents_to_classify(db, document_ids[start:start + BATCH])
        overrides = correction_store.tag_overrides(db, [row["id"] for row in rows])
        with db.atomic():
            for row in rows:
                before = set(json.loads(row["categories"])) if row.get("categories") else set()
                result = classifier.classify({**row, "text": row["text"] or row["summary"]})
                tags = with_overrides([t.as_dict() for t in result.tags],
                                      overrides.get(row["id"], []), classifier.min_score)
                tag_store.set_tags(db, row["id"], tags, classifier.version,
                                   refresh_event=False)
                fact_store.set_facts(db, row["id"], [t.as_dict() for t in result.instruments],
                                     stored_facts(result), classifier.version)
                after = {t["category"] for t in tags}
                report.documents += 1
                report.changed += before != after
                report.added += len(after - before)
                report.removed += len(before - after)
            event_store.refresh_for_documents(db, [row["id"] for row in rows])
        if on_progress:
            on_progress(min(start + BATCH, total), total)
    return report


def with_overrides(tags: list[dict], overrides: list[dict], score: float) -> list[dict]:
    """The classifier's tags with an analyst's corrections applied: a removed category is
    dropped, an added one is given (at the score that makes a tag, with the analyst's reason
    as its evidence) unless the rules gave it already."""
    removed = {o["category"] for o in overrides if o["action"] == "remove"}
    kept = [t for t in tags if t["category"] not in removed]
    have = {t["category"] for t in kept}
    for o in overrides:
        if o["action"] == "add" and o["category"] not in have:
            kept.append({"category": o["category"], "score": score,
                         "evidence": [{"sentence": f"Tagged by {o['who']} on {o['at'][:10]}: "
                                                   f"{o['why']}", "match": ""}],
                         "relevance": o["relevance"] or "core", "relevance_evidence": [],
                         "origin": "analyst"})
    return sorted(kept, key=lambda t: -t["score"])


def stored_facts(result: Result) -> dict:
    """A result's facts as the store keeps them (every field but the offsets)."""
    facts = result.facts
    if facts is None:
        return {}
    def fields(item) -> dict:
        record = asdict(item)
        record.pop("start", None)
        return record
    return {"amounts": [fields(a) for a in facts.amounts],
            "rates": [fields(r) for r in facts.rates],
            "deadlines": [fields(d) for d in facts.deadlines],
            "actors": [fields(a) for a in facts.actors]}
