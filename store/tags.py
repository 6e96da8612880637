"""Category tags with their score, evidence and relevance, and the classifier version that
gave them."""

from __future__ import annotations

import json

from sqlite_utils import Database

from . import revisions
from .batches import chunks, marks
from .clock import utcnow
from .events import refresh_for_documents


def set_tags(db: Database, document_id: str, tags: list[dict], version: str,
             *, now: str | None = None, refresh_event: bool = True) -> bool:
    """Replace a document's tags. `tags` are {"category", "score", "evidence": [{"sentence",
    "match"}], "relevance": "core" | "wider", "relevance_evidence": [{"sentence", "match"}],
    "origin": "classifier" | "analyst"} (relevance and origin may be absent). Returns True
    when the set of categories changed; a document classified before then gets a new
    revision (its earlier categories kept, see store/revisions.py). The document's event
    shows the new categories (`refresh_event=False` leaves that to the caller, who
    refreshes a batch at once)."""
    now = now or utcnow()
    before = {r["category"] for r in db.query(
        "select category from document_tags where document_id = ?", [document_id])}
    changed = before != {t["category"] for t in tags}
    with db.atomic():
        if changed:
            _keep_revision(db, document_id, now)
        db.execute("delete from document_tags where document_id = ?", [document_id])
        db.conn.executemany(
            "insert into document_tags (document_id, category, score, evidence, relevance, "
            "relevance_evidence, classifier_version, tagged_at, origin) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(document_id, t["category"], t["score"],
              json.dumps(t.get("evidence", []), ensure_ascii=False), t.get("relevance"),
              json.dumps(t.get("relevance_evidence", []), ensure_ascii=False), version, now,
              t.get("origin", "classifier")) for t in tags])
        ordered = sorted(tags, key=lambda t: -t["score"])
        db.execute("update documents set categories = ?, classifier_version = ? where id = ?",
                   [json.dumps([t["category"] for t in ordered]), version, document_id])
        if refresh_event:
            refresh_for_documents(db, [document_id])
    return changed


def _keep_revision(db: Database, document_id: str, now: str) -> None:
    """A re-tagged document (one classified before) keeps its earlier categories as a
    revision; a first classification is not a change."""
    stored = next(db.query("select id, revision, content_hash, title, summary, text, "
                           "published, metadata, categories from documents where id = ? "
                           "and categories is not null", [document_id]), None)
    if stored is None:
        return
    revisions.record(db.conn, stored, now=now, change="tags")
    db.execute("update documents set revision = ?, changed_at = ? where id = ?",
               [stored["revision"] + 1, now, document_id])


def tags_for(db: Database, document_ids: list[str]) -> dict[str, list[dict]]:
    """document id -> its tags, strongest first, evidence and relevance evidence decoded."""
    found: dict[str, list[dict]] = {doc_id: [] for doc_id in document_ids}
    for chunk in chunks(document_ids):
        places = marks(chunk)
        for row in db.query(f"select * from document_tags where document_id in ({places}) "
                            "order by score desc", chunk):
            row["evidence"] = json.loads(row["evidence"] or "[]")
            row["relevance_evidence"] = json.loads(row["relevance_evidence"] or "[]")
            found[row["document_id"]].append(row)
    return found


def unclassified_ids(db: Database, version: str | None = None) -> list[str]:
    """Documents never classified, or (with `version`) classified by another version."""
    if version is None:
        return [r["id"] for r in db.query(
            "select id from documents where classifier_version is null")]
    return [r["id"] for r in db.query(
        "select id from documents where classifier_version is null or classifier_version != ?",
        [version])]


def documents_to_classify(db: Database, document_ids: list[str]) -> list[dict]:
    """What the classifier reads of each document (missing ids are left out)."""
    rows: list[dict] = []
    for chunk in chunks(document_ids):
        places = marks(chunk)
        rows.extend(db.query(
            "select id, source, lang, title, text, summary, doc_type, metadata, categories, "
            "published "
            f"from documents where id in ({places})", chunk))
    return rows


def all_document_ids(db: Database) -> list[str]:
    return [r["id"] for r in db.query("select id from documents order by id")]
