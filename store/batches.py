"""Lists of ids read or written in chunks, each under SQLite's limit of bound parameters."""

from __future__ import annotations

from typing import Iterator

CHUNK = 500


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def marks(items) -> str:
    """The placeholders of `items` in `in (...)`."""
    return ",".join("?" * len(items))
