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
"""

from __future__ import annotations

import sqlite3

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


def _statements(script: str) -> list[str]:
    out, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return [s for s in out if s != ";"]
