"""Which documents a channel's digest has shown, so nothing is shown twice."""

from __future__ import annotations

import json

from sqlite_utils import Database

from .db import utcnow


def undigested(db: Database, channel: str, limit: int | None = None) -> list[dict]:
    """Documents not yet in any digest of `channel`, newest publication first."""
    sql = ("select d.* from documents d left join digest_marks m "
           "on m.document_id = d.id and m.channel = ? where m.document_id is null "
           "order by d.published desc, d.id")
    params: list = [channel]
    if limit:
        sql += " limit ?"
        params.append(limit)
    rows = list(db.query(sql, params))
    for row in rows:
        row["metadata"] = json.loads(row["metadata"] or "{}")
    return rows


def mark_digested(db: Database, channel: str, document_ids: list[str], digest_id: str,
                  *, now: str | None = None) -> None:
    now = now or utcnow()
    with db.atomic():
        db["digest_marks"].insert_all(
            ({"channel": channel, "document_id": doc_id, "digest_id": digest_id,
              "marked_at": now} for doc_id in document_ids),
            ignore=True)
