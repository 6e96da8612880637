"""Facets, counts and search for the large views, so that their pages take the same time at a
million documents as at a thousand.

- Facets (`counted` facets): on an unfiltered page of the large views the values and counts
  come from the counts the store keeps (store/counts.py), exact and read in a millisecond;
  anywhere else they are counted over the page's rows, read once for all its facets, but
  over no more than SAMPLE of them: a facet computed on a sample says so in its heading
  ("source (first 1,000 rows)"), and when even those rows take longer than Datasette's
  facet time limit to find (a rare value of a column without an index), the page's facets
  are given up rather than read the whole view.
  metadata.yml declares the facets in Datasette's own terms (`array: categories`, `source`,
  `date: date`); `for_scale` turns every table's into this type.
- Counts: an unfiltered page of a large view shows the kept row count; a filtered one shows
  none (`_nocount`) rather than count every matching row; a search alone counts its
  matches, which are at most SEARCH_LIMIT.
- Search: `?_search=` on the reading view takes the SEARCH_LIMIT most recently stored
  matching documents (FTS5 walks its index backwards and stops), then shows them newest
  first, instead of sorting every match of a common word.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from store.counts import FACET_SOURCES, FACET_VALUES, ROW_COUNT
from store.search import FTS_TABLE

TYPE = "counted"
SAMPLE = 1000  # rows a facet of a filtered page is counted over, at most
SEARCH_LIMIT = 1000  # matches a search shows (the most recently stored)
LARGE_VIEWS = ("reading", "event_reading", "documents")  # big enough to need all this
SEARCHED = {"reading": FTS_TABLE}  # view -> the FTS5 table its rowid is matched against
# Large views -> the columns they may be sorted by: those an index orders (sorting a million
# rows by any other column runs into Datasette's time limit).
SORTABLE = {"reading": ["published", "first_seen"], "event_reading": ["latest"],
            "documents": ["published", "first_seen"]}

def _values(value, kind: str) -> set:
    """What one row counts toward a facet of this kind (as Datasette's own facets count)."""
    if value is None:
        return set()
    if kind == "array":
        try:
            items = json.loads(value) if isinstance(value, str) else []
        except ValueError:
            return set()
        return {item for item in items if item is not None} if isinstance(items, list) else set()
    if kind == "date":
        day = str(value)[:10]
        try:
            return {date.fromisoformat(day).isoformat()}
        except ValueError:
            return set()
    return {value}


# The filter a facet value adds to the page, by kind.
_FILTER = {"column": "{col}", "date": "{col}__date", "array": "{col}__arraycontains"}


def for_scale(tables: dict) -> None:
    """Adapt the tables metadata.yml describes (in place): their facets become counted
    facets (kept counts where the store keeps them, at most SAMPLE rows anywhere else), and
    the large views sort only by the columns an index orders."""
    for name, columns in SORTABLE.items():
        if name in tables:
            tables[name].setdefault("sortable_columns", columns)
    for table in tables.values():
        if "facets" not in table:
            continue
        converted = []
        for facet in table["facets"]:
            kind, column = ("column", facet) if isinstance(facet, str) else \
                next(iter(facet.items()))
            converted.append({TYPE: {"column": column, "kind": kind}})
        table["facets"] = converted


def search_clause(table: str, search: str) -> FilterArguments | None:
    """The reading view's ?_search=: the most recently stored matches, at most
    SEARCH_LIMIT of them (a box with nothing to search for matches nothing, and the page
    says why: store.search.search_problem)."""
    fts = SEARCHED.get(table)
    if fts is None:
        return None
    where = (f"rowid in (select rowid from {escape_sqlite(fts)} where {escape_sqlite(fts)} "
             f"match escape_fts(:search) order by rowid desc limit {SEARCH_LIMIT})")
    return FilterArguments(
        [where], {"search": search},
        [f'search matches "{search}" (the {SEARCH_LIMIT:,} most recent matches at most)'],
        {"supports_search": True, "search": search})


def is_filter(key: str) -> bool:
    """Whether a query argument is a filter, as Datasette's table view takes them (`_search`,
    `_sort` and the like are not; `_col__exact` is)."""
    return not (key.startswith("_") and "__" not in key)


def needs_nocount(path: str, query_string: str) -> bool:
    """Whether a request for a large view's page should skip Datasette's count: any page
    of one but a search alone (which counts at most SEARCH_LIMIT matches; narrowed further
    by a column, SQLite may count from the column's index instead)."""
    name = path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    if name not in LARGE_VIEWS or not path.startswith("/chipwatch/"):
        return False
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if any(key == "_nocount" for key, _ in pairs):
        return False
    searched = name in SEARCHED and any(key == "_search" for key, _ in pairs)
    filtered = any(is_filter(key) for key, _ in pairs)
    return not searched or filtered


def with_nocount(query_string: str) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True) + [("_nocount", "1")]
    return urlencode(pairs)


def is_unfiltered(sql: str, table: str) -> bool:
    return sql.rstrip().endswith(f"from {escape_sqlite(table)}")


async def kept_row_count(datasette, database: str, table: str) -> int | None:
    source = FACET_SOURCES.get(table)
    if not source:
        return None
    view = next(iter(source.values()))[0]
    result = await datasette.execute(database, ROW_COUNT, {"view": view})
    row = result.first()
    return row[0] if row else None


class CountedFacet(Facet):
    type = TYPE

    async def facet_results(self):
        results, timed_out = [], []
        size = self.get_facet_size()
        pairs = self.get_querystring_pairs()
        kept = FACET_SOURCES.get(self.table, {}) if is_unfiltered(self.sql, self.table) else {}
        wanted = []  # (column, kind, where the config came from)
        for entry in self.get_configs():
            config = entry["config"]
            column = config.get("column") or config.get("simple")
            kind = config.get("kind", "column")
            if column and kind in _FILTER:
                wanted.append((column, kind, entry["source"]))
        counted, sampled = {}, False
        if any(column not in kept for column, _, _ in wanted):
            try:
                counted, sampled = await self._sample([(c, k) for c, k, _ in wanted
                                                       if c not in kept], size)
            except QueryInterrupted:
                # a rare filter value on a large view: finding even SAMPLE rows means reading
                # most of it, so these facets are given up (Datasette lists them as timed out)
                timed_out = [column for column, _, _ in wanted if column not in kept]
        for column, kind, source in wanted:
            if column in kept:
                view, facet = kept[column]
                rows = (await self.ds.execute(
                    self.database, FACET_VALUES,
                    {"view": view, "facet": facet, "limit": size + 1})).rows
                label = kind
            elif column in counted:
                rows, label = counted[column], (f"first {SAMPLE:,} rows" if sampled else kind)
            else:
                continue
            results.append(self._result(column, kind, label, source, rows, size, pairs))
        return results, timed_out

    async def _sample(self, wanted: list[tuple[str, str]], size: int):
        """Every facet in `wanted` counted over the page's rows, read once: all of them, or
        the first SAMPLE when there are more (the second value says which)."""
        columns = ", ".join(escape_sqlite(column) for column, _ in wanted)
        rows = (await self.ds.execute(
            self.database, f"select {columns} from ({self.sql}) limit {SAMPLE + 1}",
            self.params, truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows
        sampled = len(rows) > SAMPLE
        rows = rows[:SAMPLE]
        counted = {}
        for index, (column, kind) in enumerate(wanted):
            counts: Counter = Counter()
            for row in rows:
                counts.update(_values(row[index], kind))
            ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            counted[column] = [{"value": v, "count": n} for v, n in ordered[:size + 1]]
        return counted, sampled

    def _result(self, column, kind, label, source, rows, size, pairs) -> dict:
        arg = _FILTER[kind].format(col=column)
        values = []
        for row in rows[:size]:
            value = row["value"] if kind == "column" else str(row["value"])
            selected = (arg, str(value)) in pairs
            toggle = (path_with_removed_args(self.request, {arg: str(value)}) if selected
                      else path_with_added_args(self.request, {arg: value}))
            values.append({"value": value, "label": value, "count": row["count"],
                           "toggle_url": self.ds.absolute_url(self.request, toggle),
                           "selected": selected})
        return {"name": column, "type": label, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(
                    self.request, {f"_facet_{TYPE}": column})),
                "results": values, "truncated": len(rows) > size}


# -- the plugin's hooks (registered by tracker.browse beside store.browse.plugin) ---------------

@hookimpl
def register_facet_classes():
    return [CountedFacet]


@hookimpl(trylast=True)  # after Datasette's own search filter, so that this context wins
def filters_from_request(request, database, table, datasette):
    if table not in SEARCHED:
        return None
    if "_search" not in request.args:
        return FilterArguments([], {}, [], {"supports_search": True})
    return search_clause(table, request.args.get("_search"))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def counted(scope, receive, send):
            if scope["type"] == "http":
                query = scope.get("query_string", b"").decode("latin-1")
                if needs_nocount(scope.get("path", ""), query):
                    scope = {**scope, "query_string": with_nocount(query).encode("latin-1")}
            await app(scope, receive, send)
        return counted
    return wrap


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """An unfiltered page of a large view shows the row count the store keeps."""
    if view_name != "table" or table not in LARGE_VIEWS or request is None:
        return {}
    filtered = any(is_filter(key) for key in request.args)
    if filtered or "_search" in request.args:
        return {}

    async def count():
        return {"filtered_table_rows_count": await kept_row_count(datasette, database, table)}
    return count
