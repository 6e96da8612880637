"""Opening the SQLite file: WAL, migrations, and errors a person can act on."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from .schema import migrations


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


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
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain(exc, path)) from None
    return db


def explain(exc: sqlite3.DatabaseError, path=None) -> str:
    """What an SQLite error means for the person running chipwatch, and what to do."""
    path = path if path is not None else "the database"
    text = str(exc)
    if "locked" in text:
        return (f"{path}: the database is locked by another process (is a daemon or a "
                f"crawl still running?); try again when it has finished")
    if "not a database" in text or "malformed" in text:
        return (f"{path}: this file is not a usable SQLite database ({text}); "
                f"restore it from a backup or point [store] path / --db elsewhere")
    if "readonly" in text or "unable to open" in text:
        return (f"{path}: cannot open the database for reading and writing ({text}); check "
                f"that this user may read and write the file and its directory (owner, mode)")
    return f"{path}: database error: {text}"
