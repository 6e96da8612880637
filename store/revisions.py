"""Revisions of a document and what changed between them.

A document's row always holds its current state (`documents.revision`, counted from 1). Each
earlier state is a row of `document_revisions`, keyed (document_id, revision), holding the
whole document as it was in that revision (title, summary, text, published, metadata, and
categories: the JSON list of its categories then), `recorded_at` (when it was replaced) and
`change`: what replaced it, "content" (the source's text, title, date or fields changed) or
"tags" (re-tagged, after a rules correction or by an analyst).

    revisions(db, doc_id) -> every state, oldest first, the current one last, each a dict:
        revision, recorded_at (None for the current state), change (what the next state
        changed; None for the current one), title, summary, text, published, metadata (dict),
        categories (list, or None when not known: not classified yet, or kept before
        revisions kept categories), current (bool), diff (compare() with the state before
        it; None for the first)
    state(db, doc_id, revision) -> one state as above (without "diff"), or None
    compare(old, new, context=2, max_lines=None) -> what changed from state `old` to `new`:
        {"fields": names changed, in CHANGED_FIELDS order; "title": [old, new] or None;
         "published": [old, new] or None; "categories": {"added": [...], "removed": [...]}
         (both empty when either side's categories are not known);
         "text": unified diff lines of summary + text ("-" removed, "+" added, " " context,
                 "@@" between two places that changed), at most `max_lines` (then "…" last)}
    changed_since_shown(db, channel, since) -> documents a channel has shown whose revision
        moved since (changes recorded at or after `since`), with the revision it showed

Nothing here imports the rest of chipwatch.
"""

from __future__ import annotations

import difflib
import json

from sqlite_utils import Database

CHANGED_FIELDS = ("title", "published", "categories", "text", "metadata")

RECORD_SQL = ("insert into document_revisions (document_id, revision, recorded_at, content_hash, "
              "title, summary, text, published, metadata, categories, change) "
              "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def record(conn, stored: dict, *, now: str, change: str) -> None:
    """Keep `stored` (a document's current row: id, revision, content_hash and the state
    columns) as an earlier revision, replaced now by a change of `change`. The caller moves
    documents.revision on, in the same transaction."""
    conn.execute(RECORD_SQL, [stored["id"], stored["revision"], now, stored["content_hash"],
                              stored["title"], stored.get("summary"), stored["text"],
                              stored["published"], stored["metadata"], stored.get("categories"),
                              change])


def _state(row: dict, *, current: bool) -> dict:
    return {"revision": row["revision"],
            "recorded_at": None if current else row["recorded_at"],
            "change": None if current else row["change"],
            "title": row["title"] or "", "summary": row["summary"] or "",
            "text": row["text"] or "", "published": row["published"] or "",
            "metadata": json.loads(row["metadata"] or "{}"),
            # None: not known (not classified yet, or kept before revisions kept categories)
            "categories": json.loads(row["categories"]) if row["categories"] else None,
            "current": current}


def _rows(db: Database, doc_id: str) -> list[dict]:
    earlier = [_state(r, current=False) for r in db.query(
        "select * from document_revisions where document_id = ? order by revision", [doc_id])]
    now = next(db.query("select revision, title, summary, text, published, metadata, "
                        "categories from documents where id = ?", [doc_id]), None)
    return earlier + ([_state(now, current=True)] if now else [])


def revisions(db: Database, doc_id: str, *, max_lines: int | None = None) -> list[dict]:
    states = _rows(db, doc_id)
    for before, after in zip([None, *states[:-1]], states, strict=True):
        after["diff"] = compare(before, after, max_lines=max_lines) if before else None
    return states


def state(db: Database, doc_id: str, revision: int) -> dict | None:
    return next((s for s in _rows(db, doc_id) if s["revision"] == revision), None)


def compare(old: dict, new: dict, *, context: int = 2, max_lines: int | None = None) -> dict:
    known = old["categories"] is not None and new["categories"] is not None
    old_cats, new_cats = (old["categories"], new["categories"]) if known else ([], [])
    body_old = _body(old).splitlines()
    body_new = _body(new).splitlines()
    lines = []
    for line in difflib.unified_diff(body_old, body_new, lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lines:  # between two places that changed, not before the first
                lines.append("@@")
            continue
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines] + ["…"]
    fields = []
    if old["title"] != new["title"]:
        fields.append("title")
    if old["published"] != new["published"]:
        fields.append("published")
    if set(old_cats) != set(new_cats):
        fields.append("categories")
    if body_old != body_new:
        fields.append("text")
    if old["metadata"] != new["metadata"]:
        fields.append("metadata")
    return {"fields": fields,
            "title": [old["title"], new["title"]] if "title" in fields else None,
            "published": [old["published"], new["published"]] if "published" in fields
            else None,
            "categories": {"added": [c for c in new_cats if c not in old_cats],
                           "removed": [c for c in old_cats if c not in new_cats]},
            "text": lines}


def _body(doc: dict) -> str:
    """What a text diff compares: the summary, then the text, a sentence or line each, so
    that a diff of one edited sentence is short."""
    parts = [p for p in (doc["summary"], doc["text"]) if p]
    out = []
    for part in parts:
        for line in part.splitlines():
            out += [s.strip() for s in _sentences(line) if s.strip()]
    return "\n".join(out)


def _sentences(line: str) -> list[str]:
    pieces, start = [], 0
    for at, char in enumerate(line):
        if char in ".。!?！？" and (at + 1 == len(line) or line[at + 1] == " "
                                  or char in "。！？"):
            pieces.append(line[start:at + 1])
            start = at + 1
    return pieces + [line[start:]]


def changed_since_shown(db: Database, channel: str, *, since: str) -> list[dict]:
    """Documents `channel` has shown that have changed since: one dict each with the
    document's columns a digest needs (id, title, url, source, lang, published, revision)
    and `shown_revision`, the revision its digest showed. Only changes recorded at or after
    `since` are looked at (found by the index on recorded_at)."""
    return list(db.query(
        "select d.id, d.title, d.url, d.source, d.lang, d.published, d.revision, "
        "d.external_id, m.revision as shown_revision from documents d "
        "join digest_marks m on m.channel = ? and m.document_id = d.id "
        "where d.id in (select document_id from document_revisions where recorded_at >= ?) "
        "and m.revision is not null and d.revision > m.revision "
        "order by d.published desc, d.id", [channel, since]))
