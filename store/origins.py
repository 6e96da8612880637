"""Moving stored links from one origin to another: `chipwatch demo` crawls a replay of each
site on 127.0.0.1, and afterwards points its documents' links at the real sites, so that a
link in the demo store (a title, a digest entry, a footnote) opens the page it stands for
rather than a replay that is gone once the demo ends. Documents keep their ids."""

from __future__ import annotations

from sqlite_utils import Database


def move_origin(db: Database, source: str, old: str, new: str) -> int:
    """Links of `source`'s documents on origin `old` (scheme://host:port) now on `new`;
    returns how many moved."""
    old, new = old.rstrip("/"), new.rstrip("/")
    with db.atomic():
        cursor = db.execute(
            "update documents set url = ? || substr(url, ?) "
            "where source = ? and (url = ? or substr(url, 1, ?) = ?)",
            [new, len(old) + 1, source, old, len(old) + 1, old + "/"])
    return cursor.rowcount
