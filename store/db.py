"""Opening the SQLite file: WAL, migrations, and errors a person can act on."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from .errors import StoreError, explain
from .schema import migrations


def utcnow() -> str:
    """Timestamps in the store: UTC, ISO 8601, second precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_db(path: str | Path, *, create: bool = True) -> Database:
    """Open (and if needed create and migrate) the store at `path`; ':memory:' works too."""
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path)
        if not path.exists() and not create:
            raise StoreError(f"{path}: no database here; run 'chipwatch run' first to create it")
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a database file; point [store] path "
                             f"or --db at a file (it is created if missing)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create its directory: {exc.strerror}") from None
    try:
        conn = sqlite3.connect(":memory:" if memory else str(path), timeout=15)
        db = Database(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        if not memory:
            db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain(exc, path)) from None
    return db
