"""What a source's health is judged from (its runs and documents), and the last verdict."""

from __future__ import annotations

import json

from sqlite_utils import Database


def source_facts(db: Database, source: str, week_ago: str) -> dict:
    """Last run, last finished run, last success, newest document and counts for a source."""
    def one(sql, params):
        return next(db.query(sql, params), None)

    last_finished = one("select * from crawl_runs where source = ? and status in "
                        "('ok', 'failed') order by id desc limit 1", [source])
    if last_finished:
        last_finished["errors"] = json.loads(last_finished["errors"] or "[]")
    last_success = one("select * from crawl_runs where source = ? and status = 'ok' "
                       "order by id desc limit 1", [source])
    last_failure = one("select * from crawl_runs where source = ? and status = 'failed' "
                       "order by id desc limit 1", [source])
    if last_failure:
        last_failure["errors"] = json.loads(last_failure["errors"] or "[]")
    docs = one("select count(*) as total, max(first_seen) as newest, "
               "sum(first_seen >= ?) as this_week from documents where source = ?",
               [week_ago, source])
    return {
        "last_finished": last_finished,
        "last_success": last_success,
        "last_failure": last_failure,
        "documents_total": docs["total"] or 0,
        "documents_this_week": docs["this_week"] or 0,
        "newest_first_seen": docs["newest"],
    }


def last_success_time(db: Database, source: str) -> str | None:
    row = next(db.query("select max(started) as t from crawl_runs where source = ? and "
                        "status = 'ok'", [source]), None)
    return row["t"] if row else None


def recorded_health(db: Database) -> dict[str, dict]:
    return {row["source"]: row for row in db["health_verdicts"].rows}


def record_health(db: Database, source: str, health: str, detail: str, now: str,
                  changed: bool) -> None:
    row = {"source": source, "health": health, "detail": detail, "checked_at": now}
    if changed:
        row["since"] = now
    db["health_verdicts"].upsert(row, pk="source", alter=False)


def record_announced(db: Database, source: str, health: str, now: str) -> None:
    """A notice of `health` was queued for `source` at `now`."""
    db.execute("update health_verdicts set announced = ?, announced_at = ? where source = ?",
               [health, now, source])
    db.conn.commit()
