"""The query planner's statistics (sqlite_stat1), kept in step with the store's size as
SQLite advises (`PRAGMA optimize`). Without them SQLite supposes an index narrows a query to
about ten rows, whatever the store holds: a search narrowed to one source then read every
document of the source through its index instead of starting from the search's matches."""

from __future__ import annotations

from sqlite_utils import Database

# Rows of each index ANALYZE reads: seconds at a million documents, and close enough for
# the planner's choices.
ANALYSIS_ROWS = 1000


def refresh(db: Database) -> None:
    """Analyse the tables never analysed, or grown many times over since they were (SQLite's
    own rule for `PRAGMA optimize`; it costs nothing when none has)."""
    db.execute(f"pragma analysis_limit = {ANALYSIS_ROWS}")
    db.execute("pragma optimize = 0x10002")  # 0x10000: every table, not only those used


def analyse(db: Database) -> None:
    """Analyse every table now."""
    db.execute(f"pragma analysis_limit = {ANALYSIS_ROWS}")
    db.execute("analyze")
