"""The query planner's statistics (sqlite_stat1), kept in step with the store's size as
SQLite advises (`PRAGMA optimize`). Without them SQLite supposes an index narrows a query to
about ten rows, whatever the store holds: a search narrowed to one source then read every
document of the source through its index instead of starting from the search's matches.

The full-text index's own tables are never analysed: FTS5 reads and deletes their rows by
key alone, and their count taken in a new store (analysed by its migrations, nearly empty)
made SQLite scan the whole index to delete each range of merged segments, slowing every
write to the search index more the larger it grew."""

from __future__ import annotations

from sqlite_utils import Database

# Rows of each index ANALYZE reads: seconds at a million documents, and close enough for
# the planner's choices.
ANALYSIS_ROWS = 1000


def refresh(db: Database) -> None:
    """Analyse the tables never analysed, or grown many times over since they were (SQLite's
    own rule for `PRAGMA optimize`; it costs nothing when none has). SQLite 3.40 looks only
    at the tables this connection has read (newer ones at every table, flag 0x10000): after a
    cycle, every table the cycle wrote."""
    db.execute(f"pragma analysis_limit = {ANALYSIS_ROWS}")
    db.execute("pragma optimize = 0x10002")
    forget_search_index(db)


def analyse(db: Database) -> None:
    """Analyse every table now, but the full-text index's own."""
    db.execute(f"pragma analysis_limit = {ANALYSIS_ROWS}")
    skip = set(search_index_tables(db))
    for (name,) in db.execute("select name from sqlite_master where type = 'table' and "
                              "name not like 'sqlite%' and sql not like 'create virtual%'"
                              ).fetchall():
        if name not in skip:
            db.execute(f"analyze [{name}]")


# The tables FTS5 keeps for an index, by the suffix of their name.
_FTS5_TABLES = ("_data", "_idx", "_docsize", "_config", "_content")


def search_index_tables(db: Database) -> list[str]:
    """The tables every FTS5 index of the store keeps for itself."""
    return [name + suffix for (name,) in db.execute(
        "select name from sqlite_master where type = 'table' and sql like '%using fts5%'")
        for suffix in _FTS5_TABLES]


def forget_search_index(db: Database) -> None:
    """Drop what statistics the full-text index's own tables have (`PRAGMA optimize` may
    take some; the planner reads the change when the store is next opened)."""
    tables = search_index_tables(db)
    if tables and db["sqlite_stat1"].exists():
        db.execute(f"delete from sqlite_stat1 where tbl in ({', '.join('?' for _ in tables)})",
                   tables)
