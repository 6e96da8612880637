"""What a channel's filters cost: the time to build one digest (`alerts.service.build`) for
channels with keywords, excluded keywords, instruments and actors, and for a channel whose
documents have changed since it was sent, as ratios to the same channel with no such filter,
measured in the same run; the floor below it is the digest's own query
(`store.digests.undigested`).

    .venv/bin/python bench/subscriptions.py [--days 30] [--runs 5]

A store of synthetic English and Chinese documents (bench/synth.py), 250 a day for --days
days, a quarter of them tagged, all first seen within the digest's 30-day window and none
digested yet: the largest digest a channel can be asked to make. Results go to standard
output as Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.clock import stamp  # noqa: E402
from alerts.service import LOOKBACK, build  # noqa: E402
from bench.synth import Synth, day_of  # noqa: E402
from store import open_db  # noqa: E402
from store.digests import undigested  # noqa: E402
from store.documents import upsert_documents  # noqa: E402
from store.outbox import create_digest  # noqa: E402
from store.tags import set_tags  # noqa: E402
from tracker.config import parse  # noqa: E402
from vocab.documents import DOCUMENT_FIELDS  # noqa: E402

PER_DAY = 250
CHANNELS = {
    "no filter (the baseline)": {},
    "keywords, English": {"keywords": ["semiconductor", "export"]},
    "keywords, Chinese (either script)": {"keywords": ["晶片", "關稅"]},
    "excluded keywords": {"exclude_keywords": ["tariff", "關稅"]},
    "instruments and actors": {"instruments": ["entity_list", "section_232"],
                               "actors": ["TSMC", "Nvidia"]},
}


def timed(fn, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    synth = Synth()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        last = day_of(args.days * PER_DAY - 1, PER_DAY)
        for day in range(args.days):
            when = day_of(day * PER_DAY, PER_DAY)
            docs = [synth.document(day * PER_DAY + i, when) for i in range(PER_DAY)]
            upsert_documents(db, docs, now=stamp(when))
            for doc in docs:
                tags = synth.tags(doc)
                if tags:
                    set_tags(db, doc["id"], tags, "bench", now=stamp(when))
        now = last + timedelta(hours=12)
        total = db["documents"].count
        config = parse({"alerts": {f"channel{i}": {"kind": "file", **table}
                                   for i, table in enumerate(CHANNELS.values())}},
                       Path(tmp) / "config.toml")
        names = list(config.channels())
        floor = timed(lambda: undigested(db, "x", since=stamp(now - LOOKBACK), untagged=False),
                      args.runs)
        rows = []
        base = None
        for label, name in zip(CHANNELS, names, strict=True):
            channel = config.channels()[name]
            result = timed(lambda name=name, channel=channel: build(
                config, db, name, channel, now, kind="cycle", period="x"), args.runs)
            base = base or result[0]
            entries = len(build(config, db, name, channel, now, kind="cycle",
                                period="x").entries)
            rows.append((label, result, entries))

        # Changes: the baseline channel is sent everything, then 1% of its documents change.
        name, channel = names[0], config.channels()[names[0]]
        ids = [r["id"] for r in db.query("select id from documents")]
        create_digest(db, digest_id=f"{name}:cycle:sent", channel=name, kind="cycle",
                      period="sent", document_ids=ids, payload={}, now=stamp(now))
        changed = [{**{f: row[f] for f in DOCUMENT_FIELDS},
                    "text": row["text"] + "\n\nA paragraph added later."}
                   for row in db.query("select * from documents where rowid % 100 = 0")]
        upsert_documents(db, changed, now=stamp(now + timedelta(minutes=1)))
        later = now + timedelta(minutes=5)
        result = timed(lambda: build(config, db, name, channel, later, kind="cycle",
                                     period="y"), args.runs)
        digest = build(config, db, name, channel, later, kind="cycle", period="y")
        rows.append((f"{len(changed)} documents changed since sent (entries: changes shown)",
                     result,
                     len(digest.changes)))
        db.close()

    print(f"{total} documents, {args.days} days; median of {args.runs} runs (min-max).\n")
    print(f"Floor: the digest query alone, {floor[0] * 1000:.0f} ms "
          f"({floor[1] * 1000:.0f}-{floor[2] * 1000:.0f}).\n")
    print("| channel | build, ms | ratio to no filter | ratio to the query | entries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, (median, low, high), entries in rows:
        print(f"| {label} | {median * 1000:.0f} ({low * 1000:.0f}-{high * 1000:.0f}) | "
              f"{median / base:.2f} | {median / floor[0]:.1f} | {entries} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
