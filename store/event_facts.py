"""Facts by event: the facts of every document of an event, together.

Which event a document belongs to is kept in event_documents (store/events.py); the one
query below reads that mapping, and nothing else here knows how events are stored.
"""

from __future__ import annotations

from sqlite_utils import Database

from .batches import chunks, marks
from .facts import facts_for

# (event_id, document_id) for every document placed in an event.
EVENT_MEMBERS = "select event_id, document_id from event_documents"


def event_documents(db: Database, event_ids: list[str]) -> dict[str, list[str]]:
    """event id -> the ids of its documents, oldest publication first."""
    found: dict[str, list[str]] = {event_id: [] for event_id in event_ids}
    for chunk in chunks(event_ids):
        places = marks(chunk)
        for row in db.query(
                f"select m.event_id, m.document_id from ({EVENT_MEMBERS}) m "
                f"join documents d on d.id = m.document_id where m.event_id in ({places}) "
                f"order by m.event_id, d.published, d.id", chunk):
            found[row["event_id"]].append(row["document_id"])
    return found


def event_facts(db: Database, event_ids: list[str]) -> dict[str, dict]:
    """event id -> the facts of its documents merged: instruments and actors named once
    (in the order first met), amounts and rates once per value, deadlines once per kind and
    date; each amount, rate and deadline keeps the document it came from."""
    members = event_documents(db, event_ids)
    by_document = facts_for(db, [d for ids in members.values() for d in ids])
    merged = {}
    for event_id, document_ids in members.items():
        out = {"instruments": [], "amounts": [], "rates": [], "deadlines": [], "actors": []}
        seen: set = set()
        for document_id in document_ids:
            facts = by_document[document_id]
            for key in ("instruments", "actors"):
                out[key] += [name for name in facts[key] if name not in out[key]]
            for key, identity in (("amounts", ("value", "currency")), ("rates", ("percent",)),
                                  ("deadlines", ("kind", "date"))):
                for item in facts[key]:
                    marker = (key, *(item[k] for k in identity))
                    if marker not in seen:
                        seen.add(marker)
                        out[key].append({**item, "document_id": document_id})
        merged[event_id] = out
    return merged
