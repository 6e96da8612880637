"""Peak memory of `chipwatch classify` on very long input lines, as a ratio to floors measured
in the same run: a bare interpreter (`python -c pass`) and `chipwatch classify` on one
ordinary press release.

    .venv/bin/python bench/classify_memory.py [--mb 50] [--root DIR]

Each command runs in a child process whose peak resident set (ru_maxrss from wait4) is read
when it ends. The inputs are one JSON line of --mb megabytes of press-release text (the long
line), and lines of the same text cut to 4 and 9.5 MB (under the 10 MB line limit, so they
are classified).
--root measures another checkout (for a before/after comparison) with this interpreter.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = ("The Bureau of Industry and Security added 12 entities to the Entity List for "
            "supplying advanced chips and chipmaking tools, and Taiwan's TSMC said it would "
            "comply with the new export controls. ")


def write_line(path: Path, megabytes: float) -> None:
    """One JSON line of about `megabytes` of text, written in pieces: the benchmark itself
    stays small, so its children (which start as copies of it) do too."""
    repeats = int(megabytes * 1024 * 1024 / len(SENTENCE))
    chunk = SENTENCE * 1000
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"title": "Entity List additions", "text": "')
        for _ in range(repeats // 1000):
            out.write(chunk)
        out.write(SENTENCE * (repeats % 1000) + '"}\n')


def peak(command: list[str], stdin: Path | None, cwd: Path) -> tuple[float, float, int]:
    """(peak RSS in MiB, seconds, exit status) of one child."""
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        child = subprocess.Popen(command, stdin=source, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    classify = [sys.executable, "-m", "tracker.cli", "classify"]
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as tmp:
        tmp = Path(tmp)
        inputs = {"one press release": 0.005, "4 MB line": 4,
                  "9.5 MB line (just under the 10 MB line limit)": 9.5,
                  f"{args.mb:g} MB line": args.mb}
        files = {}
        for name, size in inputs.items():
            files[name] = tmp / f"{len(files)}.jsonl"
            write_line(files[name], size)
        rows = [("bare interpreter", *peak([sys.executable, "-c", "pass"], None, args.root))]
        for name, path in files.items():
            rows.append((f"classify, {name}", *peak(classify, path, args.root)))
    floor, typical = rows[0][1], rows[1][1]
    print(f"checkout: {args.root}")
    print("| command | peak RSS | × bare | × one press release | time | exit |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, mib, seconds, code in rows:
        print(f"| {name} | {mib:.0f} MiB | {mib / floor:.1f} | {mib / typical:.2f} | "
              f"{seconds:.1f} s | {code} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
