"""The outbox: digests waiting to be delivered, being delivered, delivered or failed.

A digest is created once per channel and period, in the same transaction that marks its
documents as shown in that channel. A sender claims a pending row (status `sending`) before
delivering it and marks it `sent` after; a row left `sending` by a process that died is
taken up again, so delivery is at least once."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database

from .clock import utcnow

OPEN_STATUSES = ("pending", "sending", "failed")
INTERRUPTED = "interrupted while sending; sent again after the lease, so it may arrive twice"


def create_digest(db: Database, *, digest_id: str, channel: str, kind: str, period: str,
                  document_ids: list[str], payload: dict, status: str = "pending",
                  next_attempt: str | None = None, now: str | None = None,
                  changed: dict[str, int] | None = None) -> bool:
    """Create the digest row and mark its documents (with the revision shown), all or
    nothing. `changed`: documents shown before whose change this digest reports, with the
    revision it shows, which their marks now keep. False when this digest already exists or
    another digest of the channel took one of its documents."""
    now = now or utcnow()
    try:
        with db.atomic():
            db["outbox"].insert({
                "id": digest_id, "channel": channel, "kind": kind, "period": period,
                "created_at": now, "status": status, "attempts": 0,
                "next_attempt": next_attempt or now, "parts_sent": 0,
                "document_count": len(document_ids),
                "payload": json.dumps(payload, ensure_ascii=False)})
            db["digest_marks"].insert_all(
                ({"channel": channel, "document_id": doc_id, "digest_id": digest_id,
                  "marked_at": now} for doc_id in document_ids))
            db.execute("update digest_marks set revision = (select revision from documents "
                       "where documents.id = digest_marks.document_id) where digest_id = ?",
                       [digest_id])
            for doc_id, revision in (changed or {}).items():
                db.execute("update digest_marks set revision = ? where channel = ? and "
                           "document_id = ?", [revision, channel, doc_id])
    except sqlite3.IntegrityError:
        return False
    return True


def exists(db: Database, digest_id: str) -> bool:
    return next(db.query("select 1 from outbox where id = ?", [digest_id]), None) is not None


def get(db: Database, digest_id: str) -> dict | None:
    row = next(db.query("select * from outbox where id = ?", [digest_id]), None)
    if row:
        row["payload"] = json.loads(row["payload"] or "{}")
    return row


def recover_stale(db: Database, *, before: str, now: str | None = None,
                  max_attempts: int | None = None) -> list[str]:
    """Rows left `sending` since before `before` (the lease) belong to a process that died
    mid-send, or to a send that got no answer: they go back to pending (the send may have
    happened; it will be repeated), or to failed once `max_attempts` are used up."""
    now = now or utcnow()
    rows = list(db.query("select id, attempts, last_error, next_attempt, sending_since "
                         "from outbox where status = 'sending' and sending_since < ?", [before]))
    with db.atomic():
        for row in rows:
            held = (row["next_attempt"] or "") > row["sending_since"]  # see `hold`
            error = row["last_error"] if held else INTERRUPTED
            if max_attempts is not None and row["attempts"] >= max_attempts:
                db.execute("update outbox set status = 'failed', sending_since = null, "
                           "last_error = ? where id = ? and status = 'sending'",
                           [f"gave up after {row['attempts']} attempts: {error}", row["id"]])
            else:
                db.execute("update outbox set status = 'pending', next_attempt = ?, "
                           "sending_since = null, last_error = ? where id = ? "
                           "and status = 'sending'", [now, error, row["id"]])
    return [row["id"] for row in rows]


def leased(db: Database, *, since: str, channels: list[str] | None = None) -> list[dict]:
    """Rows being sent (or waiting for an answer that never came) since `since` or later:
    within their lease, so no one else may send them."""
    rows = db.query("select id, channel, sending_since, last_error from outbox "
                    "where status = 'sending' and sending_since >= ? order by sending_since",
                    [since])
    return [r for r in rows if channels is None or r["channel"] in channels]


def due(db: Database, now: str, *, channels: list[str] | None = None) -> list[dict]:
    """Pending rows whose next attempt has come, oldest first."""
    rows = db.query("select id, channel from outbox where status = 'pending' "
                    "and next_attempt <= ? order by created_at, id", [now])
    return [get(db, r["id"]) for r in rows if channels is None or r["channel"] in channels]


def claim(db: Database, digest_id: str, *, now: str | None = None) -> bool:
    """pending -> sending, for one sender only; False when someone else has it. The attempt
    is counted now, so one that never finishes still counts."""
    cursor = db.execute(
        "update outbox set status = 'sending', sending_since = ?, attempts = attempts + 1 "
        "where id = ? and status = 'pending'", [now or utcnow(), digest_id])
    db.conn.commit()
    return cursor.rowcount == 1


def postpone(db: Database, digest_id: str, *, next_attempt: str) -> None:
    db.execute("update outbox set next_attempt = ? where id = ? and status = 'pending'",
               [next_attempt, digest_id])
    db.conn.commit()


def mark_parts_sent(db: Database, digest_id: str, parts: int) -> None:
    db.execute("update outbox set parts_sent = ? where id = ?", [parts, digest_id])
    db.conn.commit()


def hold(db: Database, digest_id: str, *, error: str, until: str) -> None:
    """The digest went out and no answer came: it stays `sending` until its lease has
    passed (`until`; then `recover_stale` takes it up), so nothing sends it sooner."""
    db.execute("update outbox set last_error = ?, next_attempt = ? where id = ? "
               "and status = 'sending'", [error, until, digest_id])
    db.conn.commit()


def mark_sent(db: Database, digest_id: str, *, now: str | None = None) -> None:
    db.execute("update outbox set status = 'sent', sent_at = ?, sending_since = null "
               "where id = ?", [now or utcnow(), digest_id])
    db.conn.commit()


def mark_retry(db: Database, digest_id: str, *, error: str, next_attempt: str) -> None:
    db.execute("update outbox set status = 'pending', last_error = ?, next_attempt = ?, "
               "sending_since = null where id = ?", [error, next_attempt, digest_id])
    db.conn.commit()


def mark_failed(db: Database, digest_id: str, *, error: str) -> None:
    db.execute("update outbox set status = 'failed', last_error = ?, sending_since = null "
               "where id = ?", [error, digest_id])
    db.conn.commit()


def retry_failed(db: Database, *, now: str | None = None,
                 channels: list[str] | None = None) -> list[str]:
    """Failed rows (and pending rows waiting out a back-off) become due now."""
    now = now or utcnow()
    rows = [r for r in db.query("select id, channel from outbox where status in "
                                "('failed', 'pending')")
            if channels is None or r["channel"] in channels]
    with db.atomic():
        for row in rows:
            db.execute("update outbox set status = 'pending', next_attempt = ? where id = ?",
                       [now, row["id"]])
    return [r["id"] for r in rows]


def listing(db: Database, *, statuses: tuple[str, ...] = OPEN_STATUSES) -> list[dict]:
    """Rows in these statuses, newest first, without their payload."""
    marks = ",".join("?" * len(statuses))
    return list(db.query(
        "select id, channel, kind, period, created_at, status, attempts, next_attempt, "
        f"last_error, sent_at, document_count from outbox where status in ({marks}) "
        "order by created_at desc, id", list(statuses)))


def channel_summary(db: Database) -> dict[str, dict]:
    """channel -> {"pending", "sending", "failed", "sent", "empty": row counts, "last_sent":
    when its last digest was delivered, "last_error": of its newest failed or retrying
    row}, for every channel with an outbox row."""
    found: dict[str, dict] = {}
    for row in db.query("select channel, status, count(*) as n, max(sent_at) as last_sent "
                        "from outbox group by channel, status"):
        entry = found.setdefault(row["channel"], {
            "pending": 0, "sending": 0, "failed": 0, "sent": 0, "empty": 0,
            "last_sent": None, "last_error": None})
        entry[row["status"]] = row["n"]
        if row["last_sent"] and (entry["last_sent"] or "") < row["last_sent"]:
            entry["last_sent"] = row["last_sent"]
    for row in db.query("select channel, last_error from outbox where last_error is not null "
                        "and status in ('pending', 'sending', 'failed') order by created_at"):
        found[row["channel"]]["last_error"] = row["last_error"]
    return found


def undelivered(db: Database, channel: str) -> list[dict]:
    """Earlier digests of a channel that failed, or are still being retried after an error."""
    return list(db.query(
        "select id, period, kind, created_at, status, attempts, last_error, document_count "
        "from outbox where channel = ? and (status = 'failed' or (status in ('pending', "
        "'sending') and attempts > 0 and last_error is not null)) order by created_at",
        [channel]))
