"""Facts benchmark: precision and recall of instruments, amounts, rates, deadlines and actors
against hand labels, and classification throughput on one core with extraction on and off.

    .venv/bin/python bench/facts.py [--errors] [--seconds N] [--no-speed]

Labels: bench/facts_dev.jsonl holds ids and labels for the 143 items of the development set
(../shared/eval/dev.jsonl, read at run time; without it, only the US-government items whose
text is committed in bench/eval_us_gov.jsonl are measured); bench/facts_written.jsonl holds
sentences written for chipwatch in English, Traditional and Simplified Chinese, marked
"written", with their labels (written alongside the extraction rules: in-sample);
bench/facts_probes.jsonl labels the 110 written headlines of bench/probes.jsonl (written by
someone else for the classifier; their facts were labelled after the extraction rules were
last changed, and no rule was changed after looking at them).

How a fact counts as found: an instrument or an actor by its name; an amount when the currency
is the same and the value within 0.5%; a rate by its percentage; a deadline by kind and date.
Each document's facts are a set; precision and recall are micro-averaged over documents.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classify import _cpu, press_release_docs, typical_docs  # noqa: E402
from bench.devsplit import shared_dir  # noqa: E402
from tracker.classify import Classifier, load_rules  # noqa: E402

KINDS = ("instruments", "amounts", "rates", "deadlines", "actors")
DEV_LABELS = ROOT / "bench" / "facts_dev.jsonl"
WRITTEN = ROOT / "bench" / "facts_written.jsonl"
PROBES = ROOT / "bench" / "probes.jsonl"
PROBE_LABELS = ROOT / "bench" / "facts_probes.jsonl"
OWN_SET = ROOT / "bench" / "eval_us_gov.jsonl"
SHARED_DEV = shared_dir() / "eval" / "dev.jsonl"
US_GOV = {"federal_register", "commerce", "bis", "whitehouse", "ustr"}
TOLERANCE = 0.005


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dev_items() -> tuple[list[dict], str]:
    """The development items with their fact labels (texts from ../shared when present)."""
    labels = {row["id"]: row for row in read(DEV_LABELS)}
    if SHARED_DEV.exists():
        texts, origin = read(SHARED_DEV), "../shared/eval/dev.jsonl"
    else:
        texts, origin = read(OWN_SET), str(OWN_SET.relative_to(ROOT))
    return [{**item, **{k: labels[item["id"]][k] for k in KINDS}}
            for item in texts if item["id"] in labels], origin


def probe_items() -> list[dict]:
    labels = {row["id"]: row for row in read(PROBE_LABELS)}
    return [{**item, **{k: labels[item["id"]][k] for k in KINDS}} for item in read(PROBES)]


def document(item: dict) -> dict:
    """What the classifier reads of an item: its own date dates the text's "August 17"."""
    date = item.get("published") or item.get("date") or ""
    return {"title": item.get("title", ""), "text": item.get("text", ""),
            "published": date if len(date) == 10 else None}


def found_facts(classifier: Classifier, item: dict) -> dict:
    result = classifier.classify(document(item))
    facts = result.facts.as_dict()
    return {"instruments": set(result.instrument_names),
            "amounts": [(a["value"], a["currency"]) for a in facts["amounts"]],
            "rates": {float(r["percent"]) for r in facts["rates"]},
            "deadlines": {(d["kind"], d["date"]) for d in facts["deadlines"]},
            "actors": set(facts["actors"])}


def gold_facts(item: dict) -> dict:
    return {"instruments": set(item["instruments"]),
            "amounts": [(a["value"], a["currency"]) for a in item["amounts"]],
            "rates": {float(r) for r in item["rates"]},
            "deadlines": {(d["kind"], d["date"]) for d in item["deadlines"]},
            "actors": set(item["actors"])}


def _same_amount(a: tuple, b: tuple) -> bool:
    return a[1] == b[1] and abs(a[0] - b[0]) <= TOLERANCE * max(abs(b[0]), 1e-9)


def compare(kind: str, gold, got) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) for one document and kind."""
    if kind == "amounts":
        unmatched = list(gold)
        tp = 0
        for amount in got:
            match = next((g for g in unmatched if _same_amount(amount, g)), None)
            if match is not None:
                unmatched.remove(match)
                tp += 1
        return tp, len(got) - tp, len(unmatched)
    return len(gold & got), len(got - gold), len(gold - got)


def measure(classifier: Classifier, items: list[dict]) -> dict:
    totals = {kind: [0, 0, 0] for kind in KINDS}
    errors = []
    for item in items:
        gold, got = gold_facts(item), found_facts(classifier, item)
        for kind in KINDS:
            tp, fp, fn = compare(kind, gold[kind], got[kind])
            totals[kind][0] += tp
            totals[kind][1] += fp
            totals[kind][2] += fn
            if fp or fn:
                errors.append((item["id"], kind, gold[kind], got[kind]))
    return {"n": len(items), "totals": totals, "errors": errors}


def cell(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return f"{p:.2f} / {r:.2f} ({tp + fn})"


def table(runs: dict[str, dict]) -> str:
    lines = ["| set | n | " + " | ".join(f"{k} P / R (gold)" for k in KINDS) + " |",
             "| --- | ---: | " + " | ".join("---" for _ in KINDS) + " |"]
    for name, run in runs.items():
        lines.append(f"| {name} | {run['n']} | "
                     + " | ".join(cell(*run["totals"][k]) for k in KINDS) + " |")
    return "\n".join(lines)


def per_instrument(classifier: Classifier, items: list[dict]) -> str:
    counts: dict[str, list[int]] = {}
    for item in items:
        gold = set(item["instruments"])
        got = found_facts(classifier, item)["instruments"]
        for name in gold | got:
            row = counts.setdefault(name, [0, 0, 0])
            row[0] += name in gold and name in got
            row[1] += name in got and name not in gold
            row[2] += name in gold and name not in got
    lines = ["| instrument | P / R (gold) |", "| --- | --- |"]
    for name in sorted(counts):
        lines.append(f"| {name} | {cell(*counts[name])} |")
    return "\n".join(lines)


def throughput(classifiers: list[Classifier], docs: list[dict], seconds: float,
               rounds: int = 6) -> list[float]:
    """Documents a second of CPU time for this process (steadier than wall time on a shared
    machine) for each classifier, the best of `rounds` rounds taken in turn, so that a spell
    of load on the machine falls on all of them alike."""
    best = [0.0] * len(classifiers)
    for _ in range(rounds):
        for n, classifier in enumerate(classifiers):
            done, start = 0, time.process_time()
            while time.process_time() - start < seconds / rounds:
                for doc in docs:
                    classifier.classify(doc)
                done += len(docs)
            best[n] = max(best[n], done / (time.process_time() - start))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every miss and surplus")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="seconds per throughput measurement (default 3)")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput runs")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    book = load_rules()
    classifier = Classifier(book)
    items, origin = dev_items()
    written = read(WRITTEN)
    probes = probe_items()
    print(f"Development set: {origin} ({len(items)} items labelled); written sentences: "
          f"{WRITTEN.relative_to(ROOT)} ({len(written)}); probes: "
          f"{PROBES.relative_to(ROOT)} ({len(probes)}); classifier {classifier.version}\n")
    runs = {"dev, all": measure(classifier, items),
            "dev, en": measure(classifier, [i for i in items if i["lang"] == "en"]),
            "dev, zh": measure(classifier, [i for i in items if i["lang"] != "en"]),
            "dev, US government only": measure(
                classifier, [i for i in items if i["source"] in US_GOV]),
            "written (in-sample), all": measure(classifier, written),
            "written, en": measure(classifier, [i for i in written if i["lang"] == "en"]),
            "written, zh": measure(classifier, [i for i in written if i["lang"] != "en"]),
            "probes (labelled after), all": measure(classifier, probes),
            "probes, en": measure(classifier, [i for i in probes if i["lang"] == "en"]),
            "probes, zh": measure(classifier, [i for i in probes if i["lang"] != "en"])}
    print("Precision / recall per kind (facts in the gold labels):\n")
    print(table(runs))
    print("\nInstruments on the development set:\n")
    print(per_instrument(classifier, items))
    if args.errors:
        print()
        for name in ("dev, all", "written (in-sample), all", "probes (labelled after), all"):
            for item_id, kind, gold, got in runs[name]["errors"]:
                print(f"{item_id} {kind}: gold={sorted(gold)} got={sorted(got)}")
    if not args.no_speed:
        plain = Classifier(book, extract=False)
        print("\nThroughput on one core (documents per CPU second, best of six rounds taken "
              "in turn; extraction off is the same classifier without amounts, rates, "
              "deadlines and actors):\n")
        print("| documents | n | mean chars | extraction on | off | on / off |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, docs in (("press-release length: lead + neutral quotes and boilerplate",
                             typical_docs(items)),
                            ("press-release length, worst case: every sentence policy text",
                             press_release_docs(items))):
            mean = sum(len(d["title"]) + len(d.get("text") or "") for d in docs) / len(docs)
            on, off = throughput([classifier, plain], docs, args.seconds)
            print(f"| {label} | {len(docs)} | {mean:,.0f} | {on:,.0f} | {off:,.0f} | "
                  f"{on / off:.2f} |")
        print(f"\nMachine: {platform.machine()}, {_cpu()}, Python {platform.python_version()}, "
              f"{os.cpu_count()} cores (1 used).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
