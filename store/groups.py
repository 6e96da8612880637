"""Linking editions of one story (several languages, different ids) by a shared group_key."""

from __future__ import annotations

from typing import Iterable

from sqlite_utils import Database

from .batches import marks
from .events import mark_unlinked


def documents_by_id(db: Database, ids: Iterable[str]) -> list[dict]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.query(f"select id, source, lang, title, published, group_key from documents "
                         f"where id in ({marks(ids)})", ids))


def documents_on_days(db: Database, source: str, days: Iterable[str]) -> list[dict]:
    """Every document of `source` published on one of `days` (ISO dates), in any language."""
    days = sorted(set(days))
    if not days:
        return []
    return list(db.query(
        f"select id, source, lang, title, published, group_key from documents "
        f"where source = ? and substr(published, 1, 10) in ({marks(days)}) order by id",
        [source, *days]))


def set_group_key(db: Database, ids: Iterable[str], group_key: str) -> int:
    """Give documents a shared group_key; returns how many rows changed."""
    changed = 0
    with db.atomic():
        for doc_id in ids:
            cursor = db.execute("update documents set group_key = ? where id = ? and "
                                "coalesce(group_key, '') != ?", [group_key, doc_id, group_key])
            changed += cursor.rowcount
            if cursor.rowcount:
                mark_unlinked(db, [doc_id])  # its event is looked at again
    return changed
