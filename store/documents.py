"""Documents: idempotent writes keyed by stable identity, with their history."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable

from sqlite_utils import Database

from vocab.documents import DOCUMENT_FIELDS

from .db import utcnow
from .events import mark_unlinked, place_documents
from .search import index_documents

# What counts as the content of a document: a change here is recorded as a revision.
CONTENT_FIELDS = ("title", "text", "summary", "published", "metadata")


@dataclass
class WriteCounts:
    seen: int = 0
    new: int = 0
    changed: int = 0

    @property
    def unchanged(self) -> int:
        return self.seen - self.new - self.changed


def _row(doc: dict) -> dict:
    row = {key: doc.get(key) for key in DOCUMENT_FIELDS}
    metadata = row["metadata"]
    if not isinstance(metadata, str):
        row["metadata"] = json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True)
    row["text"] = row["text"] or ""
    return row


def content_hash(row: dict) -> str:
    payload = json.dumps([row.get(k) or "" for k in CONTENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upsert_documents(db: Database, docs: Iterable[dict], *, now: str | None = None,
                     changed_ids: list[str] | None = None) -> WriteCounts:
    """Store documents in one transaction. New ones get `first_seen` and an event of their
    own (the linker may join it to others later); seen ones move `last_seen`; a real change
    of content keeps the old content as a revision and is linked again.

    `changed_ids`, when given, collects the ids of new and changed documents."""
    now = now or utcnow()
    counts = WriteCounts()
    table = db["documents"]
    new_ids: list[str] = []
    changed: list[str] = []
    with db.atomic():
        for doc in docs:
            row = _row(doc)
            row["content_hash"] = content_hash(row)
            counts.seen += 1
            existing = next(db.query(
                "select content_hash, revision, title, text, published, metadata "
                "from documents where id = ?", [row["id"]]), None)
            if existing is None:
                table.insert({**row, "revision": 1, "first_seen": now, "last_seen": now})
                new_ids.append(row["id"])
                counts.new += 1
            elif existing["content_hash"] == row["content_hash"]:
                table.update(row["id"], {"last_seen": now})
                continue
            else:
                db["document_revisions"].insert({
                    "document_id": row["id"], "revision": existing["revision"],
                    "recorded_at": now, "content_hash": existing["content_hash"],
                    "title": existing["title"], "text": existing["text"],
                    "published": existing["published"], "metadata": existing["metadata"],
                })
                table.update(row["id"], {**row, "revision": existing["revision"] + 1,
                                         "last_seen": now, "changed_at": now})
                changed.append(row["id"])
                counts.changed += 1
            index_documents(db, [row])
            if changed_ids is not None:
                changed_ids.append(row["id"])
        if db["event_documents"].exists():  # not in a store migrated only part way
            place_documents(db, new_ids, now=now)
            mark_unlinked(db, changed)
    return counts


def latest_published(db: Database, source: str) -> str | None:
    """The newest publication date stored for a source (ISO), for incremental crawls."""
    row = next(db.query("select max(published) as p from documents where source = ?",
                        [source]), None)
    return row["p"] if row else None


def known_documents(db: Database, source: str) -> dict[str, dict]:
    """id -> {url, title, published} of every stored document of a source: what a spider
    needs to stop paging at stored items and to skip article pages it already has."""
    return {r["id"]: {"url": r["url"], "title": r["title"], "published": r["published"]}
            for r in db.query("select id, url, title, published from documents "
                              "where source = ?", [source])}


def count_documents(db: Database, source: str | None = None) -> int:
    if source is None:
        return db["documents"].count
    return next(db.query("select count(*) as n from documents where source = ?",
                         [source]))["n"]


def get_document(db: Database, doc_id: str) -> dict | None:
    return next(db.query("select * from documents where id = ?", [doc_id]), None)


def revisions(db: Database, doc_id: str) -> list[dict]:
    return list(db.query("select * from document_revisions where document_id = ? "
                         "order by revision", [doc_id]))
