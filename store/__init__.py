"""The floor of chipwatch: everything that reads or writes the SQLite file goes through here.
This package imports nothing else of chipwatch."""

from .db import StoreError, explain, open_db, utcnow

__all__ = ["StoreError", "explain", "open_db", "utcnow"]
