"""Page benchmark: every page of `chipwatch browse` that an analyst opens (the reading view,
searches, facet filters, the event view and an event, each canned query, the timeline's
charts), through Datasette's own app, as a ratio to the plain SQLite query beneath the page
run in the same process on the same file.

    .venv/bin/python bench/pages.py [--docs 1000000] [--dir DIR] [--runs 5]

The store is the synthetic one of bench/store_scale.py (English and Chinese documents, 250 a
day, a quarter tagged, events, digests), built once into DIR (default
~/.cache/chipwatch/bench) and reused: a missing size is built first, which at a million
documents takes a while on two cores (the figures of that build are printed). Opening a store
made by an earlier chipwatch migrates it once, and the time that takes is printed.

Each page: one warm-up request, then the median of --runs requests (HTML, as a browser gets
it, through `datasette.app.Datasette.client`); its floor: the median of as many runs of the
SQL that fetches the page's rows, run directly with sqlite3 (for a canned query its SQL; for a
chart its SQL without the date filters). Datasette's own cost of a page that runs no query
(/-/versions) is printed too, as the least any page can take. Targets: every page under
200 ms, a search under 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import store_scale  # noqa: E402

DEFAULT_DIR = Path.home() / ".cache" / "chipwatch" / "bench"
PAGE_TARGET_MS, SEARCH_TARGET_MS = 200, 500
SEARCHES = store_scale.SEARCHES + [("a word nowhere", "zzyzx"), ("a lone quote", '"')]


def median_ms(fn, runs: int) -> tuple[float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def pages(conn: sqlite3.Connection, metadata: dict) -> list[tuple[str, str, str, dict, str]]:
    """(label, kind, path, SQL params, floor SQL) of every page measured."""
    from store.browse.facets import SEARCH_LIMIT
    from store.search import fts_query

    newest, oldest = conn.execute("select max(date(substr(published, 1, 10))), "
                                  "min(date(substr(published, 1, 10))) from documents "
                                  "indexed by idx_documents_published").fetchone()
    db = metadata["databases"]["chipwatch"]
    queries = db["queries"]
    reading = "select * from reading {where}order by published desc limit 51"
    out = [
        ("reading view, newest first", "page", "/chipwatch/reading", {},
         reading.format(where="")),
        ("reading view, one source", "page", "/chipwatch/reading?source=tsmc", {},
         reading.format(where="where source = 'tsmc' ")),
        ("reading view, one category", "page",
         "/chipwatch/reading?categories__arraycontains=tariff", {},
         reading.format(where="where 'tariff' in (select value from json_each(categories)) ")),
        ("reading view, next page", "page", "/chipwatch/reading?_next=50", {},
         reading.format(where="") + " offset 50"),
        ("reading view, one day, the newest", "page",
         f"/chipwatch/reading?date__date={newest}", *_prefixed("date__date", newest)),
        ("reading view, one day, the oldest", "page",
         f"/chipwatch/reading?date__date={oldest}", *_prefixed("date__date", oldest)),
        ("reading view, one month, the oldest", "page",
         f"/chipwatch/reading?month={oldest[:7]}", *_prefixed("month", oldest[:7])),
        ("documents table", "page", "/chipwatch/documents", {},
         "select * from documents order by published desc limit 51"),
        ("event view, newest first", "page", "/chipwatch/event_reading", {},
         "select * from event_reading order by latest desc limit 51"),
        ("event view, one category", "page",
         "/chipwatch/event_reading?categories__arraycontains=tariff", {},
         "select * from event_reading where 'tariff' in (select value from "
         "json_each(categories)) order by latest desc limit 51"),
    ]
    for label, word in SEARCHES:
        match = fts_query(word)
        where = (f"where rowid in (select rowid from document_search_fts where "
                 f"document_search_fts match :q order by rowid desc limit {SEARCH_LIMIT}) "
                 if match else "")
        out.append((f"search: {word} ({label})", "search",
                    "/chipwatch/reading?" + _qs({"_search": word}), {"q": match},
                    reading.format(where=where)))
    match = fts_query("lithography")
    out.append(("search: lithography, one source", "search",
                "/chipwatch/reading?_search=lithography&source=tsmc", {"q": match},
                reading.format(where=f"where rowid in (select rowid from document_search_fts "
                                     f"where document_search_fts match :q order by rowid desc "
                                     f"limit {SEARCH_LIMIT}) and source = 'tsmc' ")))
    event_id = conn.execute("select id from events order by id desc limit 1").fetchone()[0]
    examples = {"id": event_id, "actor": "TSMC", "currency": "USD"}  # a canned query's :params
    for name, query in queries.items():
        params = {key: examples.get(key, "")
                  for key in re.findall(r"(?<!:):([a-z_]+)", query["sql"])}
        path = f"/chipwatch/{name}" + ("?" + _qs(params) if params else "")
        out.append((f"canned query: {name}", "page", path, params, query["sql"]))
    charts = metadata["plugins"]["datasette-dashboards"]["timeline"]["charts"]
    out.append(("timeline page", "page", "/-/dashboards/timeline", {}, "select 1"))
    for name, chart in charts.items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"])
        out.append((f"timeline chart: {name}", "page",
                    "/chipwatch.json?" + _qs({"sql": sql}), {}, sql))
    return out


def _prefixed(key: str, value: str) -> tuple[dict, str]:
    """The parameters and SQL beneath a reading page filtered by day or month: Datasette's
    own clause and the range of `published` it implies (store/browse/prefixes.py)."""
    from store.browse.prefixes import range_clauses

    column, _, lookup = key.partition("__")
    own = "date({c}) = :value" if lookup == "date" else "{c} = :value"
    ranges = range_clauses("reading", [(key, value)])
    where = " and ".join([own.format(c=column), *ranges.where_clauses])
    reading = "select * from reading where {where} order by published desc limit 51"
    return {"value": value, **ranges.params}, reading.format(where=where)


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def measure(path: Path, runs: int) -> dict:
    from store import open_db
    from store.browse.facets import SAMPLE
    from store.search import fts_query
    from tracker.browse import make_datasette

    t0 = time.perf_counter()
    open_db(path).close()  # any migration this chipwatch adds, once
    migrate_ms = (time.perf_counter() - t0) * 1000
    ds = make_datasette(path)
    metadata = ds.metadata()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    results = {"migrate_ms": migrate_ms, "pages": []}

    async def run_all():
        await ds.invoke_startup()

        async def get(p):
            response = await ds.client.get(p)
            return response

        base, _ = await _timed(get, "/-/versions", runs)
        results["datasette_ms"] = base
        for label, kind, page, params, sql in pages(conn, metadata):
            floor, rows = median_ms(lambda sql=sql, params=params:
                                    conn.execute(sql, params).fetchall(), runs)
            ms, response = await _timed(get, page, runs)
            text = response.text
            status = response.status_code
            if "SQL query took too long" in text:
                status = f"{status}, time limit"
            results["pages"].append({
                "label": label, "kind": kind, "path": page, "ms": ms, "floor_ms": floor,
                "status": status, "rows": len(rows), "sampled": f"first {SAMPLE:,} rows" in text,
                "timed_out": any(words in text.lower() for words in (
                    "facets timed out", "facets took too long"))})
            print(f"  {label}: {ms:,.1f} ms (floor {floor:,.2f} ms), HTTP {status}",
                  file=sys.stderr, flush=True)

    asyncio.run(run_all())
    conn.close()
    return results


async def _timed(get, page: str, runs: int):
    response = await get(page)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = await get(page)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), response


def store_figures(directory: Path, docs: int, path: Path) -> dict:
    built = directory / f"build-{docs}.json"
    figures = json.loads(built.read_text()) if built.exists() else {}
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    figures.update({"bytes_now": size, "bytes_per_document": size / docs})
    return figures


def report(docs: int, figures: dict, results: dict, runs: int) -> None:
    info = store_scale.machine()
    print(f"\n### Pages at {docs:,} documents\n")
    print(f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM, Python "
          f"{info['python']}, SQLite {info['sqlite']}; median of {runs} warm requests.\n")
    if figures.get("ingest_seconds"):
        print(f"Store: {figures['bytes_now'] / 2**30:,.2f} GiB, "
              f"{figures['bytes_per_document'] / 1024:,.1f} KiB a document; built through "
              f"upsert_documents at {figures['ingest_docs_per_s_overall']:,.0f} documents/s "
              f"(ingest {figures['ingest_seconds'] / 60:,.1f} min, tags "
              f"{figures['tag_seconds'] / 60:,.1f} min, digest marks "
              f"{figures['mark_seconds'] / 60:,.1f} min).")
    else:
        print(f"Store: {figures['bytes_now'] / 2**30:,.2f} GiB, "
              f"{figures['bytes_per_document'] / 1024:,.1f} KiB a document.")
    print(f"Opening it (migrations this chipwatch adds, if any): "
          f"{results['migrate_ms'] / 1000:,.1f} s. Datasette's own page with no query "
          f"(/-/versions): {results['datasette_ms']:.1f} ms.\n")
    print("| page | × floor | page ms | floor ms | rows | target | |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    met = missed = 0
    for p in results["pages"]:
        target = SEARCH_TARGET_MS if p["kind"] == "search" else PAGE_TARGET_MS
        ok = p["status"] == 200 and p["ms"] < target
        met, missed = met + ok, missed + (not ok)
        notes = [] if p["status"] == 200 else [f"HTTP {p['status']}"]
        if p["sampled"]:
            notes.append("facets sampled")
        if p["timed_out"]:
            notes.append("facets timed out")
        ratio = p["ms"] / p["floor_ms"] if p["floor_ms"] > 0 else float("inf")
        print(f"| {p['label']} | {ratio:,.1f} | {p['ms']:,.1f} | {p['floor_ms']:,.2f} | "
              f"{p['rows']:,} | {target} | {'; '.join(['met' if ok else 'MISSED'] + notes)} |")
    print(f"\n{met} of {met + missed} pages within their target.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000,
                        help=f"store size (a multiple of {store_scale.PER_DAY}; default 1000000)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                        help=f"where stores are kept and reused (default {DEFAULT_DIR})")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    args = parser.parse_args(argv)
    if args.docs <= 0 or args.docs % store_scale.PER_DAY:
        parser.error(f"--docs must be a positive multiple of {store_scale.PER_DAY}")
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"store-{args.docs}.db"
    if not path.exists():
        print(f"building the {args.docs:,}-document store in {args.dir} (once; reused after)",
              file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        store_scale.build(args.dir, [args.docs], reuse=True)
        print(f"built in {(time.perf_counter() - t0) / 60:,.1f} min", file=sys.stderr)
    results = measure(path, args.runs)
    report(args.docs, store_figures(args.dir, args.docs, path), results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
