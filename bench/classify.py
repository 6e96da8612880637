"""Classifier benchmark: quality on the development set split by event (rules are written on
one half, measured on the other) and on the written probes, the share of evidence that comes
from a document's body, and throughput on one core.

    .venv/bin/python bench/classify.py [--rules FILE] [--errors tune|probes|all] [--seconds N]

The development set is ../shared/eval/dev.jsonl when it is present (143 items, split by
bench/devsplit.py), otherwise the US-government items committed here (bench/eval_us_gov.jsonl,
reported whole). The probes are bench/probes.jsonl (110 written headlines, a regression set the
rules were developed with: in-sample). Results go to standard output as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.devsplit import assign, shared_dir  # noqa: E402
from tracker.classify import Classifier, load_rules  # noqa: E402
from tracker.classify.text import clean  # noqa: E402

SHARED_DEV = shared_dir() / "eval" / "dev.jsonl"
OWN_SET = ROOT / "bench" / "eval_us_gov.jsonl"
PROBES = ROOT / "bench" / "probes.jsonl"
US_GOV = {"federal_register", "commerce", "bis", "whitehouse", "ustr"}
CATEGORIES = ["investment_pressure", "export_control", "alliance", "tariff"]

# The naive baseline: a category fires when its own name or an obvious synonym appears.
BASELINE = {
    "investment_pressure": ["investment", "invest", "投资", "投資"],
    "export_control": ["export control", "export controls", "出口管制"],
    "alliance": ["alliance", "联盟", "聯盟"],
    "tariff": ["tariff", "tariffs", "关税", "關稅"],
}


def load_items() -> tuple[list[dict], str]:
    if SHARED_DEV.exists():
        return _read(SHARED_DEV), "../shared/eval/dev.jsonl"
    return _read(OWN_SET), str(OWN_SET.relative_to(ROOT))


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def language(item: dict) -> str:
    """en or zh (the probes say zh-Hant, zh-Hans or zh)."""
    return "zh" if item["lang"].startswith("zh") else "en"


def baseline(item: dict) -> set[str]:
    text = f"{item.get('title', '')}\n{item.get('text', '')}".lower()
    found = set()
    for category, words in BASELINE.items():
        if any(re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", text) for w in words):
            found.add(category)
    return found


def scores(pairs: list[tuple[set, set]]) -> dict:
    out = {}
    for category in CATEGORIES:
        tp = sum(1 for gold, got in pairs if category in gold and category in got)
        fp = sum(1 for gold, got in pairs if category not in gold and category in got)
        fn = sum(1 for gold, got in pairs if category in gold and category not in got)
        p = tp / (tp + fp) if tp + fp else 1.0 if not fn else 0.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[category] = {"p": p, "r": r, "f1": f, "support": tp + fn}
    present = [c for c in CATEGORIES if out[c]["support"]]
    out["macro_f1"] = sum(out[c]["f1"] for c in present) / len(present) if present else 0.0
    out["exact"] = sum(1 for gold, got in pairs if gold == got) / len(pairs) if pairs else 0.0
    out["n"] = len(pairs)
    return out


def table(results: dict[str, dict]) -> str:
    lines = ["| run | n | " + " | ".join(f"{c} P/R/F1" for c in CATEGORIES)
             + " | macro-F1 | exact-set |",
             "| --- | ---: | " + " | ".join("---" for _ in CATEGORIES) + " | ---: | ---: |"]
    for name, s in results.items():
        cells = []
        for c in CATEGORIES:
            cell = s[c]
            cells.append(f"{cell['p']:.2f}/{cell['r']:.2f}/{cell['f1']:.2f} ({cell['support']})"
                         if cell["support"] else f"– (0; {cell['p']:.2f} P)")
        lines.append(f"| {name} | {s['n']} | " + " | ".join(cells)
                     + f" | {s['macro_f1']:.3f} | {s['exact']:.3f} |")
    return "\n".join(lines)


def summary(results: dict[str, dict]) -> str:
    """macro-F1 per run and language, and the gap between the languages."""
    lines = ["| set | all | en | zh | en − zh |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, by_lang in results.items():
        a, e, z = (by_lang[k]["macro_f1"] for k in ("all", "en", "zh"))
        lines.append(f"| {name} | {a:.3f} ({by_lang['all']['n']}) | {e:.3f} "
                     f"({by_lang['en']['n']}) | {z:.3f} ({by_lang['zh']['n']}) | {e - z:+.3f} |")
    return "\n".join(lines)


def evidence_share(classifier: Classifier, items: list[dict]) -> dict:
    """Of the tags given, how many have a body sentence as their first evidence (rather than
    the title or a note on the source's metadata); counted over items that have a body."""
    counts = {"tags": 0, "body": 0, "title": 0, "metadata": 0}
    for item in items:
        if not (item.get("text") or "").strip():
            continue
        title = clean(item.get("title"))
        for tag in classifier.classify(item).tags:
            counts["tags"] += 1
            first = tag.evidence[0]["sentence"] if tag.evidence else ""
            if "(source metadata)" in first:
                counts["metadata"] += 1
            elif first.strip("…") and first.strip("…") in title:
                counts["title"] += 1
            else:
                counts["body"] += 1
    return counts


def throughput(classifier: Classifier, docs: list[dict], seconds: float) -> float:
    """Documents per second of this process's CPU time (on a machine shared with other work,
    wall time also counts the time other processes held the core)."""
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for doc in docs:
            classifier.classify(doc)
        done += len(docs)
    return done / (time.process_time() - start)


WORD = re.compile(r"\w+")


def regex_pass_rate(docs: list[dict], seconds: float) -> float:
    """The floor: documents per second of one regular-expression pass (every word) over
    the same text."""
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for doc in docs:
            for _ in WORD.finditer(f"{doc['title']}\n{doc.get('text') or ''}"):
                pass
        done += len(docs)
    return done / (time.process_time() - start)


def press_release_docs(items: list[dict], size: int = 4000) -> list[dict]:
    """Press-release-length documents (about `size` characters) stitched from the US
    government items of the set, English and Chinese kept apart."""
    docs = []
    for lang in ("en", "zh"):
        texts = [i for i in items if i["lang"] == lang and i.get("text")]
        for n in range(len(texts)):
            body, k = [], n
            while sum(len(t) + 1 for t in body) < (size if lang == "en" else size // 2):
                body.append(texts[k % len(texts)]["text"])
                k += 1
            docs.append({"title": texts[n]["title"], "text": "\n".join(body), "lang": lang})
    return docs


# Neutral prose written for this benchmark: the quotes, background and boilerplate that make
# up most of a real press release around its lead.
FILLER_EN = [
    "\"We are pleased to reach this milestone with our partners and the communities we serve,\" "
    "the spokesperson said. \"Our teams worked hard over many months to make it happen.\"",
    "The organization employs thousands of people across several sites and continues to hire "
    "engineers, technicians and operators. Training programs run with local colleges.",
    "Further details will be published on the organization's website in the coming weeks. "
    "Members of the public may submit questions through the contact form.",
    "About the organization: founded several decades ago, it serves customers in many "
    "countries and reports its results each quarter. Its headquarters are in a large city.",
    "Media contact: the press office can be reached by telephone on weekdays during office "
    "hours, or by email at any time. Photographs are available on request.",
    "Forward-looking statements in this release are based on current expectations and are "
    "subject to risks and uncertainties, many of which are outside the organization's control.",
]
FILLER_ZH = [
    "發言人表示，團隊過去數月努力合作，感謝各界夥伴與社區的支持。",
    "該機構在多個地點僱用數千名員工，並持續招募工程師與技術人員，與在地學校合作培訓。",
    "更多細節將於未來數週公布於官方網站，民眾可透過聯絡表單提出問題。",
    "關於本機構：成立數十年，服務多國客戶，每季公布營運概況，總部位於大城市。",
    "媒體聯絡：新聞處於上班時間受理電話詢問，亦可隨時以電子郵件聯繫。",
]


def typical_docs(items: list[dict], size: int = 4000) -> list[dict]:
    """Press-release-length documents shaped like real ones: each item's title and lead,
    then neutral quotes, background and boilerplate up to about `size` characters."""
    docs = []
    for item in items:
        zh = item["lang"] == "zh"
        filler, goal = (FILLER_ZH, size // 2) if zh else (FILLER_EN, size)
        body, k = [item.get("text") or ""], 0
        while sum(len(t) + 1 for t in body) < goal:
            body.append(filler[k % len(filler)])
            k += 1
        docs.append({"title": item["title"], "text": "\n".join(body), "lang": item["lang"]})
    return docs


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def evaluate(classifier: Classifier, items: list[dict], guess) -> dict[str, dict]:
    pairs = [(item, set(item["labels"]), guess(item)) for item in items]
    out = {"all": scores([(g, p) for _, g, p in pairs])}
    for lang in ("en", "zh"):
        out[lang] = scores([(g, p) for i, g, p in pairs if language(i) == lang])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", help="rules file (default: the shipped rules)")
    parser.add_argument("--errors", choices=["tune", "probes", "all"],
                        help="list the wrong items of the tuning half, of the probes, or of "
                             "everything (held-out items included: look only to report)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="seconds per throughput measurement (default 3)")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput runs")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    classifier = Classifier(load_rules(Path(args.rules) if args.rules else None))
    items, origin = load_items()
    probes = _read(PROBES)
    split = origin.startswith("../shared")
    half = assign(items) if split else {i["id"]: "held_out" for i in items}
    ours = lambda item: set(classifier.classify(item).labels)  # noqa: E731

    print(f"Development set: {origin} ({len(items)} items"
          + (", split by event: bench/devsplit.py" if split else "") + f"); probes: "
          f"bench/probes.jsonl ({len(probes)}); classifier {classifier.version}\n")
    held = [i for i in items if half[i["id"]] == "held_out"]
    tune = [i for i in items if half[i["id"]] == "tune"]
    runs = {}
    if split:
        runs["dev held-out half"] = evaluate(classifier, held, ours)
        runs["dev tuning half"] = evaluate(classifier, tune, ours)
    runs["dev, all items"] = evaluate(classifier, items, ours)
    runs["probes"] = evaluate(classifier, probes, ours)
    runs["baseline: dev held-out half" if split else "baseline: dev"] = evaluate(
        classifier, held, baseline)
    runs["baseline: probes"] = evaluate(classifier, probes, baseline)
    print("macro-F1 by language (n items):\n")
    print(summary(runs))
    print("\nBy category, precision/recall/F1 (support):\n")
    detail = {}
    for name in ("dev held-out half", "dev tuning half", "probes"):
        if name in runs:
            for lang in ("all", "en", "zh"):
                detail[f"{name}, {lang}"] = runs[name][lang]
    print(table(detail))
    us_gov = [i for i in items if i["source"] in US_GOV]
    print("\nUS-government items only (all halves): macro-F1 "
          f"{evaluate(classifier, us_gov, ours)['all']['macro_f1']:.3f} ({len(us_gov)} items)")

    share = evidence_share(classifier, items)
    print(f"\nEvidence: of {share['tags']} tags given to development items that have a body, "
          f"the first evidence is a body sentence for {share['body']} "
          f"({share['body'] / max(share['tags'], 1):.0%}), the title for {share['title']}, "
          f"the source's metadata for {share['metadata']}.")

    if not args.no_speed:
        print("\nThroughput on one core (documents per second of CPU time; extraction of "
              "facts on):\n")
        print("| documents | n | mean chars | docs/s | one regex pass, docs/s | × floor (time) |"
              "\n| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, docs in (
                ("evaluation items as they are (title + lead)", items),
                ("press-release length: lead + neutral quotes and boilerplate",
                 typical_docs(items)),
                ("press-release length, worst case: every sentence policy text",
                 press_release_docs(items))):
            mean = sum(len(d["title"]) + len(d.get("text") or "") for d in docs) / len(docs)
            rate = throughput(classifier, docs, args.seconds)
            floor = regex_pass_rate(docs, args.seconds)
            print(f"| {label} | {len(docs)} | {mean:,.0f} | {rate:,.0f} | {floor:,.0f} | "
                  f"{floor / rate:,.1f} |")
        print()
        print(f"Machine: {platform.machine()}, {_cpu()}, "
              f"Python {platform.python_version()}, {os.cpu_count()} cores (1 used).")
    if args.errors:
        chosen = {"tune": tune if split else [], "probes": probes,
                  "all": items + probes}[args.errors]
        print()
        for item in chosen:
            gold, got = set(item["labels"]), ours(item)
            if gold != got:
                print(f"{item['id']} {item['lang']} {item.get('source', 'probe')} "
                      f"gold={sorted(gold)} got={sorted(got)}"
                      f"{' AMB' if item.get('ambiguous') else ''}: {item['title'][:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
