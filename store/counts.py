"""Counts kept as documents and events are written, so that no page of `chipwatch browse`
counts every row of a large store to show it:

- `facet_counts`: how many rows of the reading view (one per document) and of the event view
  (one per event) have each value of each facet column, and how many rows each view has
  (facet `_rows`);
- `event_day_counts`: events per first day, by category and by source (the timeline);
- `event_categories`: each event's categories with its latest date, indexed, for the
  category feeds, "this week" and the event feed entries.

Triggers keep all three in step with every write to `documents` and `events`, whichever
module makes it; `fill` computes them from what is stored (the migration that adds them).
A count can reach zero and stay as a row: readers ask for `count > 0`.

A writer that inserts many rows at once (a crawl's batch of new documents and the events they
are placed in) counts them in one statement per count instead of one trigger run per row:
inside `batch(db)`, the insert triggers step aside (`counts_held` has a row) and the writer
calls `added(table, keys)` for the rows it inserted, before any other change to them.
Updates and deletes are always counted by the triggers.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from typing import Iterator

from sqlite_utils import Database

ROWS = "_rows"  # the facet whose one value counts a view's rows

# What each view's facet columns are made of, for a row `r` of `documents` or `events`
# (kind, facet, SQL of its value or of its JSON array). Array values count once per row.
_SAFE_ARRAY = "(case when json_valid({col}) then {col} else '[]' end)"
DOCUMENT_FACETS = [
    ("column", "source", "{r}.source"),
    ("column", "language", "{r}.lang"),
    ("column", "month", "substr({r}.published, 1, 7)"),
    ("array", "categories", "{r}.categories"),
    ("array", "instruments", "{r}.instruments"),
    ("array", "actors", "{r}.actors"),
]
EVENT_FACETS = [
    ("array", "categories", "{r}.categories"),
    ("array", "sources", "{r}.sources"),
    ("array", "languages", "{r}.languages"),
    ("column", "relevance", "{r}.relevance"),
]
# view -> its table and facets; other tables' facets are read from these (see FACET_SOURCES)
VIEWS = {"reading": ("documents", DOCUMENT_FACETS), "event_reading": ("events", EVENT_FACETS)}
# table or view shown by Datasette -> {its column: (view, facet) whose counts it shows}
FACET_SOURCES = {
    "reading": {facet: ("reading", facet) for _, facet, _ in DOCUMENT_FACETS},
    "documents": {"source": ("reading", "source"), "lang": ("reading", "language"),
                  "categories": ("reading", "categories")},
    "event_reading": {facet: ("event_reading", facet) for _, facet, _ in EVENT_FACETS},
}

TABLES = """
create table facet_counts (
  view text not null, facet text not null, value text not null, count integer not null,
  primary key (view, facet, value)
) without rowid;
create table event_day_counts (
  kind text not null, value text not null, day text not null, events integer not null,
  primary key (kind, value, day)
) without rowid;
create table event_categories (
  event_id integer not null, category text not null, latest text,
  primary key (event_id, category)
) without rowid;
create index idx_event_categories_category on event_categories (category, latest, event_id);
create index idx_event_categories_latest on event_categories (latest);
"""

# Facet counts of the views, a page of the facet (or the row count) in one statement.
FACET_VALUES = ("select value, count from facet_counts where view = :view and facet = :facet "
                "and count > 0 order by count desc, value limit :limit")
ROW_COUNT = f"select count from facet_counts where view = :view and facet = '{ROWS}'"


def _values(view: str, r: str) -> str:
    """(facet, value) of the row `r` (new or old) for every facet of `view`, as a SELECT."""
    parts = [f"select '{ROWS}' as facet, '' as value"]
    for kind, facet, sql in VIEWS[view][1]:
        sql = sql.format(r=r)
        if kind == "array":
            parts.append(f"select distinct '{facet}', j.value from json_each("
                         f"{_SAFE_ARRAY.format(col=sql)}) j")
        else:
            parts.append(f"select '{facet}', {sql}")
    return " union all ".join(parts)


def _bump_facets(view: str, r: str, sign: int) -> str:
    return (f"insert into facet_counts (view, facet, value, count) "
            f"select '{view}', facet, value, {sign} from ({_values(view, r)}) "
            f"where value is not null "
            f"on conflict (view, facet, value) do update set count = count + excluded.count;")


def _bump_days(r: str, sign: int) -> str:
    out = []
    for kind, column in (("category", "categories"), ("source", "sources")):
        out.append(
            f"insert into event_day_counts (kind, value, day, events) "
            f"select '{kind}', j.value, {r}.first_date, {sign} "
            f"from json_each({_SAFE_ARRAY.format(col=f'{r}.{column}')}) j "
            f"where {r}.first_date is not null and j.value is not null "
            f"on conflict (kind, value, day) do update set events = events + excluded.events;")
    return " ".join(out)


def _event_categories(r: str) -> str:
    return (f"insert or ignore into event_categories (event_id, category, latest) "
            f"select {r}.id, j.value, {r}.last_date from json_each("
            f"{_SAFE_ARRAY.format(col=f'{r}.categories')}) j where j.value is not null;")


DOCUMENT_COLUMNS = "source, lang, published, categories, instruments, actors"
EVENT_COLUMNS = "categories, sources, languages, relevance, first_date, last_date"


def _changed(columns: str) -> str:
    """A trigger's WHEN: one of `columns` really changed (an update that rewrites the same
    values, as re-linking does, leaves the counts alone)."""
    return " or ".join(f"old.{c} is not new.{c}" for c in columns.split(", "))


TRIGGERS = f"""
create trigger documents_counts_insert after insert on documents begin
  {_bump_facets('reading', 'new', 1)}
end;
create trigger documents_counts_delete after delete on documents begin
  {_bump_facets('reading', 'old', -1)}
end;
create trigger documents_counts_update after update of {DOCUMENT_COLUMNS} on documents
  when {_changed(DOCUMENT_COLUMNS)} begin
  {_bump_facets('reading', 'old', -1)}
  {_bump_facets('reading', 'new', 1)}
end;
create trigger events_counts_insert after insert on events begin
  {_bump_facets('event_reading', 'new', 1)}
  {_bump_days('new', 1)}
  {_event_categories('new')}
end;
create trigger events_counts_delete after delete on events begin
  {_bump_facets('event_reading', 'old', -1)}
  {_bump_days('old', -1)}
  delete from event_categories where event_id = old.id;
end;
create trigger events_counts_update after update of {EVENT_COLUMNS} on events
  when {_changed(EVENT_COLUMNS)} begin
  {_bump_facets('event_reading', 'old', -1)}
  {_bump_facets('event_reading', 'new', 1)}
  {_bump_days('old', -1)}
  {_bump_days('new', 1)}
  delete from event_categories where event_id = old.id;
  {_event_categories('new')}
end;
"""


# The insert triggers since m017: the same counting, skipped while a writer holds them.
HELD = "counts_held"
HELD_TABLE = f"create table {HELD} (held integer not null)"
_UNHELD = f"when not exists (select 1 from {HELD})"
INSERT_TRIGGERS_V2 = f"""
drop trigger documents_counts_insert;
create trigger documents_counts_insert after insert on documents {_UNHELD} begin
  {_bump_facets('reading', 'new', 1)}
end;
drop trigger events_counts_insert;
create trigger events_counts_insert after insert on events {_UNHELD} begin
  {_bump_facets('event_reading', 'new', 1)}
  {_bump_days('new', 1)}
  {_event_categories('new')}
end;
"""


# What the insert triggers do, for every row of a batch at once: the rows of `table` whose
# id is in the JSON array :keys (their counted columns), as `batch`, each counted as its
# trigger counts it.
def _batch(table: str) -> str:
    columns = DOCUMENT_COLUMNS if table == "documents" else EVENT_COLUMNS
    return (f"with batch as (select rowid as row_key, id, {columns} from {table} "
            f"where id in (select value from json_each(:keys))) ")


def _some(column: str) -> str:
    """A row whose array `column` may hold values: no JSON is read for an empty one (what
    most new rows have)."""
    return f"{column} is not null and {column} != '[]'"


def _add_facets(view: str) -> str:
    table, facets = VIEWS[view]
    parts = [f"select '{ROWS}' as facet, '' as value from batch r"]
    for kind, facet, sql in facets:
        sql = sql.format(r="r")
        if kind == "array":  # each value once per row, as the trigger's `distinct`
            parts.append(f"select '{facet}', value from (select distinct r.row_key, j.value "
                         f"from batch r, json_each({_SAFE_ARRAY.format(col=sql)}) j "
                         f"where {_some(sql)})")
        else:
            parts.append(f"select '{facet}', {sql} from batch r")
    return (f"{_batch(table)}insert into facet_counts (view, facet, value, count) "
            f"select '{view}', facet, value, count(*) from ({' union all '.join(parts)}) "
            f"where value is not null group by facet, value "
            f"on conflict (view, facet, value) do update set count = count + excluded.count")


def _add_days(kind: str, column: str) -> str:
    return (f"{_batch('events')}insert into event_day_counts (kind, value, day, events) "
            f"select '{kind}', j.value, r.first_date, count(*) from batch r, "
            f"json_each({_SAFE_ARRAY.format(col=f'r.{column}')}) j "
            f"where r.first_date is not null and {_some(f'r.{column}')} and j.value is not null "
            f"group by j.value, r.first_date "
            f"on conflict (kind, value, day) do update set events = events + excluded.events")


_ADDED = {
    "documents": [_add_facets("reading")],
    "events": [_add_facets("event_reading"), _add_days("category", "categories"),
               _add_days("source", "sources"),
               f"{_batch('events')}insert or ignore into event_categories (event_id, category, "
               f"latest) select r.id, j.value, r.last_date from batch r, "
               f"json_each({_SAFE_ARRAY.format(col='r.categories')}) j "
               f"where {_some('r.categories')} and j.value is not null"],
}


class Batch:
    """The rows a writer inserted while holding the insert triggers, counted together."""

    def __init__(self, db: Database, held: bool):
        self.db = db
        self.held = held

    def added(self, table: str, keys: list) -> None:
        """Count the rows of `table` ("documents" or "events") with these ids, inserted
        inside this batch and not changed since (an update is counted by its trigger as a
        change from the row as counted)."""
        if not self.held or not keys:  # counted by the triggers, or a store without counts
            return
        params = {"keys": json.dumps(list(keys))}
        for statement in _ADDED[table]:
            self.db.conn.execute(statement, params)


@contextmanager
def batch(db: Database) -> Iterator[Batch]:
    """Hold the insert triggers of documents and events for the block, which counts what it
    inserts with `Batch.added`; in a store migrated only part way (no `counts_held`) the
    triggers, if any, count as usual. Use inside a transaction: a failure rolls the hold
    back with everything else. (Not a savepoint of its own: SQLite would then keep a copy
    of every page the block changes, the search index's included.)"""
    if not db.conn.in_transaction:
        raise RuntimeError("counts.batch needs a transaction (db.atomic())")
    held = db[HELD].exists()
    if held:
        db.conn.execute(f"insert into {HELD} (held) values (1)")
    yield Batch(db, held)
    if held:
        db.conn.execute(f"delete from {HELD}")


def fill(db: Database) -> None:
    """Compute every count from what is stored (replacing what was there)."""
    for table in ("facet_counts", "event_day_counts", "event_categories"):
        db.execute(f"delete from {table}")
    for view, (table, facets) in VIEWS.items():
        db.execute(f"insert into facet_counts (view, facet, value, count) "
                   f"select '{view}', '{ROWS}', '', count(*) from {table}")
        for kind, facet, sql in facets:
            sql = sql.format(r="r")
            if kind == "array":
                values = (f"select distinct r.rowid, j.value as value from {table} r, "
                          f"json_each({_SAFE_ARRAY.format(col=sql)}) j")
            else:
                values = f"select {sql} as value from {table} r"
            db.execute(f"insert into facet_counts (view, facet, value, count) "
                       f"select '{view}', '{facet}', value, count(*) from ({values}) "
                       f"where value is not null group by value")
    for kind, column in (("category", "categories"), ("source", "sources")):
        db.execute(f"insert into event_day_counts (kind, value, day, events) "
                   f"select '{kind}', j.value, e.first_date, count(*) from events e, "
                   f"json_each({_SAFE_ARRAY.format(col=f'e.{column}')}) j "
                   f"where e.first_date is not null and j.value is not null "
                   f"group by j.value, e.first_date")
    db.execute(f"insert or ignore into event_categories (event_id, category, latest) "
               f"select e.id, j.value, e.last_date from events e, "
               f"json_each({_SAFE_ARRAY.format(col='e.categories')}) j "
               f"where j.value is not null")


def create(db: Database) -> None:
    """The count tables and their triggers, filled from what is stored."""
    for statement in _statements(TABLES + TRIGGERS):  # not executescript: it would commit
        db.execute(statement)
    fill(db)


def hold_inserts(db: Database) -> None:
    """The table that holds the insert triggers, and the triggers that obey it (m017)."""
    for statement in _statements(HELD_TABLE + ";" + INSERT_TRIGGERS_V2):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    out, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return [s for s in out if s != ";"]
