"""Which documents a channel's digest has shown, so nothing is shown twice, and the events
those documents belong to, so a digest lists events and says what is new in one."""

from __future__ import annotations

import json

from sqlite_utils import Database

from vocab.documents import DOCUMENT_FIELDS

from .batches import chunks, marks

# Every column but the full text, which a digest never shows (it shows the tags' evidence).
DIGEST_COLUMNS = ", ".join(f"d.{c}" for c in (
    *(field for field in DOCUMENT_FIELDS if field != "text"),
    "revision", "first_seen", "last_seen", "changed_at", "categories", "classifier_version"))


def undigested(db: Database, channel: str, limit: int | None = None, *,
               since: str | None = None, untagged: bool = True) -> list[dict]:
    """Documents not yet in any digest of `channel`, newest publication first; with `since`
    (a store timestamp), only those first seen since then. Every column but the full text,
    which a digest never shows (it shows the tags' evidence). `untagged=False` leaves out
    documents without any tag (unless their event has one), for a channel that does not
    list them. Each row has its `event_id` and `role`.

    The window is what keeps a digest quick in a large store: the documents first seen
    since `since` are found through the index on first_seen and only they are checked
    against digest_marks, instead of every document ever stored."""
    sql = (f"select {DIGEST_COLUMNS}, e.event_id, e.role from documents d "
           "left join event_documents e on e.document_id = d.id where "
           + ("d.first_seen >= ? and " if since else "")
           + ("" if untagged else
              # a document with a tag, or one joining an event that has one (an update)
              "(exists (select 1 from document_tags t where t.document_id = d.id) or "
              "exists (select 1 from event_documents x join document_tags t on "
              "t.document_id = x.document_id where x.event_id = e.event_id)) and ")
           + "not exists (select 1 from digest_marks m "
           "where m.channel = ? and m.document_id = d.id) "
           # `+`: sort what the window found, rather than walk every document in
           # publication order (the index on published would tempt the planner)
           + ("order by +d.published desc, d.id" if since else "order by d.published desc, d.id"))
    params: list = ([since] if since else []) + [channel]
    if limit:
        sql += " limit ?"
        params.append(limit)
    rows = list(db.query(sql, params))
    for row in rows:
        row["metadata"] = json.loads(row["metadata"] or "{}")
    return rows


def event_context(db: Database, channel: str, event_ids) -> dict[int, dict]:
    """event id -> {"id", "title", "title_zh", "lead_document_id", "documents": [each of its
    documents (DIGEST_COLUMNS, role), with "sent": whether a digest of `channel` showed it]}."""
    event_ids = sorted({e for e in event_ids if e is not None})
    found: dict[int, dict] = {}
    for chunk in chunks(event_ids):
        places = marks(chunk)
        for row in db.query(f"select id, title, title_zh, lead_document_id from events "
                            f"where id in ({places})", chunk):
            found[row["id"]] = {**row, "documents": []}
        for row in db.query(
                f"select {DIGEST_COLUMNS}, e.event_id, e.role, exists (select 1 from "
                "digest_marks m where m.channel = ? and m.document_id = d.id) as sent "
                "from event_documents e join documents d on d.id = e.document_id "
                f"where e.event_id in ({places}) order by d.published, d.id", [channel, *chunk]):
            row["metadata"] = json.loads(row["metadata"] or "{}")
            row["sent"] = bool(row["sent"])
            found[row["event_id"]]["documents"].append(row)
    return found
