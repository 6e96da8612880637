"""Store errors worded for the person running chipwatch (importing this is cheap: the
command line catches these before any store is opened)."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


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
