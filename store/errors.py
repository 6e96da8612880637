"""Store errors worded for the person running chipwatch (importing this is cheap: the
command line catches these before any store is opened)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


class NeedsUpgrade(StoreError):
    """A read-only open met a database that still needs migrating."""


def explain(exc: sqlite3.DatabaseError, path=None) -> str:
    """What an SQLite error means for the person running chipwatch, and what to do."""
    path = path if path is not None else "the database"
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (f"{path}: the database is locked by another process (a chipwatch daemon, a "
                f"crawl, or another program with the file open); nothing was written; try "
                f"again when it has finished")
    if "disk is full" in text:
        folder = Path(str(path)).parent if str(path) != "the database" else "its directory"
        return (f"{path}: the disk holding the database is full; the change was rolled back "
                f"and nothing is half-written; free space in {folder} (or move [store] path "
                f"to a larger disk), then run the command again")
    if "disk I/O error" in text:
        return (f"{path}: the disk could not be read or written (disk I/O error); check the "
                f"disk, the space left and the file's permissions, then run the command again")
    if "not a database" in text or "malformed" in text:
        return (f"{path}: this file is not a usable SQLite database ({text}); "
                f"restore it from a backup or point [store] path / --db elsewhere")
    if "readonly" in text or "unable to open" in text:
        return (f"{path}: cannot open the database for reading and writing ({text}); check "
                f"that this user may read and write the file and its directory (owner, mode), "
                f"and that its file system is not read-only (`chipwatch status` and "
                f"`chipwatch outbox` only read, and work without write access)")
    return f"{path}: database error: {text}"
