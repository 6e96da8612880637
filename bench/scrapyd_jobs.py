"""Crawl throughput through Scrapyd, as a ratio to the local backend: jobs (one source's crawl)
per minute of whole cycles of every source against the demo's replay on 127.0.0.1, through
the local child process, one Scrapyd server and two.

    .venv/bin/python bench/scrapyd_jobs.py [--cycles 4] [--poll-interval 5.0] [--max-proc 0]
                                           [--sources federal_register,commerce,...]

Each cycle crawls the chosen sources (by default the five of the first release, those of the
figures in docs/scale.md) at once into a fresh store and HTTP cache, so every job does the
same work (about a hundred documents in all for the five). The servers are real Scrapyd processes
on 127.0.0.1 (tests/scrapyd_servers.py) with the spiders' egg deployed by `chipwatch scrapyd
deploy`; `--poll-interval` is Scrapyd's own (how often it starts queued jobs; 5 s by default)
and `--max-proc` its process slots (0: 4 per CPU). Results go to standard output as Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replay import demo_config  # noqa: E402
from replay.server import ReplayServer  # noqa: E402
from store import open_db  # noqa: E402
from tests.scrapyd_servers import ScrapydProcess  # noqa: E402
from tracker import config as config_module  # noqa: E402
from tracker.cycle import run_cycle  # noqa: E402
from vocab.sources import source_names  # noqa: E402

FIRST_FIVE = ("federal_register", "commerce", "bis", "tsmc", "trendforce")


def configuration(directory: Path, replay, urls: list[str], chosen: list[str]) -> Path:
    directory.mkdir(parents=True)
    text = demo_config.render(replay.base_urls, directory / "chipwatch.db",
                              directory / "httpcache")
    for source in set(source_names()) - set(chosen):
        text = text.replace(f"[sources.{source}]\nenabled = true",
                            f"[sources.{source}]\nenabled = false")
    if urls:
        text = text.replace("[crawl]\n", '[crawl]\nbackend = "scrapyd"\nscrapyd_urls = ['
                            + ", ".join(f'"{url}"' for url in urls) + "]\n", 1)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def measure(label: str, root: Path, replay, urls: list[str], cycles: int,
            chosen: list[str]) -> dict:
    seconds, jobs, documents = [], 0, 0
    for n in range(cycles):
        config = config_module.load(configuration(root / f"{label}-{n}", replay, urls, chosen))
        db = open_db(config.db_path)
        started = time.perf_counter()
        outcomes = run_cycle(config, db)
        seconds.append(time.perf_counter() - started)
        failed = [o.line() for o in outcomes if o.status != "ok"]
        if failed:
            raise SystemExit(f"{label}: a crawl failed: {failed}")
        jobs += len(outcomes)
        documents += sum(o.new for o in outcomes)
        db.close()
    total = sum(seconds)
    return {"label": label, "cycles": cycles, "jobs": jobs, "documents": documents,
            "seconds": total, "median_cycle": statistics.median(seconds),
            "jobs_per_minute": jobs / total * 60}


def deploy(urls: list[str]) -> None:
    command = [sys.executable, "-m", "tracker.cli", "scrapyd", "deploy"]
    for url in urls:
        command += ["--url", url]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"deploy failed: {done.stdout}{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--max-proc", type=int, default=0)
    parser.add_argument("--sources", default=",".join(FIRST_FIVE),
                        help="comma-separated sources to crawl (default: the first five)")
    args = parser.parse_args()
    chosen = [name for name in args.sources.split(",") if name]
    unknown = set(chosen) - set(source_names())
    if unknown:
        raise SystemExit(f"unknown sources: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-scrapyd-") as tmp:
        root = Path(tmp)
        options = {"poll_interval": args.poll_interval, "max_proc": args.max_proc}
        with ScrapydProcess(root / "server-a", **options) as a, \
                ScrapydProcess(root / "server-b", **options) as b, ReplayServer() as replay:
            deploy([a.url, b.url])
            results = [measure("local", root, replay, [], args.cycles, chosen),
                       measure("scrapyd-1", root, replay, [a.url], args.cycles, chosen),
                       measure("scrapyd-2", root, replay, [a.url, b.url], args.cycles, chosen)]
    floor = results[0]["jobs_per_minute"]
    print(f"Crawl throughput, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; Scrapyd poll_interval {args.poll_interval:g} s, max_proc "
          f"{args.max_proc or 'default (4 per CPU)'}; {args.cycles} cycles of {len(chosen)} "
          f"sources each\n")
    print("| backend | jobs | documents | seconds | median cycle (s) | jobs/min | "
          "ratio to local |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['label']} | {r['jobs']} | {r['documents']} | {r['seconds']:.1f} | "
              f"{r['median_cycle']:.2f} | {r['jobs_per_minute']:.0f} | "
              f"{r['jobs_per_minute'] / floor:.2f} |")


if __name__ == "__main__":
    main()
