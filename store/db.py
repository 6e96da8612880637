"""Opening the SQLite file: WAL, migrations, and errors a person can act on."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from .errors import NeedsUpgrade, StoreError, explain
from .schema import migrations


def open_db(path: str | Path, *, create: bool = True, read_only: bool = False) -> Database:
    """Open (and if needed create and migrate) the store at `path`; ':memory:' works too.
    `create=False` refuses a file that does not exist; `read_only` opens an existing file
    for reading only (a read-only file, directory or file system is fine); one that still
    needs migrating is opened to be migrated, if it can be written."""
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a database file; point [store] path "
                             f"or --db at a file (it is created if missing)")
        if not path.exists() and (not create or read_only):
            raise StoreError(f"{path}: no database here; check the path, or run `chipwatch "
                             f"run` to create one")
        if read_only:
            try:
                return _open_read_only(path)
            except NeedsUpgrade as exc:
                if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
                    raise StoreError(str(exc)) from None
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


def _open_read_only(path: Path) -> Database:
    """Read without writing anything: no WAL switch, no migration, no -shm file created when
    the directory is read-only (an immutable open, when no writer has changes pending)."""
    wal = path.with_name(path.name + "-wal")
    uri = f"file:{quote(str(path.resolve()))}"
    conn = None
    try:
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=15)
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
            pending_writes = wal.exists() and wal.stat().st_size > 0
            no_shm = "unable to open" in str(exc) or "readonly" in str(exc)  # cannot make -shm
            if not no_shm or pending_writes:
                raise
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
            conn.execute("select count(*) from sqlite_master").fetchone()
        db = Database(conn)
        if migrations.pending(db):
            conn.close()
            raise NeedsUpgrade(f"{path}: was made by an earlier chipwatch and must be upgraded "
                             f"first, which needs write access; run `chipwatch run` (or any "
                             f"command that writes) as a user who may write it")
    except sqlite3.DatabaseError as exc:
        raise StoreError(explain(exc, path)) from None
    return db

