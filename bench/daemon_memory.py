"""Daemon memory benchmark: the resident memory of a real `chipwatch daemon` over many short
cycles.

    .venv/bin/python bench/daemon_memory.py [--cycles 100] [--every 2s] [--minutes 15]

The daemon runs as a subprocess (`python -m tracker.cli daemon`) with the Federal Register
source crawling every --every against a loopback server that answers Federal Register API
pages (built from the real results in tests/fixtures, as the tests do); each cycle's page
holds two documents never seen before and two already stored, so every cycle crawls (in its
child process, as always), stores, classifies, makes a digest for the file and stdout
channels and delivers it. After each cycle (the daemon's "crawl federal_register: ..." log
line) the daemon's VmRSS is read from /proc/<pid>/status. The run stops after --cycles
cycles or --minutes, whichever comes first, and prints the figures as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store import open_db  # noqa: E402
from store.documents import count_documents  # noqa: E402
from tests.conftest import write_config  # noqa: E402
from tests.fr_pages import AGENCIES, page, real_results  # noqa: E402
from tests.loopback import LoopbackServer  # noqa: E402

SPARK = "▁▂▃▄▅▆▇█"
# VmRSS = RssAnon (the heap: Python objects, SQLite's caches) + RssFile (mapped files: the
# interpreter, libraries) + RssShmem (shared memory: SQLite's WAL index, the -shm file).
PARTS = ("RssAnon", "RssFile", "RssShmem")


def vm(pid: int, key: str) -> int:
    """A field of /proc/<pid>/status, in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def cycle_pages(cycles: int) -> list:
    """One API page per cycle: two new documents and two stored the cycle before."""
    base = real_results()
    replies = []
    for n in range(cycles + 20):  # a few spare, the last one repeats
        results = []
        for k in range(4):
            number = n * 2 + k  # k = 0, 1 were new in the cycle before
            doc = dict(base[number % len(base)])
            doc["document_number"] = f"2099-{number:05d}"
            doc["html_url"] = f"https://www.federalregister.gov/documents/2099/{number:05d}"
            doc["title"] = f"{doc['title']} ({number})"
            results.append(doc)
        results.reverse()  # newest first, as the API orders them
        replies.append(page(results, len(results), next_cursor_after=None))
    return replies


def sparkline(values: list[float]) -> str:
    low, high = min(values), max(values)
    span = (high - low) or 1
    return "".join(SPARK[min(len(SPARK) - 1, int((v - low) / span * len(SPARK)))] for v in values)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "unknown")
    ram = next(int(line.split()[1]) for line in open("/proc/meminfo")
               if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores ({cpu}), {ram / 2**20:.1f} GiB RAM, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=100, help="cycles to run (default 100)")
    parser.add_argument("--every", default="2s",
                        help="the source's crawl interval (default 2s)")
    parser.add_argument("--minutes", type=float, default=15,
                        help="stop after this long whatever the count (default 15)")
    parser.add_argument("--json", type=Path, help="also write the samples here")
    args = parser.parse_args(argv)
    if args.cycles < 10:
        parser.error("--cycles must be at least 10")

    with tempfile.TemporaryDirectory(prefix="chipwatch-daemon-memory-") as tmp, \
            LoopbackServer({"/api/v1/documents.json": cycle_pages(args.cycles)}) as server:
        tmp_path = Path(tmp)
        config = write_config(tmp_path, {"federal_register": {
            "base_url": server.url, "agencies": AGENCIES, "per_page": 4,
            "every": args.every, "first_run_days": 36500}},
            extra='[daemon]\nstop_grace_seconds = 5\noutbox_every = "1s"\n')
        text = config.read_text().replace("crawl_timeout = 120",
                                          "crawl_timeout = 120\nhttp_cache = false")
        text += f'\n[alerts.file]\ndirectory = "{tmp_path / "digests"}"\n\n[alerts.stdout]\n'
        config.write_text(text)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "daemon", "--config", str(config)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines: queue.Queue[str] = queue.Queue()
        tail: list[str] = []

        def read_log():
            for line in proc.stderr:
                lines.put(line)

        threading.Thread(target=read_log, daemon=True).start()
        samples: list[tuple] = []  # cycle, rss KiB, seconds, log line, {part: KiB}
        start = time.monotonic()
        deadline = start + args.minutes * 60
        try:
            started_rss = None
            while len(samples) < args.cycles and time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise SystemExit("the daemon exited early:\n" + "".join(tail[-20:]))
                if started_rss is None:
                    time.sleep(0.5)
                    started_rss = vm(proc.pid, "VmRSS")
                try:
                    line = lines.get(timeout=1)
                except queue.Empty:
                    continue
                tail.append(line)
                if " crawl federal_register:" in line:
                    time.sleep(0.3)  # let the same job finish health and delivery
                    samples.append((len(samples) + 1, vm(proc.pid, "VmRSS"),
                                    time.monotonic() - start, line.strip(),
                                    {key: vm(proc.pid, key) for key in PARTS}))
                    print(f"  cycle {len(samples)}: {samples[-1][1] / 1024:.1f} MiB",
                          file=sys.stderr, flush=True)
            peak = vm(proc.pid, "VmHWM")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        db = open_db(tmp_path / "chipwatch.db")
        documents, digests = count_documents(db), db["outbox"].count
        db.close()

    if len(samples) < 10:
        raise SystemExit(f"only {len(samples)} cycles in {args.minutes} minutes")
    rss = [s[1] / 1024 for s in samples]
    at = {n: rss[n - 1] for n in (1, 10, 50, len(rss)) if n <= len(rss)}
    growth_total = rss[-1] - rss[0]
    growth_after_10 = rss[-1] - rss[9]
    print(f"\nMachine: {machine()}.\n")
    print(f"{len(samples)} cycles in {samples[-1][2]:.0f} s (the source every {args.every}); "
          f"{documents} documents and {digests} outbox rows at the end.\n")
    print("| point | VmRSS (MiB) |")
    print("| --- | ---: |")
    print(f"| daemon started, before the first cycle | {started_rss / 1024:.1f} |")
    for n, value in at.items():
        print(f"| after cycle {n} | {value:.1f} |")
    print(f"| peak (VmHWM) | {peak / 1024:.1f} |")
    first, last = samples[0][4], samples[-1][4]
    print("| growth by part, cycle 1 → %d | %s |" % (len(rss), ", ".join(
        f"{key} {(last[key] - first[key]) / 1024:+.1f}" for key in PARTS)))
    print(f"| growth, cycle 1 → {len(rss)} | {growth_total:+.1f} |")
    print(f"| growth, cycle 10 → {len(rss)} | {growth_after_10:+.1f} |")
    print(f"\nVmRSS after each cycle ({min(rss):.1f} to {max(rss):.1f} MiB):\n")
    print("```\n" + sparkline(rss) + "\n```")
    verdict = "met" if growth_total < 10 else "MISSED"
    print(f"\nTarget (growth under 10 MB over {len(rss)} cycles): {verdict}.")
    if args.json:
        args.json.write_text(json.dumps({"samples": samples, "start_kib": started_rss,
                                         "peak_kib": peak}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
