"""Documents: idempotent writes keyed by stable identity, with their history."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable

from sqlite_utils import Database

from vocab.documents import DOCUMENT_FIELDS

from . import counts as kept_counts
from . import revisions
from .batches import chunks, marks
from .clock import utcnow
from .events import mark_unlinked, place_documents
from .search import index_documents

# What counts as the content of a document: a change here is recorded as a revision
# (store/revisions.py).
CONTENT_FIELDS = ("title", "text", "summary", "published", "metadata")


@dataclass
class WriteCounts:
    seen: int = 0
    new: int = 0
    changed: int = 0

    @property
    def unchanged(self) -> int:
        return self.seen - self.new - self.changed


# Made once (json.dumps builds an encoder per call): the same output as json.dumps with
# these options.
_METADATA_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_JSON_STRING = json.encoder.encode_basestring  # a str as JSON, as ensure_ascii=False writes it


def _row(doc: dict) -> dict:
    row = {key: doc.get(key) for key in DOCUMENT_FIELDS}
    metadata = row["metadata"]
    if not isinstance(metadata, str):
        row["metadata"] = _METADATA_JSON.encode(metadata or {})
    row["text"] = row["text"] or ""
    return row


def content_hash(row: dict) -> str:
    """sha256 of the JSON list of the content fields (json.dumps(..., ensure_ascii=False))."""
    values = [row.get(k) or "" for k in CONTENT_FIELDS]
    if all(type(v) is str for v in values):  # written directly: the same text, faster
        payload = "[" + ", ".join(map(_JSON_STRING, values)) + "]"
    else:
        payload = json.dumps(values, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Prepared once: every write of a batch runs the same few statements (sqlite-utils' own
# insert() and update() inspect the table on every call, which dominated ingest).
_STORED = (*DOCUMENT_FIELDS, "content_hash", "revision", "first_seen", "last_seen")
_INSERT = (f"insert into documents ({', '.join(_STORED)}) "
           f"values ({', '.join('?' for _ in _STORED)})")
_CHANGE = ("update documents set "
           + ", ".join(f"{c} = ?" for c in DOCUMENT_FIELDS if c != "id")
           + ", content_hash = ?, revision = ?, last_seen = ?, changed_at = ? where id = ?")
_SEEN = "update documents set last_seen = ? where id = ?"


def upsert_documents(db: Database, docs: Iterable[dict], *, now: str | None = None,
                     changed_ids: list[str] | None = None) -> WriteCounts:
    """Store documents in one transaction. New ones get `first_seen` and an event of their
    own (the linker may join it to others later); seen ones move `last_seen`; a real change
    of content keeps the old content as a revision and is linked again.

    `changed_ids`, when given, collects the ids of new and changed documents."""
    now = now or utcnow()
    counts = WriteCounts()
    rows = []
    for doc in docs:
        row = _row(doc)
        row["content_hash"] = content_hash(row)
        rows.append(row)
    stored = _stored(db, rows)
    # What each document is, in the order given: new, seen again, or changed (compared with
    # the store, or with its earlier copy in this batch).
    inserts, changes, seen_again, written = [], [], [], []
    for row in rows:
        counts.seen += 1
        doc_id = row["id"]
        existing = stored.get(doc_id)
        if existing is None:
            inserts.append(row)
            stored[doc_id] = {**row, "revision": 1}
            counts.new += 1
        elif existing["content_hash"] == row["content_hash"]:
            seen_again.append((now, doc_id))
            continue
        else:
            revision = existing["revision"] + 1
            changes.append((existing, row, revision))
            stored[doc_id] = {**row, "revision": revision,
                              "categories": existing.get("categories")}
            counts.changed += 1
        written.append(row)
        if changed_ids is not None:
            changed_ids.append(doc_id)
    new_ids = [row["id"] for row in inserts]
    conn = db.conn
    with db.atomic(), kept_counts.batch(db) as batch:
        # new documents first, counted before anything changes them (a copy later in the
        # batch may), then the changes in order
        conn.executemany(_INSERT, [[*(row[f] for f in DOCUMENT_FIELDS), row["content_hash"],
                                    1, now, now] for row in inserts])
        batch.added("documents", new_ids)
        for existing, row, revision in changes:
            revisions.record(conn, existing, now=now, change="content")
            conn.execute(_CHANGE, [*(row[f] for f in DOCUMENT_FIELDS if f != "id"),
                                   row["content_hash"], revision, now, now, row["id"]])
        conn.executemany(_SEEN, seen_again)
        if db["event_documents"].exists():  # not in a store migrated only part way
            batch.added("events", place_documents(db, new_ids, now=now))
            mark_unlinked(db, [row["id"] for _, row, _ in changes])
        index_documents(db, written)  # last: see index_documents
    return counts


def _stored(db: Database, rows: list[dict]) -> dict[str, dict]:
    """What the store holds of these documents: their hash and revision, and the whole
    state of those whose content differs (what a revision keeps)."""
    found: dict[str, dict] = {}
    for chunk in chunks(list(dict.fromkeys(row["id"] for row in rows))):
        for doc_id, content, revision in db.conn.execute(
                f"select id, content_hash, revision from documents where id in "
                f"({marks(chunk)})", chunk):
            found[doc_id] = {"content_hash": content, "revision": revision}
    differ = list(dict.fromkeys(row["id"] for row in rows if row["id"] in found
                                and row["content_hash"] != found[row["id"]]["content_hash"]))
    for chunk in chunks(differ):
        for row in db.query("select id, content_hash, revision, title, summary, text, "
                            f"published, metadata, categories from documents "
                            f"where id in ({marks(chunk)})", chunk):
            found[row["id"]] = row
    return found


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


def ids_ending_with(db: Database, end: str, *, limit: int = 6) -> list[str]:
    """Ids of documents whose id ends with `end` (what a person types: `2026-16628`), at most
    `limit`; `%`, `_` and `\\` in `end` are taken literally."""
    if not end:
        return []
    literal = end.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [r["id"] for r in db.query(
        "select id from documents where id like ? escape '\\' order by id limit ?",
        ["%" + literal, limit])]


def document_titles(db: Database) -> dict[str, str]:
    """id -> title of every stored document."""
    return {r["id"]: r["title"] for r in db.query("select id, title from documents")}


def texts_for(db: Database, document_ids: list[str]) -> dict[str, str]:
    """id -> its title, summary and text in one string (what keyword filters read)."""
    found = {}
    unique = list(dict.fromkeys(document_ids))
    for chunk in chunks(unique):
        for row in db.query(f"select id, title, summary, text from documents where id in "
                            f"({marks(chunk)})", chunk):
            found[row["id"]] = "\n".join(p for p in (row["title"], row["summary"], row["text"])
                                         if p)
    return found
