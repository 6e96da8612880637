"""Replay-cycle benchmark: a full cycle of every source against the demo's replay on
127.0.0.1 (the normal cycle: one crawl child per source, Scrapy's real downloader, the store,
the classifier), then a second cycle with nothing new, as a ratio to the first.

    .venv/bin/python bench/replay_cycle.py [--runs 5]

Each run uses a fresh database and HTTP cache in a temporary directory. Requests and bytes
come from the run records (`crawl_runs`: Scrapy's `downloader/request_count` and
`downloader/response_bytes`); article pages and bytes on the wire from the replay server's
own count. Targets: the second cycle fetches no article page and receives under a tenth of
the first cycle's bytes. Results go to standard output as Markdown.
"""

from __future__ import annotations

import argparse
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


def one_run() -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as tmp:
        tmp = Path(tmp)
        with ReplayServer() as replay:
            path = tmp / "demo.toml"
            path.write_text(demo_config.render(replay.base_urls, tmp / "chipwatch.db",
                                               tmp / "httpcache"), encoding="utf-8")
            config = config_module.load(path)
            db = open_db(tmp / "chipwatch.db")
            try:
                return one_cycle(config, db, replay), one_cycle(config, db, replay)
            finally:
                db.close()


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
    args = parser.parse_args(argv)
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
