"""The floor of chipwatch: everything that reads or writes the SQLite file goes through here.
This package imports nothing else of chipwatch."""

from .db import StoreError, open_db, utcnow

__all__ = ["StoreError", "open_db", "utcnow"]
