"""Store benchmark: ingest rate, size on disk, the digest query and a search, at 10 thousand,
100 thousand and 1 million documents.

    .venv/bin/python bench/store_scale.py [--sizes 10000,100000,1000000] [--dir bench/data]
                                         [--runs 7] [--reuse]

One store is grown through the real write path (`store.documents.upsert_documents`, one call
per source and day, as a crawl writes), with synthetic English and Chinese documents
(bench/synth.py), 250 a day. Each day a quarter of the documents are tagged
(`store.tags.set_tags`), and the day before is marked digested (`store.outbox.create_digest`)
for two channels, as a daily digest would: "all" takes every document (its categories include
"none"), "tagged" takes only tagged ones (the default channel categories). The newest day is
left undigested: the steady state of a daemon that digests once a day. At each size the file
is copied to DIR/store-<size>.db; `--reuse` measures existing copies instead of building.

Measured at each size (median of --runs warm runs, with min and max):
- the digest query: `store.digests.undigested`, `store.digests.event_context` and
  `store.tags.tags_for`, as `alerts.service.build` calls them, for each channel;
- a search in Datasette's own app (`/chipwatch/reading.json?_search=...`, the SQL it runs
  taken from its ?_trace=1 output): an English word and a Chinese two-character word typed in
  Traditional script (matched in both scripts).
Results go to standard output as Markdown and to DIR/results-<label>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.clock import stamp  # noqa: E402
from bench.synth import Synth, day_of  # noqa: E402
from store import open_db  # noqa: E402
from store.digests import undigested  # noqa: E402
from store.documents import upsert_documents  # noqa: E402
from store.outbox import create_digest  # noqa: E402
from store.tags import set_tags, tags_for  # noqa: E402
from tracker.classify.defaults import DEFAULT_RULES  # noqa: E402
from vocab.categories import read_categories  # noqa: E402

PER_DAY = 250  # about ten times what the five sources publish together
CHANNELS = {"all": True, "tagged": False}  # channel -> takes untagged documents too
# (what it is, the query): a common and a rarer word in each language; the Chinese ones typed
# in Traditional script and matched in both.
SEARCHES = [("English, common", "lithography"), ("English, rare", "bekabete"),
            ("Chinese, common", "關稅"), ("Chinese, rare", "應金")]
VERSION = "bench"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        ram = f"{int(ram) / 1024 / 1024:.1f} GiB"
    except OSError:
        ram = "unknown"
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": ram,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


# -- building --------------------------------------------------------------------------------

def build(directory: Path, sizes: list[int], reuse: bool) -> dict[int, dict]:
    """Grow one store to each size; copy it at each; return ingest figures per size."""
    figures: dict[int, dict] = {}
    missing = [s for s in sizes if not (reuse and (directory / f"store-{s}.db").exists())]
    for size in sizes:
        saved = directory / f"build-{size}.json"
        if size not in missing and saved.exists():
            figures[size] = json.loads(saved.read_text())
    if not missing:
        return figures
    path = directory / "store-growing.db"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    db = open_db(path)
    synth = Synth()
    n = 0
    ingest_seconds = tag_seconds = mark_seconds = 0.0
    previous_day: list[tuple[str, bool]] = []
    segment_start = (0, 0.0, time.perf_counter())
    target = max(missing)
    while n < target:
        # the daily digest of yesterday's documents, for each channel
        t0 = time.perf_counter()
        stamp = day_of(n, PER_DAY).isoformat()
        for channel, takes_untagged in CHANNELS.items():
            ids = [doc_id for doc_id, tagged in previous_day if tagged or takes_untagged]
            create_digest(db, digest_id=f"{channel}:daily:{stamp[:10]}", channel=channel,
                          kind="daily", period=stamp[:10], document_ids=ids, payload={},
                          status="sent", now=stamp)
        mark_seconds += time.perf_counter() - t0
        # today's crawls: one write per source
        day = day_of(n, PER_DAY)
        docs = [synth.document(n + i, day - timedelta(hours=i % 30)) for i in range(PER_DAY)]
        by_source: dict[str, list[dict]] = defaultdict(list)
        for doc in docs:
            by_source[doc["source"]].append(doc)
        t0 = time.perf_counter()
        for batch in by_source.values():
            upsert_documents(db, batch, now=(day + timedelta(hours=6)).isoformat())
        ingest_seconds += time.perf_counter() - t0
        t0 = time.perf_counter()
        previous_day = []
        for doc in docs:
            tags = synth.tags(doc)
            if tags:
                set_tags(db, doc["id"], tags, VERSION, now=day.isoformat())
            previous_day.append((doc["id"], bool(tags)))
        tag_seconds += time.perf_counter() - t0
        n += len(docs)
        if n % 50_000 == 0:
            print(f"  built {n:,} documents ({n / ingest_seconds:,.0f}/s through "
                  f"upsert_documents)", file=sys.stderr, flush=True)
        if n in missing:
            db.execute("pragma wal_checkpoint(truncate)")
            copy = directory / f"store-{n}.db"
            db.conn.commit()
            shutil.copyfile(path, copy)
            first_n, first_ingest, _ = segment_start
            figures[n] = {
                "documents": n,
                "ingest_docs_per_s_overall": n / ingest_seconds,
                "ingest_docs_per_s_segment": (n - first_n) / (ingest_seconds - first_ingest),
                "segment": [first_n, n],
                "ingest_seconds": ingest_seconds,
                "tag_seconds": tag_seconds,
                "mark_seconds": mark_seconds,
                "bytes": copy.stat().st_size,
            }
            (directory / f"build-{n}.json").write_text(json.dumps(figures[n], indent=1))
            segment_start = (n, ingest_seconds, time.perf_counter())
    db.close()
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    return figures


# -- measuring -------------------------------------------------------------------------------

def timed(fn, runs: int) -> tuple[list[float], object]:
    result = fn()  # warm-up, not counted
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def spread(times: list[float]) -> dict:
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
            "runs": len(times)}


def channel_objects() -> dict:
    """The bench's channels as chipwatch's own: "all" lists untagged documents too (as the
    stdout channel does by default), "tagged" only the four categories (the file channel)."""
    from alerts.settings import FileChannel, StdoutChannel

    return {"all": StdoutChannel(), "tagged": FileChannel()}


def digest_query(db, name: str, channel, now: datetime):
    """What alerts.service.build reads for a digest: the undigested documents, then their
    tags (with the window and tag filter where this store has them)."""
    from alerts import service
    from store.digests import event_context
    from vocab.categories import UNTAGGED

    wanted = channel.wanted(read_categories(DEFAULT_RULES))
    documents = undigested(db, name, since=stamp(now - service.LOOKBACK),
                           untagged=UNTAGGED in wanted)
    events = event_context(db, name, {d["event_id"] for d in documents})
    members = {d["id"] for d in documents} | {
        d["id"] for event in events.values() for d in event["documents"]}
    tags = tags_for(db, sorted(members))
    return len(documents), sum(len(t) for t in tags.values())


def measure_digest(path: Path, size: int, runs: int) -> dict:
    from alerts.service import build as build_digest
    from tracker.config import parse

    config = parse({}, ROOT / "config.toml")
    # the next morning's digest, after the last day's crawls
    now = day_of(size - 1, PER_DAY) + timedelta(days=1)
    t0 = time.perf_counter()
    db = open_db(path)  # applies any migration the copy lacks
    out = {"open_ms": (time.perf_counter() - t0) * 1000}
    try:
        for name, channel in channel_objects().items():
            t0 = time.perf_counter()
            digest_query(db, name, channel, now)
            first = (time.perf_counter() - t0) * 1000
            times, (docs, tags) = timed(
                lambda name=name, channel=channel: digest_query(db, name, channel, now), runs)
            build_times, digest = timed(
                lambda name=name, channel=channel: build_digest(
                    config, db, name, channel, now, kind="cycle", period="bench"), runs)
            out[name] = {**spread(times), "first_ms": first, "documents": docs, "tags": tags,
                         "build": spread(build_times), "entries": len(digest.entries)}
    finally:
        db.close()
    return out


def measure_search(path: Path, runs: int) -> dict:
    from datasette.app import DatasetteClient

    from tracker.browse import make_datasette

    ds = make_datasette(path)
    ds._settings["trace_debug"] = True  # what `datasette --setting trace_debug 1` sets
    ds.client = DatasetteClient(ds)  # the client's app is built with the settings it sees

    async def one(query: str) -> dict:
        response = await ds.client.get("/chipwatch/reading.json", params={
            "_search": query, "_trace": "1", "_shape": "objects"})
        data = response.json()
        data["_status"] = response.status_code
        return data

    async def run_all() -> dict:
        await ds.invoke_startup()
        results = {}
        for label, query in SEARCHES:
            await one(query)  # warm-up
            request_ms, select_ms, count_ms, facet_ms, suggest_ms = [], [], [], [], []
            data = {}
            for _ in range(runs):
                t0 = time.perf_counter()
                data = await one(query)
                request_ms.append((time.perf_counter() - t0) * 1000)
                if data["_status"] != 200:
                    continue
                select, count, facets, suggestions = split_traces(data["_trace"]["traces"])
                suggest_ms.append(suggestions)
                select_ms.append(select)
                count_ms.append(count)
                facet_ms.append(facets)
            if data["_status"] != 200:  # e.g. 400: Datasette's 1 s limit on a query
                error = re.sub(r"<[^>]+>", "", str(data.get("error") or "")).split("\n")[0]
                results[label] = {"query": query, "status": data["_status"],
                                  "error": error, "request": spread(request_ms)}
                continue
            results[label] = {
                "query": query, "status": 200, "matches": data.get("filtered_table_rows_count"),
                "rows_shown": len(data.get("rows", [])),
                "facets_timed_out": data.get("facets_timed_out", []),
                "select": spread(select_ms), "count": spread(count_ms),
                "facets_total": spread(facet_ms), "suggestions": spread(suggest_ms),
                "request": spread(request_ms),
                "sql": main_sql(data),
            }
        return results

    return asyncio.run(run_all())


def _is_search(trace: dict) -> bool:
    return "match escape_fts" in (trace.get("sql") or "")


def split_traces(traces: list[dict]) -> tuple[float, float, float, float]:
    """(the page of rows, the count, the facets, the facet suggestions) in ms, from
    Datasette's trace of one request."""
    rows = count = facets = suggestions = 0.0
    for trace in traces:
        if not _is_search(trace):
            continue
        sql = " ".join((trace.get("sql") or "").lower().split())
        if sql.startswith("select title, url"):
            rows += trace["duration_ms"]
        elif sql.startswith("select count(*) from reading"):
            count += trace["duration_ms"]
        elif "as value, count(*) as count" in sql:
            facets += trace["duration_ms"]
        else:  # Datasette's suggested facets: a query per column
            suggestions += trace["duration_ms"]
    return rows, count, facets, suggestions


def main_sql(data: dict) -> str:
    for trace in data["_trace"]["traces"]:
        if (trace.get("sql") or "").lower().startswith("select title, url"):
            return trace["sql"]
    return ""


# -- report ----------------------------------------------------------------------------------

def fmt(s: dict) -> str:
    return f"{s['median_ms']:.1f} ({s['min_ms']:.1f}–{s['max_ms']:.1f})"


def report(label: str, sizes: list[int], built: dict, digest: dict, search: dict, info: dict):
    print(f"\n### {label}\n")
    print(f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM, Python "
          f"{info['python']}, SQLite {info['sqlite']}. {info['date']}.\n")
    print("| documents | ingest docs/s (this step) | ingest docs/s (from empty) | file size |")
    print("| ---: | ---: | ---: | ---: |")
    for size in sizes:
        b = built.get(size)
        if b:
            print(f"| {size:,} | {b['ingest_docs_per_s_segment']:,.0f} "
                  f"({b['segment'][0]:,}→{b['segment'][1]:,}) | "
                  f"{b['ingest_docs_per_s_overall']:,.0f} | {b['bytes'] / 2**20:,.0f} MiB |")
    print("\nDigest query (undigested + tags_for, as alerts.service.build calls them) and the "
          "whole build() of the digest, ms: median (min–max) of warm runs\n")
    print("| documents | channel | rows | query: median (min–max) | first run | whole build() "
          "| entries |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        for channel, r in digest[size].items():
            if channel == "open_ms":
                continue
            print(f"| {size:,} | {channel} | {r['documents']:,} | {fmt(r)} | {r['first_ms']:.1f} | "
                  f"{fmt(r['build'])} | {r['entries']:,} |")
    print("\nOpening each store (open_db, with any pending migration): " + ", ".join(
        f"{size:,}: {digest[size]['open_ms']:,.0f} ms" for size in sizes))
    print("\nSearch through Datasette (/chipwatch/reading.json?_search=), ms: median (min–max)\n")
    print("| documents | query | matches | rows query | count query | facets "
          "| facet suggestions | whole request |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        for name, r in search[size].items():
            if r["status"] != 200:
                print(f"| {size:,} | {r['query']} ({name}) | HTTP {r['status']}: {r['error']} "
                      f"| | | | | {fmt(r['request'])} |")
                continue
            timed_out = (f" (timed out: {', '.join(r['facets_timed_out'])})"
                         if r["facets_timed_out"] else "")
            matches = r["matches"] if r["matches"] is not None else "not counted"
            print(f"| {size:,} | {r['query']} ({name}) | {matches} | {fmt(r['select'])} | "
                  f"{fmt(r['count'])} | {fmt(r['facets_total'])}{timed_out} | "
                  f"{fmt(r['suggestions'])} | {fmt(r['request'])} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="store sizes, comma-separated (multiples of %d)" % PER_DAY)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data",
                        help="where the stores and results go (default bench/data)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (default 7)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure stores already built in --dir instead of building them")
    parser.add_argument("--label", default="results", help="name of this set of results")
    args = parser.parse_args(argv)
    try:
        sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: give whole numbers, e.g. 10000,100000")
    if any(s <= 0 or s % PER_DAY for s in sizes):
        parser.error(f"--sizes: each size must be a positive multiple of {PER_DAY}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.dir.mkdir(parents=True, exist_ok=True)
    info = machine()
    info["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    built = build(args.dir, sizes, args.reuse)
    digest, search = {}, {}
    for size in sizes:
        path = args.dir / f"store-{size}.db"
        print(f"measuring {size:,} documents", file=sys.stderr, flush=True)
        digest[size] = measure_digest(path, size, args.runs)
        search[size] = measure_search(path, args.runs)
    results = {"machine": info, "built": built, "digest": digest, "search": search}
    (args.dir / f"{args.label}.json").write_text(json.dumps(results, indent=1, default=str))
    report(args.label, sizes, built, digest, search, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
