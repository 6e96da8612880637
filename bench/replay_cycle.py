"""Replay-cycle benchmark: a full cycle of every source against the demo's replay on
127.0.0.1 (the normal cycle: one crawl child per source, Scrapy's real downloader, the store,
the classifier), then a second cycle with nothing new, as a ratio to the first.

    .venv/bin/python bench/replay_cycle.py [--runs 5]
    .venv/bin/python bench/replay_cycle.py --versus-slowest [--runs 3]

Each run uses a fresh database and HTTP cache in a temporary directory. Requests and bytes
come from the run records (`crawl_runs`: Scrapy's `downloader/request_count` and
`downloader/response_bytes`); article pages and bytes on the wire from the replay server's
own count. Targets: the second cycle fetches no article page and receives under a tenth of
the first cycle's bytes. Results go to standard output as Markdown.

--versus-slowest times instead the first cycle of every source together against each source
crawled alone (each in a fresh database and HTTP cache), and a Scrapy crawl that fetches
nothing as the floor of any crawl. Target: the cycle within 1.5x its slowest source alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replay import demo_config  # noqa: E402
from replay.server import ReplayServer  # noqa: E402
from store import open_db  # noqa: E402
from store.runs import get_run  # noqa: E402
from tracker import config as config_module  # noqa: E402
from tracker.cycle import run_cycle  # noqa: E402


def one_cycle(config, db, replay) -> dict:
    replay.take_traffic()
    started = time.perf_counter()
    outcomes = run_cycle(config, db)
    seconds = time.perf_counter() - started
    traffic = replay.take_traffic()
    runs = [get_run(db, o.run_id) for o in outcomes]
    stats = [json.loads(r["stats"] or "{}") for r in runs]
    failed = [o.source for o in outcomes if o.status != "ok"]
    if failed:
        raise SystemExit(f"cycle failed for {failed}: {[o.errors for o in outcomes]}")
    return {
        "seconds": seconds,
        "documents": sum(r["documents_seen"] for r in runs),
        "new": sum(r["documents_new"] for r in runs),
        "requests": sum(int(s.get("downloader/request_count", 0)) for s in stats),
        "bytes": sum(r["bytes_received"] for r in runs),
        "articles": traffic.count("article"),
        "wire_bytes": traffic.bytes_sent,
        "not_modified": traffic.not_modified,
        "crawl_seconds": sum(o.seconds for o in outcomes),
    }


@contextlib.contextmanager
def fresh_demo():
    """The replay on 127.0.0.1 with the demo's configuration and a new store in a temporary
    directory: (config, db, replay)."""
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as tmp:
        tmp = Path(tmp)
        with ReplayServer() as replay:
            path = tmp / "demo.toml"
            path.write_text(demo_config.render(replay.base_urls, tmp / "chipwatch.db",
                                               tmp / "httpcache"), encoding="utf-8")
            config = config_module.load(path)
            db = open_db(tmp / "chipwatch.db")
            try:
                yield config, db, replay
            finally:
                db.close()


def one_run() -> tuple[dict, dict]:
    with fresh_demo() as (config, db, replay):
        return one_cycle(config, db, replay), one_cycle(config, db, replay)


def first_cycle_seconds(sources: list[str] | None) -> float:
    """Wall time of a first cycle of `sources` (None: every source) in a fresh store."""
    with fresh_demo() as (config, db, _):
        started = time.perf_counter()
        outcomes = run_cycle(config, db, sources=sources)
        seconds = time.perf_counter() - started
    failed = [o.source for o in outcomes if o.status != "ok"]
    if failed:
        raise SystemExit(f"cycle failed for {failed}")
    return seconds


NOOP_CRAWL = """
import scrapy
from scrapy.crawler import CrawlerProcess
class Nothing(scrapy.Spider):
    name = "nothing"
    start_urls = []
process = CrawlerProcess({"LOG_ENABLED": False, "TELNETCONSOLE_ENABLED": False})
process.crawl(Nothing)
process.start()
"""


def noop_crawl_seconds() -> float:
    import subprocess

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", NOOP_CRAWL], check=True, capture_output=True)
    return time.perf_counter() - started


def versus_slowest(runs: int) -> int:
    with tempfile.TemporaryDirectory() as tmp, ReplayServer() as replay:
        path = Path(tmp) / "demo.toml"
        path.write_text(demo_config.render(replay.base_urls, Path(tmp) / "chipwatch.db",
                                           Path(tmp) / "httpcache"), encoding="utf-8")
        names = config_module.load(path).sources.enabled()
    alone: dict[str, list[float]] = {name: [] for name in names}
    together, floor = [], []
    for number in range(1, runs + 1):
        floor.append(noop_crawl_seconds())
        for name in names:
            alone[name].append(first_cycle_seconds([name]))
        together.append(first_cycle_seconds(None))
        print(f"run {number}: together {together[-1]:.2f} s; alone " + ", ".join(
            f"{n} {alone[n][-1]:.2f}" for n in names), file=sys.stderr, flush=True)
    medians = {n: statistics.median(t) for n, t in alone.items()}
    slowest = max(medians, key=medians.get)
    cycle, noop = statistics.median(together), statistics.median(floor)
    print(f"Machine: {platform.machine()}, {cpu_model()}, {os.cpu_count()} cores (nproc), "
          f"Python {platform.python_version()}. {runs} runs; medians.\n")
    print("| crawl (first cycle, fresh store) | s | × slowest source alone | × Scrapy no-op |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| Scrapy crawl that fetches nothing (floor) | {noop:.2f} | | 1.00 |")
    for name in sorted(medians, key=medians.get):
        print(f"| {name} alone | {medians[name]:.2f} | {medians[name] / medians[slowest]:.2f} | "
              f"{medians[name] / noop:.2f} |")
    ratio = cycle / medians[slowest]
    print(f"| every source together | {cycle:.2f} | **{ratio:.2f}** | {cycle / noop:.2f} |")
    print(f"\nTarget 'a cycle within 1.5x its slowest source alone': "
          f"{'met' if ratio <= 1.5 else 'MISSED'} ({ratio:.2f}x {slowest}).")
    return 0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cell(values: list[float], fmt: str = "{:,.0f}") -> str:
    med = statistics.median(values)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs (default 5)")
    parser.add_argument("--versus-slowest", action="store_true",
                        help="the whole cycle against each source crawled alone")
    args = parser.parse_args(argv)
    if args.versus_slowest:
        return versus_slowest(args.runs)
    results = []
    for number in range(1, args.runs + 1):
        first, second = one_run()
        results.append((first, second))
        print(f"run {number}: first {first['documents']} documents in {first['seconds']:.1f} s, "
              f"{first['requests']} requests, {first['bytes']:,} bytes; second "
              f"{second['requests']} requests, {second['bytes']:,} bytes, "
              f"{second['articles']} article pages", file=sys.stderr, flush=True)
    firsts = [f for f, _ in results]
    seconds = [s for _, s in results]
    print(f"Machine: {platform.machine()}, {cpu_model()}, {os.cpu_count()} cores (nproc), "
          f"Python {platform.python_version()}. {args.runs} runs; median (min–max).\n")
    print("| | first cycle | second cycle (nothing new) | second / first |")
    print("| --- | ---: | ---: | ---: |")
    rows = [
        ("wall time of the cycle, s", "seconds", "{:.1f}"),
        ("documents seen", "documents", "{:,.0f}"),
        ("documents new", "new", "{:,.0f}"),
        ("requests (run records)", "requests", "{:,.0f}"),
        ("bytes received (run records)", "bytes", "{:,.0f}"),
        ("article pages requested (replay)", "articles", "{:,.0f}"),
        ("bytes on the wire (replay, bodies)", "wire_bytes", "{:,.0f}"),
        ("answered 304 Not Modified (replay)", "not_modified", "{:,.0f}"),
    ]
    for label, key, fmt in rows:
        a = [r[key] for r in firsts]
        b = [r[key] for r in seconds]
        ratio = ([y / x for x, y in zip(a, b, strict=True)] if all(a) else None)
        shown = cell(ratio, "{:.3f}") if ratio and key in (
            "seconds", "requests", "bytes", "wire_bytes") else ""
        print(f"| {label} | {cell(a, fmt)} | {cell(b, fmt)} | {shown} |")
    rate = [f["documents"] / f["seconds"] for f in firsts]
    in_crawls = [f["documents"] / f["crawl_seconds"] for f in firsts]
    print(f"\nFirst cycle: {cell(rate, '{:.1f}')} documents per second of the whole cycle "
          f"({cell(in_crawls, '{:.1f}')} per second of crawl-child time).")
    articles = max(s["articles"] for s in seconds)
    ratio = statistics.median(s["bytes"] / f["bytes"] for f, s in results)
    wire = statistics.median(s["wire_bytes"] / f["wire_bytes"] for f, s in results)
    print(f"Target 'no article page fetched again': {'met' if articles == 0 else 'MISSED'} "
          f"(at most {articles} in any run).")
    print(f"Target 'under a tenth of the bytes': run records {ratio:.3f} "
          f"({'met' if ratio < 0.1 else 'MISSED'}), on the wire {wire:.3f} "
          f"({'met' if wire < 0.1 else 'MISSED'}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
