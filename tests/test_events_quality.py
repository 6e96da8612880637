"""The linker measured on the labelled events (bench/event_gold.json) over a store made by
the real `chipwatch demo` (replay on 127.0.0.1) plus the development set's items: precision
of "same event" at least 0.95, recall of the links made today at least 0.85, no named hard
case merged, and the same events whether documents arrive one crawl at a time or all at
once. The third-party items of ../shared/eval/dev.jsonl are read at run time when present."""

from __future__ import annotations

import pytest

from bench.events import demo_store, measure, report

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return measure(demo_store(tmp_path_factory.mktemp("events-quality")))


def test_link_precision_and_recall_on_the_labelled_pairs(result):
    print(report(result))
    assert result.documents >= 100 and result.in_scope >= 30
    assert result.precision >= 0.95, result.wrong
    assert result.recall >= 0.85, result.missed
    assert not result.missing  # every labelled document was stored


def test_taiwan_s_reactions_join_the_actions_they_answer(result):
    assert result.reaction >= 8
    assert result.recall_reactions >= 0.85, result.missed
    assert result.by_reason["reaction"] >= 5 and result.wrong_by_reason["reaction"] == 0


def test_no_hard_case_is_merged_and_arrival_order_does_not_matter(result):
    assert len(result.hard) >= 23
    assert {"a statement fitting two actions equally", "Taiwan's own entity list",
            "a statement on the same topic answering another action"} <= \
        {case for _, case, _, _ in result.hard}
    assert [case for _, case, _, merged in result.hard if merged] == []
    assert result.incremental_equals_full
