"""Ingest benchmark: documents stored per second by chipwatch (`store.documents.
upsert_documents`: identity, content hash, revisions, the bilingual search index) against a
floor measured in the same run: a plain SQLite insert of the same documents into a table with
an FTS5 full-text index on title and text. The figure that matters is the ratio.

    .venv/bin/python bench/ingest.py [--documents N] [--runs R]

Times are the process's CPU time (SQLite works in this process), so that other work on a
shared machine does not move the ratio. Documents come from bench/synth.py (English and
Chinese, written for the benchmark), written one crawl at a time (a day's documents, one
batch per source), as a cycle writes them.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import Synth, day_of  # noqa: E402
from store import open_db  # noqa: E402
from store.documents import upsert_documents  # noqa: E402
from vocab.documents import DOCUMENT_FIELDS  # noqa: E402

PER_DAY = 250


def batches(total: int) -> list[list[dict]]:
    """The documents as the cycle writes them: per day, one batch per source."""
    synth = Synth()
    out = []
    for start in range(0, total, PER_DAY):
        day = day_of(start, PER_DAY)
        by_source: dict[str, list[dict]] = defaultdict(list)
        for i in range(start, min(start + PER_DAY, total)):
            doc = synth.document(i, day - timedelta(hours=i % 30))
            by_source[doc["source"]].append(doc)
        out += list(by_source.values())
    return out


def floor(path: Path, work: list[list[dict]]) -> float:
    """Seconds for a plain insert with a full-text index, one transaction per batch."""
    import json

    conn = sqlite3.connect(path)
    conn.execute("pragma journal_mode=wal")
    columns = ", ".join(DOCUMENT_FIELDS)
    conn.execute(f"create table documents ({columns}, primary key (id))")
    conn.execute("create virtual table documents_fts using fts5(title, text, "
                 "content='documents', tokenize='porter')")
    marks = ", ".join("?" for _ in DOCUMENT_FIELDS)
    started = time.process_time()
    for batch in work:
        with conn:
            conn.executemany(f"insert into documents ({columns}) values ({marks})",
                             [[json.dumps(d[f]) if f == "metadata" else d.get(f)
                               for f in DOCUMENT_FIELDS] for d in batch])
            conn.executemany("insert into documents_fts (rowid, title, text) select rowid, "
                             "title, text from documents where id = ?",
                             [[d["id"]] for d in batch])
    seconds = time.process_time() - started
    conn.close()
    return seconds


def chipwatch(path: Path, work: list[list[dict]]) -> float:
    db = open_db(path)
    started = time.process_time()
    for number, batch in enumerate(work):
        upsert_documents(db, batch, now=f"2026-01-01T{number % 24:02d}:00:00+00:00")
    seconds = time.process_time() - started
    db.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = batches(args.documents)
    n = sum(len(b) for b in work)
    floors, ours = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            floors.append(floor(Path(tmp) / f"floor-{run}.db", work))
            ours.append(chipwatch(Path(tmp) / f"chipwatch-{run}.db", work))
    floor_rate, our_rate = n / statistics.median(floors), n / statistics.median(ours)
    print(f"ingest of {n:,} documents, median of {args.runs} runs")
    print(f"  floor (plain insert + FTS5 index): {floor_rate:,.0f} documents/s")
    print(f"  chipwatch upsert_documents:        {our_rate:,.0f} documents/s")
    print(f"  ratio to the floor: {our_rate / floor_rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
