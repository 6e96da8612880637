"""Start-up benchmark: how long a fresh process takes to classify one document, as a ratio to
a bare interpreter start (`python -c pass`) measured in the same run.

    .venv/bin/python bench/startup.py [--runs N] [--root DIR]

Each command runs N times (after one warm-up) in a child process with its own home directory,
so the compiled-rules cache is under the benchmark's control: "cold" starts with an empty cache,
"warm" with the entry a previous start left. The medians are printed as a Markdown table, then
where the time of one warm start goes, measured inside a child process. --root measures another
checkout of chipwatch (for a before/after comparison) with this interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = {"title": "美商務部將12家企業列入實體清單",
       "text": "The Bureau of Industry and Security added 12 entities to the Entity List today."}

CLASSIFIER = ("from tracker.classify import build_classifier; "
              f"build_classifier().classify({DOC!r})")

# Where one warm start's time goes, measured inside the child (printed as JSON): the parts
# `chipwatch classify` runs, then, for comparison, the whole configuration it no longer needs.
BREAKDOWN = """
import json, time
t = [time.perf_counter()]
import tracker.cli
tracker.cli.build_parser("classify")
t.append(time.perf_counter())
import tracker.configfile
settings = tracker.configfile.classifier_settings("config.toml")
t.append(time.perf_counter())
import tracker.classify.engine
t.append(time.perf_counter())
classifier = tracker.classify.build_classifier(settings)
t.append(time.perf_counter())
classifier.classify(%r)
t.append(time.perf_counter())
import tracker.config
t.append(time.perf_counter())
tracker.config.load("config.toml")
t.append(time.perf_counter())
names = ["the command line (the classify command alone)", "[classifier] of config.toml",
         "classifier modules", "rules from the cache",
         "first document (with the Chinese converter)",
         "not on this path: import the full configuration module (pydantic)",
         "not on this path: validate the whole config.toml, once imported"]
print(json.dumps({n: b - a for n, a, b in zip(names, t, t[1:])}))
""" % (DOC,)


def run(args: list[str], env: dict, cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{done.stderr}")
    return elapsed


def median_of(args: list[str], env: dict, cwd: Path, runs: int, before=None) -> float:
    times = []
    for n in range(runs + 1):
        if before:
            before()
        elapsed = run(args, env, cwd)
        if n:  # the first run warms the file cache
            times.append(elapsed)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the chipwatch checkout to measure (default: this one)")
    args = parser.parse_args()
    root = args.root.resolve()
    home = Path(tempfile.mkdtemp(prefix="chipwatch-startup-"))
    cache = home / ".cache"
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(root)}
    env.pop("CHIPWATCH_CONFIG", None)
    (home / "one.jsonl").write_text(json.dumps(DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    python = sys.executable

    def empty_cache():
        shutil.rmtree(cache, ignore_errors=True)

    try:
        rows = []
        floor = median_of([python, "-c", "pass"], env, home, args.runs)
        rows.append(("bare interpreter: python -c pass", floor))
        rows.append(("import and load the whole configuration (tracker.config, pydantic)",
                     median_of([python, "-c", "import tracker.config as c; c.load('config.toml')"],
                               env, root, args.runs)))
        rows.append(("classifier: build and classify one document, cache cold",
                     median_of([python, "-c", CLASSIFIER], env, root, args.runs, empty_cache)))
        rows.append(("classifier: build and classify one document, cache warm",
                     median_of([python, "-c", CLASSIFIER], env, root, args.runs)))
        cli = [python, "-m", "tracker.cli", "classify", str(home / "one.jsonl")]
        rows.append(("chipwatch classify, one document, cache cold",
                     median_of(cli, env, root, args.runs, empty_cache)))
        rows.append(("chipwatch classify, one document, cache warm",
                     median_of(cli, env, root, args.runs)))
        parts = [json.loads(subprocess.run([python, "-c", BREAKDOWN], env=env, cwd=root,
                                           capture_output=True, text=True,
                                           check=True).stdout)
                 for _ in range(args.runs)]
    finally:
        shutil.rmtree(home, ignore_errors=True)

    print(f"Checkout: {root}; Python {sys.version.split()[0]}; median of {args.runs} runs.\n")
    print("| command | median | × bare interpreter |\n| --- | ---: | ---: |")
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1000:.0f} ms | {seconds / floor:.1f} |")
    print("\nOne warm start of chipwatch classify, inside the process (median ms):\n")
    print("| part | ms | × bare interpreter |\n| --- | ---: | ---: |")
    for name in parts[0]:
        value = statistics.median(p[name] for p in parts)
        print(f"| {name} | {value * 1000:.1f} | {value / floor:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
