"""Facts measured against hand labels, as a floor that must hold: the US-government items
of the development set (their text is committed in bench/eval_us_gov.jsonl) and the
sentences written for chipwatch in both scripts (bench/facts_written.jsonl). bench/facts.py
reports the full figures, with the rest of the development set when ../shared is present."""

from __future__ import annotations

import pytest

from bench import facts as bench
from tracker.classify import Classifier, load_rules

FLOOR = 0.85


@pytest.fixture(scope="module")
def classifier():
    return Classifier(load_rules())


def us_government_items() -> list[dict]:
    labels = {row["id"]: row for row in bench.read(bench.DEV_LABELS)}
    return [{**item, **{k: labels[item["id"]][k] for k in bench.KINDS}}
            for item in bench.read(bench.OWN_SET)]


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


@pytest.mark.parametrize("name", ["us_government", "written"])
def test_each_kind_of_fact_stays_above_the_floor(classifier, name):
    items = us_government_items() if name == "us_government" else bench.read(bench.WRITTEN)
    assert items
    run = bench.measure(classifier, items)
    for kind in bench.KINDS:
        p, r = precision_recall(*run["totals"][kind])
        assert p >= FLOOR and r >= FLOOR, (name, kind, p, r, [
            e for e in run["errors"] if e[1] == kind])


def test_every_labelled_item_is_in_the_development_set_or_the_committed_one():
    labels = {row["id"] for row in bench.read(bench.DEV_LABELS)}
    committed = {item["id"] for item in bench.read(bench.OWN_SET)}
    assert committed <= labels and len(labels) == 143
    assert all(row["written"] for row in bench.read(bench.WRITTEN))
