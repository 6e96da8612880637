"""The shipped rules against the labelled evaluation set: the committed US-government items
always, the whole shared development set when it is present beside the project."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, SHARED
from tracker.classify import Classifier, load_rules

CATEGORIES = ["investment_pressure", "export_control", "alliance", "tariff"]


def macro_f1(items, classifier) -> float:
    f1s = []
    for category in CATEGORIES:
        tp = fp = fn = 0
        for item in items:
            got = category in classifier.classify(item).labels
            gold = category in item["labels"]
            tp += got and gold
            fp += got and not gold
            fn += gold and not got
        if tp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_us_government_items():
    assert macro_f1(read(ROOT / "bench" / "eval_us_gov.jsonl"), Classifier(load_rules())) >= 0.9


def test_shared_development_set():
    path = SHARED / "eval" / "dev.jsonl"
    if not path.exists():
        pytest.skip("../shared/eval/dev.jsonl is not present")
    items = read(path)
    classifier = Classifier(load_rules())
    assert macro_f1(items, classifier) >= 0.9
    zh = [i for i in items if i["lang"] == "zh"]
    en = [i for i in items if i["lang"] == "en"]
    assert macro_f1(zh, classifier) >= macro_f1(en, classifier)
