"""The development set split in two halves by event, so that rules written while reading one
half can be measured on the other.

bench/dev_events.json lists which items of ../shared/eval/dev.jsonl are about the same action
(ids only). Whole events go to one half, never split. The assignment is a fixed rule:

1. each event has a stratum: the set of its items' labels ("none" when empty) and whether any
   of its items is Chinese;
2. strata are taken in sorted order; within one, events are taken largest first, then by
   their first id;
3. each event goes to the half with fewer items of its stratum so far, then to the half with
   fewer items overall, then to "tune".

"tune" is the half the rules may be written on; "held_out" is only measured.

    .venv/bin/python bench/devsplit.py     # prints the halves' sizes and label counts
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENTS = HERE / "dev_events.json"
HALVES = ("tune", "held_out")


def shared_dir() -> Path:
    """../shared beside the checkout; from a git worktree, the one beside the main checkout
    (a worktree's .git is a file naming <main>/.git/worktrees/<name>)."""
    root = HERE.parent
    beside = root.parent / "shared"
    marker = root / ".git"
    if not beside.exists() and marker.is_file():
        line = marker.read_text(encoding="utf-8").strip()
        if line.startswith("gitdir:"):
            main = Path(line.split(":", 1)[1].strip()).resolve().parents[2]
            return main.parent / "shared"
    return beside


def events() -> dict[str, list[str]]:
    with open(EVENTS, encoding="utf-8") as fh:
        return json.load(fh)["events"]


def assign(items: list[dict]) -> dict[str, str]:
    """item id -> "tune" | "held_out", for every item of `items` (an id no event lists is
    an error: the events file must cover the set)."""
    by_id = {item["id"]: item for item in items}
    groups = [ids for ids in events().values()]
    listed = {i for ids in groups for i in ids}
    missing = sorted(set(by_id) - listed)
    if missing:
        raise ValueError(f"{EVENTS.name} does not place {', '.join(missing[:5])}"
                         f"{' ...' if len(missing) > 5 else ''}")
    strata: dict[tuple, list[list[str]]] = defaultdict(list)
    for ids in groups:
        ids = [i for i in ids if i in by_id]
        if not ids:
            continue
        labels = sorted({label for i in ids for label in by_id[i]["labels"]})
        chinese = any(by_id[i]["lang"] == "zh" for i in ids)
        strata[(",".join(labels) or "none", "zh" if chinese else "en")].append(ids)
    half: dict[str, str] = {}
    total = dict.fromkeys(HALVES, 0)
    for key in sorted(strata):
        inside = dict.fromkeys(HALVES, 0)
        for ids in sorted(strata[key], key=lambda e: (-len(e), min(e))):
            chosen = min(HALVES, key=lambda h: (inside[h], total[h], h != "tune"))
            for i in ids:
                half[i] = chosen
            inside[chosen] += len(ids)
            total[chosen] += len(ids)
    return half


def main() -> int:
    path = shared_dir() / "eval" / "dev.jsonl"
    with open(path, encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    half = assign(items)
    for name in HALVES:
        chosen = [i for i in items if half[i["id"]] == name]
        langs = Counter(i["lang"] for i in chosen)
        labels = Counter(label for i in chosen for label in i["labels"] or ["none"])
        print(f"{name}: {len(chosen)} items ({dict(langs)}); labels {dict(sorted(labels.items()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
