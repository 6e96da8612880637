"""Would a small learned model help the rules? Measured, not assumed.

    .venv/bin/python bench/learned.py

A logistic regression per category (pure Python, no new dependency) on the words of a document
(Latin words, and pairs of Chinese characters after the classifier's own folding) is trained on
the tuning half of the development set (and, in a second run, on the tuning half plus the
probes), then measured on the held-out half, alone and combined with the rules: the model may
add a tag the rules missed (its evidence is the sentence whose words weigh most for the
category), or take away a tag the rules gave. Needs ../shared/eval/dev.jsonl.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classify import CATEGORIES, PROBES, SHARED_DEV, _read, language, scores  # noqa: E402
from bench.devsplit import assign  # noqa: E402
from tracker.classify import Classifier, load_rules  # noqa: E402
from tracker.classify.text import prepare  # noqa: E402

_WORD = re.compile(r"[a-z][a-z0-9-]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def features(text: str) -> set[str]:
    found = set(_WORD.findall(text))
    for run in _HAN.findall(text):
        found.update(run[i:i + 2] for i in range(len(run) - 1))
    return found


def document_features(item: dict) -> set[str]:
    doc = prepare(item.get("title"), item.get("text"))
    return features(doc.lowered)


class Logistic:
    """One category: weights over binary features, trained by gradient descent."""

    def __init__(self, epochs: int = 300, rate: float = 0.5, l2: float = 1e-3) -> None:
        self.epochs, self.rate, self.l2 = epochs, rate, l2
        self.weights: dict[str, float] = {}
        self.bias = 0.0

    def fit(self, rows: list[set[str]], gold: list[bool]) -> "Logistic":
        for _ in range(self.epochs):
            grad: dict[str, float] = {}
            grad_bias = 0.0
            for row, y in zip(rows, gold, strict=True):
                error = self.probability(row) - (1.0 if y else 0.0)
                grad_bias += error
                for f in row:
                    grad[f] = grad.get(f, 0.0) + error
            n = len(rows)
            self.bias -= self.rate * grad_bias / n
            for f, g in grad.items():
                w = self.weights.get(f, 0.0)
                self.weights[f] = w - self.rate * (g / n + self.l2 * w)
        return self

    def probability(self, row: set[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in row)
        return 1 / (1 + math.exp(-max(min(z, 30), -30)))


def best_sentence(model: Logistic, item: dict) -> str:
    """The model's evidence: the sentence whose words weigh most for the category."""
    doc = prepare(item.get("title"), item.get("text"))
    ranked = sorted(doc.sentences, key=lambda s: -sum(
        model.weights.get(f, 0.0) for f in features(doc.lowered[s[0]:s[1]])))
    return doc.quote(*ranked[0]).strip()


def main() -> int:
    if not SHARED_DEV.exists():
        print("../shared/eval/dev.jsonl is not present: nothing to measure")
        return 0
    items = _read(SHARED_DEV)
    probes = _read(PROBES)
    half = assign(items)
    tune = [i for i in items if half[i["id"]] == "tune"]
    held = [i for i in items if half[i["id"]] == "held_out"]
    rules = Classifier(load_rules())
    rule_labels = {i["id"]: set(rules.classify(i).labels) for i in held}

    print("Held-out half of the development set: macro-F1 (all / en / zh)\n")
    print("| training data | combination | all | en | zh |\n| --- | --- | ---: | ---: | ---: |")

    def report(training: str, name: str, guess) -> None:
        cells = []
        for lang in ("all", "en", "zh"):
            chosen = [i for i in held if lang == "all" or language(i) == lang]
            cells.append(scores([(set(i["labels"]), guess(i)) for i in chosen])["macro_f1"])
        print(f"| {training} | {name} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")

    report("–", "rules alone", lambda i: rule_labels[i["id"]])
    notes = []
    for training, train in (("tuning half", tune), ("tuning half + probes", tune + probes)):
        rows = [document_features(i) for i in train]
        models = {c: Logistic().fit(rows, [c in i["labels"] for i in train]) for c in CATEGORIES}
        p = {i["id"]: {c: m.probability(document_features(i)) for c, m in models.items()}
             for i in held}

        def model_at(threshold: float, p=p):
            def labels(doc: dict) -> set[str]:
                return {c for c in CATEGORIES if p[doc["id"]][c] >= threshold}
            return labels

        report(training, "model alone (p ≥ 0.5)", model_at(0.5))
        for threshold in (0.6, 0.8, 0.9):
            report(training, f"rules + tags the model gives at p ≥ {threshold}",
                   lambda i, t=threshold: rule_labels[i["id"]] | model_at(t)(i))
        for threshold in (0.05, 0.1, 0.2):
            report(training, f"rules − tags the model puts below p {threshold}",
                   lambda i, t=threshold, p=p: {c for c in rule_labels[i["id"]]
                                                if p[i["id"]][c] >= t})
        added = [(i, c) for i in held for c in model_at(0.8)(i) - rule_labels[i["id"]]]
        right = sum(c in i["labels"] for i, c in added)
        note = (f"Trained on the {training}: at p ≥ 0.8 the model adds {len(added)} tags, "
                f"{right} right")
        if added:
            item, category = added[0]
            sentence = best_sentence(models[category], item)[:80]
            note += (f"; its evidence for {category} on {item['id']}: "
                     f"{json.dumps(sentence, ensure_ascii=False)}")
        notes.append(note + ".")
    print()
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
