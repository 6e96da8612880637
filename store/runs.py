"""Crawl runs and their stats: the record from which a source's health is judged."""

from __future__ import annotations

import json
import os

from sqlite_utils import Database

from .clock import utcnow


def start_run(db: Database, source: str, kind: str = "routine", *,
              now: str | None = None) -> int:
    table = db["crawl_runs"]
    table.insert({"source": source, "kind": kind, "started": now or utcnow(),
                  "status": "running", "pid": os.getpid()})
    return table.last_pk


def finish_run(db: Database, run_id: int, *, status: str, finish_reason: str | None,
               pages_fetched: int = 0, bytes_received: int = 0, documents_seen: int = 0,
               documents_new: int = 0, documents_changed: int = 0,
               errors: list[str] | None = None, stats: dict | None = None,
               now: str | None = None) -> None:
    errors = errors or []
    db["crawl_runs"].update(run_id, {
        "finished": now or utcnow(), "status": status, "finish_reason": finish_reason,
        "pages_fetched": pages_fetched, "bytes_received": bytes_received,
        "documents_seen": documents_seen, "documents_new": documents_new,
        "documents_changed": documents_changed, "error_count": len(errors),
        "errors": json.dumps(errors, ensure_ascii=False),
        "stats": json.dumps(stats or {}, ensure_ascii=False, default=str),
    })


def mark_abandoned_runs(db: Database, *, now: str | None = None, mine: bool = False) -> int:
    """Record as interrupted the runs left 'running' by a process that has died (with
    `mine`, the runs of this process, which is stopping)."""
    running = list(db.query("select id, pid from crawl_runs where status = 'running'"))
    if mine:
        ended = [r["id"] for r in running if r["pid"] == os.getpid()]
    else:
        ended = [r["id"] for r in running if r["pid"] != os.getpid() and not _alive(r["pid"])]
    with db.atomic():
        for run_id in ended:
            db.execute(
                "update crawl_runs set status = 'interrupted', finished = ?, finish_reason = "
                "coalesce(finish_reason, 'process ended before the run finished') where id = ?",
                [now or utcnow(), run_id])
    return len(ended)


def _alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine (None: unknown, taken as dead)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but another user's
    return True


def get_run(db: Database, run_id: int) -> dict:
    return db["crawl_runs"].get(run_id)


def runs_for(db: Database, source: str, limit: int = 20) -> list[dict]:
    return list(db.query("select * from crawl_runs where source = ? order by id desc limit ?",
                         [source, limit]))


def broken_sources(db: Database, sources: list[str] | None = None) -> list[dict]:
    """Sources whose latest finished crawl failed: {source, failures (in a row), since
    (when the streak began), last_error, last_run}. A quiet source is not broken."""
    broken = []
    names = sources if sources is not None else [
        r["source"] for r in db.query("select distinct source from crawl_runs order by source")]
    for source in names:
        streak = []
        for run in db.query("select started, status, errors from crawl_runs where source = ? "
                            "and status in ('ok', 'failed') order by id desc limit 50",
                            [source]):
            if run["status"] != "failed":
                break
            streak.append(run)
        if streak:
            errors = json.loads(streak[0]["errors"] or "[]")
            broken.append({"source": source, "failures": len(streak),
                           "since": streak[-1]["started"], "last_run": streak[0]["started"],
                           "last_error": errors[0] if errors else "the crawl failed"})
    return broken
