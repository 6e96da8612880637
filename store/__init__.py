"""The floor of chipwatch: everything that reads or writes the SQLite file goes through here.
This package imports nothing else of chipwatch but vocab/.

`open_db` and `utcnow` are loaded on first use (they bring sqlite-utils), so that a command
which never opens the store does not pay for it."""

from .errors import StoreError, explain

__all__ = ["StoreError", "explain", "open_db", "utcnow"]


def __getattr__(name: str):
    if name in ("open_db", "utcnow"):
        from . import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
