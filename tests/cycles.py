"""A cycle run in a thread of its own, so a test can watch the store and the sites while it
runs."""

from __future__ import annotations

import sqlite3
import threading
import time

from store import open_db
from tracker.cycle import run_cycle


def cycle_in_thread(config, **kwargs) -> tuple[threading.Thread, dict]:
    """run_cycle in a thread (with its own connection to the store); the box gets its
    outcomes under "value", or what it raised under "error"."""
    box: dict = {}

    def run():
        db = open_db(config.db_path)
        try:
            box["value"] = run_cycle(config, db, **kwargs)
        except BaseException as exc:  # surfaced by the test
            box["error"] = exc
        finally:
            db.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def value_once(path, sql: str, params=(), *, expected, within: float = 45.0):
    """The value of `sql` (one row, one column) on the store at `path`, read again until it
    is `expected` or `within` seconds have passed; read through a connection of the
    caller's own. Returns the last value read."""
    deadline = time.monotonic() + within
    while True:
        with sqlite3.connect(path, timeout=30) as reader:
            row = reader.execute(sql, params).fetchone()
        value = row[0] if row else None
        if value == expected or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


def run_status_once(path, source: str, expected: str = "ok", **kwargs) -> str | None:
    """The status of `source`'s run once it is `expected` (see value_once)."""
    return value_once(path, "select status from crawl_runs where source = ?", [source],
                      expected=expected, **kwargs)


def run_statuses(path) -> dict[str, str]:
    """Each source's run status in the store at `path` (one run per source)."""
    with sqlite3.connect(path, timeout=30) as reader:
        return dict(reader.execute("select source, status from crawl_runs"))


def documents_of(path, source: str) -> int:
    """How many documents of `source` the store at `path` holds now."""
    with sqlite3.connect(path, timeout=30) as reader:
        return reader.execute("select count(*) from documents where source = ?",
                              [source]).fetchone()[0]
