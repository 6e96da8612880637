"""How well chipwatch links documents into events: precision and recall of "same event" over
every pair of the labelled documents (bench/event_gold.json), the named hard cases, and
whether linking in arrival order gives the events linking everything at once gives.

The documents: one run of `chipwatch demo` (the real crawl of the replay on 127.0.0.1, which
links as it goes), plus the items of the development set that the replay does not hold,
stored the way a crawl stores documents (US-government items from bench/eval_us_gov.jsonl;
TSMC, TrendForce and other third-party items read from ../shared/eval/dev.jsonl at run time,
left out when it is absent).

    .venv/bin/python bench/events.py            # the tables for docs/benchmarks.md
    .venv/bin/python bench/events.py --errors   # every wrong or missed pair, with its evidence
    .venv/bin/python bench/events.py --pairs    # the labelled pairs, one JSON object a line
    .venv/bin/python bench/events.py --speed    # and how long linking takes, against a floor
    .venv/bin/python bench/events.py --without-reactions  # and the linker without them

Speed is given as a ratio to a floor measured in the same run: one SQL query reading the
columns the linker reads of every stored document.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.devsplit import shared_dir  # noqa: E402
from store import open_db  # noqa: E402
from store.documents import upsert_documents  # noqa: E402
from store.events import LINKING_COLUMNS  # noqa: E402
from tracker.events import link_pending, linker, reactions, relink_all  # noqa: E402
from vocab.text import to_simplified  # noqa: E402

GOLD = HERE / "event_gold.json"
US_GOV = HERE / "eval_us_gov.jsonl"
FR_NUMBER = re.compile(r"/((?:C\d-)?\d{4}-\d{5})(?:/|$)")


def gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def dev_items() -> tuple[list[dict], bool]:
    """The development set's items: every one when ../shared is there, else the
    US-government ones shipped in bench/."""
    shared = shared_dir() / "eval" / "dev.jsonl"
    path = shared if shared.exists() else US_GOV
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return items, path == shared


def demo_store(directory: Path) -> Path:
    """Run `chipwatch demo` into `directory`; the path of its database."""
    path = directory / "demo" / "chipwatch.db"
    result = subprocess.run([sys.executable, "-m", "tracker.cli", "demo", "--db", str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"chipwatch demo failed:\n{result.stderr[-2000:]}")
    return path


def _dev_lang(item: dict) -> str:
    if item["lang"] == "en":
        return "en"
    text = item["title"] + item["text"]
    return "zh-Hans" if to_simplified(text) == text else "zh-Hant"


def dev_document(item: dict) -> dict:
    """A development-set item as a crawl would store it."""
    source = item["source"]
    if source == "federal_register":
        number = FR_NUMBER.search(item["url"]).group(1)
        doc_id, external = f"federal_register:{number}", number
    else:
        doc_id, external = f"{source}:dev-{item['id']}", item["id"]
    return {"id": doc_id, "source": source, "external_id": external, "lang": _dev_lang(item),
            "url": item["url"], "title": item["title"], "text": item["text"],
            "published": item["date"], "date_precision": "day", "doc_type": "",
            "group_key": doc_id, "metadata": {"dev_id": item["id"]}}


def add_dev_items(db, items: list[dict], aliases: dict[str, str]) -> dict[str, str]:
    """Store the items the replay does not hold; dev ref -> document id for every item."""
    stored = {row["id"] for row in db.query("select id from documents")}
    refs, new = {}, []
    for item in items:
        if item["id"] in aliases:
            continue
        doc = dev_document(item)
        refs[f"dev:{item['id']}"] = doc["id"]
        if doc["id"] not in stored:
            new.append(doc)
    upsert_documents(db, new)
    return refs


def resolve(db, ref: str, dev_refs: dict[str, str], aliases: dict[str, str]) -> str | None:
    """A reference of the gold file -> a stored document id (None when not stored)."""
    if ref.startswith("dev:"):
        item = ref[4:]
        if item in aliases:
            return resolve(db, aliases[item], dev_refs, aliases)
        return dev_refs.get(ref)
    source, _, rest = ref.partition(":")
    if source in ("commerce", "bis", "white_house"):  # ids carry the replay's origin
        row = next(db.query("select id from documents where source = ? and id like ?",
                            [source, f"%{rest}"]), None)
        return row["id"] if row else None
    if source == "tsmc":
        news_id, lang = rest.split(":")
        candidate = f"tsmc:{news_id}" if lang == "en" else f"tsmc:{news_id}:{lang}"
    else:
        candidate = ref
    row = next(db.query("select id from documents where id = ?", [candidate]), None)
    return row["id"] if row else None


@dataclass
class Labels:
    documents: list[str]
    same: set[tuple[str, str]] = field(default_factory=set)  # in scope now
    later: set[tuple[str, str]] = field(default_factory=set)  # third-party reports
    reaction: set[tuple[str, str]] = field(default_factory=set)  # Taiwan's answers to actions
    uncertain: set[tuple[str, str]] = field(default_factory=set)
    hard: list[tuple[tuple[str, str], str, str]] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # document id -> gold reference
    missing: list[str] = field(default_factory=list)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def labels(db, data: dict, dev_refs: dict[str, str]) -> Labels:
    aliases = data["aliases"]
    found = Labels(documents=[r["id"] for r in db.query("select id from documents order by id")])

    def doc(ref: str) -> str | None:
        doc_id = resolve(db, ref, dev_refs, aliases)
        if doc_id is None:
            found.missing.append(ref)
        else:
            found.refs[doc_id] = ref
        return doc_id

    for event in data["events"]:
        later = set(event.get("later", []))
        answers = set(event.get("reactions", []))
        members = [(ref, doc(ref)) for ref in event["documents"]]
        members = [(ref, d) for ref, d in members if d]
        for (ref_a, a), (ref_b, b) in combinations(members, 2):
            if ref_a in later or ref_b in later:
                found.later.add(_pair(a, b))
            elif (ref_a in answers) != (ref_b in answers):  # a reaction and the action
                found.reaction.add(_pair(a, b))
            else:
                found.same.add(_pair(a, b))
    for item in data["uncertain"]:
        a, b = (doc(ref) for ref in item["pair"])
        if a and b:
            found.uncertain.add(_pair(a, b))
    for item in data["hard_negatives"]:
        a, b = (doc(ref) for ref in item["pair"])
        if a and b:
            found.hard.append((_pair(a, b), item["case"], item["note"]))
    found.missing = sorted(set(found.missing))
    return found


def partition(db) -> dict[str, int]:
    return {r["document_id"]: r["event_id"] for r in
            db.query("select document_id, event_id from event_documents")}


def predicted_pairs(events: dict[str, int]) -> set[tuple[str, str]]:
    members: dict[int, list[str]] = defaultdict(list)
    for doc_id, event_id in events.items():
        members[event_id].append(doc_id)
    return {_pair(a, b) for docs in members.values() for a, b in combinations(sorted(docs), 2)}


def same_partition(one: dict[str, int], other: dict[str, int]) -> bool:
    def groups(events):
        found = defaultdict(set)
        for doc_id, event_id in events.items():
            found[event_id].add(doc_id)
        return {frozenset(g) for g in found.values()}
    return groups(one) == groups(other)


@dataclass
class Measure:
    documents: int
    events: int
    pairs: int
    predicted: int
    true_positive: int
    false_positive: int
    in_scope: int
    found_in_scope: int
    later: int
    found_later: int
    reaction: int
    found_reaction: int
    uncertain: int
    hard: list[tuple[tuple[str, str], str, str, bool]]
    wrong: list[tuple[str, str]]
    missed: list[tuple[str, str]]
    incremental_equals_full: bool | None  # None: not asked (linked without reactions)
    third_party: bool
    by_reason: Counter
    wrong_by_reason: Counter
    missing: list[str]

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found_in_scope / self.in_scope if self.in_scope else 1.0

    @property
    def recall_reactions(self) -> float:
        return self.found_reaction / self.reaction if self.reaction else 1.0

    @property
    def recall_all(self) -> float:
        total = self.in_scope + self.later + self.reaction
        found = self.found_in_scope + self.found_later + self.found_reaction
        return found / total if total else 1.0


@contextmanager
def without_reactions():
    """The linker with every kind of evidence but Taiwan's reactions (what it was before
    them), to measure what they add."""
    kept = linker.EVIDENCE
    linker.EVIDENCE = tuple(module for module in kept if module is not reactions)
    try:
        yield
    finally:
        linker.EVIDENCE = kept


def measure(db_path: Path, *, third_party: bool | None = None,
            with_reactions: bool = True) -> Measure:
    """Add the development items to the demo store at `db_path`, link them as a cycle
    would, and measure; then link everything again from the start and compare. Without
    reactions, everything is linked again without them and the order is not compared (the
    demo linked with them)."""
    data = gold()
    items, shared = dev_items()
    if third_party is False:
        us = {json.loads(line)["id"] for line in US_GOV.read_text().splitlines() if line.strip()}
        items, shared = [i for i in items if i["id"] in us], False
    db = open_db(db_path)
    try:
        dev_refs = add_dev_items(db, items, data["aliases"])
        if with_reactions:
            link_pending(db)
            incremental = partition(db)
            relink_all(db)
        else:
            with without_reactions():
                relink_all(db)
        full = partition(db)
        found = labels(db, data, dev_refs)
        links = {(r["doc_a"], r["doc_b"]): r for r in db.query("select * from event_links")}
        events = db["events"].count
    finally:
        db.close()
    predicted = predicted_pairs(full) - found.uncertain
    negatives_known = found.same | found.later | found.reaction
    wrong = sorted(predicted - negatives_known)
    by_reason, wrong_by_reason = Counter(), Counter()
    for pair, link in links.items():
        if pair in found.uncertain:
            continue
        by_reason[link["reason"]] += 1
        if pair not in negatives_known:
            wrong_by_reason[link["reason"]] += 1
    return Measure(
        documents=len(found.documents), events=events,
        pairs=len(found.documents) * (len(found.documents) - 1) // 2 - len(found.uncertain),
        predicted=len(predicted), true_positive=len(predicted & negatives_known),
        false_positive=len(wrong), in_scope=len(found.same),
        found_in_scope=len(found.same & predicted), later=len(found.later),
        found_later=len(found.later & predicted), reaction=len(found.reaction),
        found_reaction=len(found.reaction & predicted), uncertain=len(found.uncertain),
        hard=[(pair, case, note, pair in predicted) for pair, case, note in found.hard],
        wrong=wrong, missed=sorted(negatives_known - predicted),
        incremental_equals_full=same_partition(incremental, full) if with_reactions else None,
        third_party=shared,
        by_reason=by_reason, wrong_by_reason=wrong_by_reason, missing=found.missing)


def report(result: Measure) -> str:
    lines = [
        f"documents: {result.documents} ({'with' if result.third_party else 'without'} the "
        f"third-party items of ../shared), events after linking: {result.events}",
        f"pairs judged: {result.pairs} (uncertain left out: {result.uncertain})",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| precision (pairs put in one event that are one event) | {result.precision:.3f} "
        f"({result.true_positive}/{result.predicted}) |",
        f"| recall, releases, rules, corrections, editions | "
        f"{result.recall:.3f} ({result.found_in_scope}/{result.in_scope}) |",
        "| recall, Taiwan's reactions (a statement and its action's documents) | "
        + (f"{result.recall_reactions:.3f} " if result.reaction else "none labelled ")
        + f"({result.found_reaction}/{result.reaction}) |",
        "| recall, third-party reports (no source links them) | "
        + (f"{result.found_later / result.later:.3f} " if result.later else "none labelled ")
        + f"({result.found_later}/{result.later}) |",
        f"| recall, every pair | {result.recall_all:.3f} |",
        f"| hard negatives merged | {sum(h[3] for h in result.hard)} of {len(result.hard)} |",
        "| linking in arrival order = linking all at once | "
        + {True: "yes", False: "NO", None: "not compared"}[result.incremental_equals_full]
        + " |",
        "",
        "Links by reason (wrong ones in brackets): " + ", ".join(
            f"{reason} {count} ({result.wrong_by_reason[reason]})"
            for reason, count in sorted(result.by_reason.items())),
    ]
    cases = Counter(case for _, case, _, _ in result.hard)
    merged = Counter(case for _, case, _, hit in result.hard if hit)
    lines.append("Hard cases: " + "; ".join(f"{case}: {merged[case]} of {n} merged"
                                             for case, n in cases.items()))
    if result.missing:
        lines.append(f"Not stored (left out): {', '.join(result.missing)}")
    return "\n".join(lines)


def errors(db_path: Path, result: Measure) -> str:
    db = open_db(db_path)
    try:
        def title(doc_id):
            row = next(db.query("select title, published from documents where id = ?",
                                [doc_id]), None)
            return f"{doc_id} [{(row or {}).get('published')}] {(row or {}).get('title')}"
        lines = ["Wrong (one event, labelled two):"]
        for a, b in result.wrong:
            link = next(db.query("select reason, evidence from event_links where doc_a = ? "
                                 "and doc_b = ?", [a, b]), None)
            why = f"{link['reason']}: {link['evidence']}" if link else "through others"
            lines += [f"  {title(a)}", f"  {title(b)}", f"    {why}"]
        lines.append("Missed (two events, labelled one):")
        for a, b in result.missed:
            lines += [f"  {title(a)}", f"  {title(b)}", ""]
    finally:
        db.close()
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list wrong and missed pairs")
    parser.add_argument("--pairs", action="store_true",
                        help="print the labelled pairs as JSON lines and stop")
    parser.add_argument("--us-only", action="store_true",
                        help="leave out the third-party items even when ../shared is there")
    parser.add_argument("--speed", action="store_true",
                        help="also time linking everything and linking one new document")
    parser.add_argument("--without-reactions", action="store_true",
                        help="also measure the linker without Taiwan's reactions")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="chipwatch-events-"))
    try:
        path = demo_store(directory)
        if args.pairs:
            return print_pairs(path)
        before = directory / "without-reactions.db"
        shutil.copyfile(path, before)
        result = measure(path, third_party=False if args.us_only else None)
        print(report(result))
        if args.without_reactions:
            print("\nWithout Taiwan's reactions (the same store linked again without them):\n")
            print(report(measure(before, third_party=False if args.us_only else None,
                                 with_reactions=False)))
        if args.errors:
            print(errors(path, result))
        if args.speed:
            print(speed(path))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def _median_ms(action, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def speed(db_path: Path) -> str:
    """Linking every stored document, and one new document, against the floor."""
    db = open_db(db_path)
    try:
        documents = db["documents"].count
        floor = _median_ms(lambda: list(db.query(f"select {LINKING_COLUMNS} from documents")))
        everything = _median_ms(lambda: relink_all(db), runs=5)
        row = dict(next(db.query("select * from documents where id = 'federal_register:"
                                 "2023-23048'")))
        counter = iter(range(10**6))

        def one_new():
            number = next(counter)
            doc = {**row, "id": f"federal_register:2099-{number:05d}",
                   "external_id": f"2099-{number:05d}", "metadata": {}}
            upsert_documents(db, [doc])
            link_pending(db)
        one = _median_ms(one_new)
    finally:
        db.close()
    return "\n".join([
        "",
        "| linking | median ms | × floor |",
        "| --- | ---: | ---: |",
        f"| floor: one query reading the linker's columns of all {documents} documents | "
        f"{floor:.1f} | 1 |",
        f"| every document again (`chipwatch events relink`) | {everything:.1f} | "
        f"{everything / floor:.0f} |",
        f"| one new document: stored, then linked as the cycle does | {one:.1f} | "
        f"{one / floor:.1f} |",
    ])


def print_pairs(path: Path) -> int:
    data = gold()
    items, _ = dev_items()
    db = open_db(path)
    try:
        found = labels(db, data, add_dev_items(db, items, data["aliases"]))
    finally:
        db.close()
    ref = found.refs.get
    for pair in sorted(found.same):
        print(json.dumps({"a": ref(pair[0]), "b": ref(pair[1]), "same": True, "kind": "now"}))
    for pair in sorted(found.reaction):
        print(json.dumps({"a": ref(pair[0]), "b": ref(pair[1]), "same": True,
                          "kind": "reaction"}))
    for pair in sorted(found.later):
        print(json.dumps({"a": ref(pair[0]), "b": ref(pair[1]), "same": True,
                          "kind": "report"}))
    for pair, case, note, in found.hard:
        print(json.dumps({"a": ref(pair[0]), "b": ref(pair[1]), "same": False, "kind": case,
                          "note": note}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
