"""Which documents a channel's digest has shown, so nothing is shown twice."""

from __future__ import annotations

import json

from sqlite_utils import Database

from vocab.documents import DOCUMENT_FIELDS

# Every column but the full text, which a digest never shows (it shows the tags' evidence).
DIGEST_COLUMNS = ", ".join(f"d.{c}" for c in (
    *(field for field in DOCUMENT_FIELDS if field != "text"),
    "revision", "first_seen", "last_seen", "changed_at", "categories", "classifier_version"))


def undigested(db: Database, channel: str, limit: int | None = None, *,
               since: str | None = None, untagged: bool = True) -> list[dict]:
    """Documents not yet in any digest of `channel`, newest publication first; with `since`
    (a store timestamp), only those first seen since then. Every column but the full text,
    which a digest never shows (it shows the tags' evidence). `untagged=False` leaves out
    documents without any tag, for a channel that does not list them.

    The window is what keeps a digest quick in a large store: the documents first seen
    since `since` are found through the index on first_seen and only they are checked
    against digest_marks, instead of every document ever stored."""
    sql = (f"select {DIGEST_COLUMNS} from documents d where "
           + ("d.first_seen >= ? and " if since else "")
           + ("" if untagged else
              "exists (select 1 from document_tags t where t.document_id = d.id) and ")
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
