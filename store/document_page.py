"""Everything a document's page shows, read in one go: the document, its tags with their
evidence, its facts, its event and editions, its history and its footnotes.

`document_page(db, doc_id)` is what the Datasette page (/chipwatch/document?id=...) renders;
it reads only the rows of this document and of its event (every query is by key or index).
"""

from __future__ import annotations

import difflib
import json

from sqlite_utils import Database

from vocab.sources import source_title

from .citations import editions, footnotes_for
from .events import get_event
from .facts import facts_for
from .tags import tags_for

# How much of a changed text a revision's diff shows.
DIFF_CONTEXT = 2
DIFF_MAX_LINES = 60
# How many of its event's documents the page lists (the event's page lists them all).
EVENT_DOCUMENTS_SHOWN = 30


def document_page(db: Database, doc_id: str) -> dict | None:
    doc = next(db.query("select * from documents where id = ?", [doc_id]), None)
    if doc is None:
        return None
    doc["source_title"] = source_title(doc["source"])
    doc["metadata"] = json.loads(doc["metadata"] or "{}")
    placed = next(db.query("select event_id, role, reason, evidence from event_documents "
                           "where document_id = ?", [doc_id]), None)
    event = get_event(db, placed["event_id"]) if placed else None
    return {
        "document": doc,
        "tags": tags_for(db, [doc_id])[doc_id],
        "facts": facts_for(db, [doc_id])[doc_id],
        "placement": placed,
        "event": event,
        "event_documents": _event_documents(db, event["id"]) if event else [],
        "editions": editions(db, doc),
        "revisions": revision_history(db, doc_id),
        "tag_corrections": tag_corrections(db, doc_id),
        "citations": footnotes_for(db, doc),
    }


def _event_documents(db: Database, event_id: int) -> list[dict]:
    """The first documents of the event, oldest first (a bounded list, however large the
    event has grown)."""
    return list(db.query(
        "select d.id, d.source, d.lang, d.title, d.published, e.role from event_documents e "
        "join documents d on d.id = e.document_id where e.event_id = ? "
        "order by d.published, d.id limit ?", [event_id, EVENT_DOCUMENTS_SHOWN]))


# -- history -----------------------------------------------------------------------------------
#
# THE ONE PLACE the document page's list of revisions comes from. It reads
# `document_revisions` (the content a document had before each change, written by
# store.documents.upsert_documents) and diffs each state against the next with difflib.
# When the store gains its own revision API (store/revisions.py: `revisions(db, doc_id)`,
# each state with a `diff` of fields, title, published, categories and text lines), this
# function should return that instead; the page reads only the keys documented here.


def revision_history(db: Database, doc_id: str) -> list[dict]:
    """Every state of the document, oldest first, the current one last: {"revision",
    "recorded_at" (when it was replaced; None for the current one), "title", "published",
    "current", "diff"}; "diff" (None for the first state) is {"fields": what changed,
    "title": [old, new] or None, "published": [old, new] or None, "text": unified diff lines
    of the text ("-" removed, "+" added, " " context, "@@" between parts)}."""
    states = [{**row, "current": False} for row in db.query(
        "select revision, recorded_at, title, text, published from document_revisions "
        "where document_id = ? order by revision", [doc_id])]
    now = next(db.query("select revision, title, text, published from documents "
                        "where id = ?", [doc_id]), None)
    if now:
        states.append({**now, "recorded_at": None, "current": True})
    for before, after in zip([None, *states[:-1]], states, strict=True):
        after["diff"] = _compare(before, after) if before else None
    for state in states:
        state.pop("text", None)  # the page shows the current text once, and the diffs
    return states


def _compare(old: dict, new: dict) -> dict:
    diff = {"fields": [], "title": None, "published": None, "text": []}
    for field in ("title", "published"):
        if (old[field] or "") != (new[field] or ""):
            diff["fields"].append(field)
            diff[field] = [old[field] or "", new[field] or ""]
    lines = list(difflib.unified_diff((old["text"] or "").splitlines(),
                                      (new["text"] or "").splitlines(),
                                      n=DIFF_CONTEXT, lineterm=""))[2:]  # no file headers
    if lines:
        diff["fields"].append("text")
        diff["text"] = lines[:DIFF_MAX_LINES] + (["…"] if len(lines) > DIFF_MAX_LINES else [])
    return diff


def tag_corrections(db: Database, doc_id: str) -> list[dict]:
    """Analysts' corrections of this document's tags, oldest first: who, at, why, add,
    remove."""
    rows = []
    for row in db.query(
            "select id, who, at, why, detail from corrections c where c.kind = 'tags' and "
            "exists (select 1 from json_each(c.document_ids) j where j.value = ?) "
            "order by id", [doc_id]):
        detail = json.loads(row.pop("detail") or "{}")
        rows.append({**row, "add": detail.get("add", []), "remove": detail.get("remove", [])})
    return rows
