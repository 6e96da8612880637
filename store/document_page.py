"""Everything a document's page shows, read in one go: the document, its tags with their
evidence, its facts, its event and editions, its history and its footnotes.

`document_page(db, doc_id)` is what the Datasette page (/chipwatch/document?id=...) renders;
it reads only the rows of this document and of its event (every query is by key or index).
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from vocab.sources import source_title

from .citations import editions, footnotes_for
from .events import get_event
from .facts import facts_for
from .revisions import revisions
from .tags import tags_for

# How many lines of a changed text a revision's diff shows.
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


def revision_history(db: Database, doc_id: str) -> list[dict]:
    """Every state of the document, oldest first, the current one last, each with the diff
    against the one before (store/revisions.py); the text itself is left out, since the page
    shows the current text once, and the diffs."""
    states = revisions(db, doc_id, max_lines=DIFF_MAX_LINES)
    for state in states:
        state.pop("text", None)
        state.pop("summary", None)
    return states


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
