"""Analysts' corrections: merges and splits of events, tags added and removed. Each is a row
of `corrections` (who, when, why, what), and leaves what the linker and the classifier obey
afterwards: `event_constraints` (documents kept together or apart, whatever the evidence
says) and `tag_overrides` (categories added or removed, whatever the rules say). A later
correction replaces an earlier one where they disagree."""

from __future__ import annotations

import json
from typing import Iterable

from sqlite_utils import Database

from .batches import chunks, marks
from .clock import utcnow


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def record(db: Database, *, kind: str, who: str, why: str, event_ids: Iterable[int] = (),
           document_ids: Iterable[str] = (), detail: dict | None = None,
           now: str | None = None) -> int:
    """Write the audit row of a correction; returns its id."""
    table = db["corrections"]
    table.insert({"kind": kind, "who": who, "at": now or utcnow(), "why": why,
                  "event_ids": json.dumps(list(event_ids)),
                  "document_ids": json.dumps(list(document_ids), ensure_ascii=False),
                  "detail": json.dumps(detail or {}, ensure_ascii=False)})
    return table.last_pk


def keep_together(db: Database, documents: list[str], correction_id: int) -> None:
    """The documents stay in one event: every pair is kept together (an earlier 'apart'
    between two of them is replaced)."""
    rows = [{"doc_a": a, "doc_b": b, "kind": "together", "correction_id": correction_id}
            for i, x in enumerate(documents) for y in documents[i + 1:]
            for a, b in [_pair(x, y)] if a != b]
    db["event_constraints"].insert_all(rows, replace=True)


def keep_apart(db: Database, group: list[str], others: list[str], correction_id: int) -> None:
    """No document of `group` shares an event with one of `others`."""
    rows = [{"doc_a": a, "doc_b": b, "kind": "apart", "correction_id": correction_id}
            for x in group for y in others for a, b in [_pair(x, y)] if a != b]
    db["event_constraints"].insert_all(rows, replace=True)


def constraints_touching(db: Database, ids: Iterable[str]) -> list[dict]:
    """Constraints with a document of `ids` on either side, with their correction's kind,
    who, when and why."""
    ids = sorted(set(ids))
    found: dict[tuple[str, str], dict] = {}
    for chunk in chunks(ids):
        places = marks(chunk)
        for row in db.query(
                "select c.doc_a, c.doc_b, c.kind, c.correction_id, r.kind as correction, "
                "r.who, r.at, r.why from event_constraints c join corrections r "
                f"on r.id = c.correction_id where c.doc_a in ({places}) or c.doc_b in ({places})",
                chunk + chunk):
            found[(row["doc_a"], row["doc_b"])] = row
    return [found[key] for key in sorted(found)]


def override_tags(db: Database, document_id: str, *, add: Iterable[str] = (),
                  remove: Iterable[str] = (), relevance: str | None = None,
                  correction_id: int) -> None:
    rows = [{"document_id": document_id, "category": c, "action": "add",
             "relevance": relevance, "correction_id": correction_id} for c in add]
    rows += [{"document_id": document_id, "category": c, "action": "remove",
              "relevance": None, "correction_id": correction_id} for c in remove]
    db["tag_overrides"].insert_all(rows, replace=True)


def tag_overrides(db: Database, ids: Iterable[str]) -> dict[str, list[dict]]:
    """document id -> its tag overrides with the correction's who, when and why."""
    ids = sorted(set(ids))
    found: dict[str, list[dict]] = {}
    for chunk in chunks(ids):
        places = marks(chunk)
        for row in db.query(
                "select o.document_id, o.category, o.action, o.relevance, o.correction_id, "
                "r.who, r.at, r.why from tag_overrides o join corrections r "
                f"on r.id = o.correction_id where o.document_id in ({places}) "
                "order by o.document_id, o.category", chunk):
            found.setdefault(row["document_id"], []).append(row)
    return found


def listing(db: Database) -> list[dict]:
    """Every correction, oldest first, JSON columns decoded."""
    rows = list(db.query("select * from corrections order by id"))
    for row in rows:
        for key in ("event_ids", "document_ids", "detail"):
            row[key] = json.loads(row[key] or "null")
    return rows
