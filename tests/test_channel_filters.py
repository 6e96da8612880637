"""A channel's filters one by one, on a real SQLite store: relevance, keywords (whole Latin
words, Chinese in either script and either side's word), excluded keywords, instruments and
actors; and titles in both languages, the channel's language first."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from alerts.service import build
from store.documents import upsert_documents
from store.facts import set_facts
from store.tags import set_tags
from tests.alerting import VERSION
from tracker.config import parse
from tracker.events import link_pending

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)


def store(db, doc_id, title, text, *, lang="en", category="export_control",
          relevance="core", instruments=(), actors=(), group=None, source="bis"):
    upsert_documents(db, [{"id": doc_id, "source": source, "external_id": doc_id.split(":")[1]
                           if ":" in doc_id else doc_id, "lang": lang,
                           "url": f"https://example.gov/{doc_id}", "title": title,
                           "text": text, "published": "2026-03-01", "group_key": group,
                           "metadata": {}}])
    set_tags(db, doc_id, [{"category": category, "score": 6.0, "relevance": relevance,
                           "evidence": [{"sentence": text.split(".")[0], "match": ""}]}],
             VERSION)
    set_facts(db, doc_id, [{"instrument": i, "category": category, "score": 3.0}
                           for i in instruments],
              {"actors": [{"name": a, "kind": "company", "text": a} for a in actors]}, VERSION)


@pytest.fixture
def seeded(db):
    store(db, "a", "New controls on AI chips", "The rule controls AI chips sold to China.",
          instruments=["advanced_computing"], actors=["Nvidia"])
    store(db, "b", "Entity List additions", "BIS said it adds 12 entities to the Entity List.",
          instruments=["entity_list"])
    store(db, "c", "Tariffs on copper", "A tariff on copper imports.", category="tariff",
          relevance="wider", instruments=["section_232"])
    store(db, "d", "台積公司說明出口管制", "美國對先進晶片實施出口管制。", lang="zh-Hant",
          actors=["TSMC"])
    return db


def listed(db, **table) -> set[str]:
    cfg = parse({"alerts": {"desk": {"kind": "file", "daily_at": "", **table}}},
                Path("/tmp/config.toml"))
    digest = build(cfg, db, "desk", cfg.channels()["desk"], NOW, kind="cycle", period="x")
    return {item.document_id for entry in digest.entries for item in entry.items}


def test_relevance(seeded):
    assert listed(seeded) == {"a", "b", "c", "d"}
    assert listed(seeded, relevance="core") == {"a", "b", "d"}
    assert listed(seeded, relevance="wider") == {"c"}


def test_keywords_match_whole_latin_words_in_any_case(seeded):
    assert listed(seeded, keywords=["ai"]) == {"a"}  # not "said" in b
    assert listed(seeded, keywords=["Entity List", "copper"]) == {"b", "c"}
    assert listed(seeded, exclude_keywords=["CHINA"]) == {"b", "c", "d"}


def test_chinese_keywords_match_either_script_and_either_sides_word(seeded):
    assert listed(seeded, keywords=["出口管制"]) == {"d"}  # Traditional text, same word
    assert listed(seeded, keywords=["芯片"]) == {"d"}  # the mainland's word finds 晶片
    assert listed(seeded, keywords=["台积公司"]) == {"d"}  # Simplified finds Traditional
    assert listed(seeded, exclude_keywords=["晶片"]) == {"a", "b", "c"}


def test_instruments_and_actors(seeded):
    assert listed(seeded, instruments=["entity_list", "section_232"]) == {"b", "c"}
    assert listed(seeded, actors=["台積電"]) == {"d"}  # by its Chinese name
    assert listed(seeded, actors=["nvidia"]) == {"a"}  # by its key
    # different keys must all hold
    assert listed(seeded, instruments=["entity_list"], actors=["TSMC"]) == set()


def test_both_titles_the_channels_language_first(db):
    store(db, "tsmc:1", "TSMC on export controls", "Export controls on advanced chips.",
          group="tsmc:1", source="tsmc")
    store(db, "tsmc:1:zh-Hant", "台積公司說明出口管制", "美國對先進晶片實施出口管制。",
          lang="zh-Hant", group="tsmc:1", source="tsmc")
    link_pending(db)  # the edition linker joins them
    cfg = parse({"alerts": {"en": {"kind": "file"}, "zh": {"kind": "file", "language": "zh"}}},
                Path("/tmp/config.toml"))
    titles = {}
    for name in ("en", "zh"):
        [entry] = build(cfg, db, name, cfg.channels()[name], NOW, kind="cycle",
                        period="x").entries
        titles[name] = (entry.title, entry.title_alt)
    assert titles == {"en": ("TSMC on export controls", "台積公司說明出口管制"),
                      "zh": ("台積公司說明出口管制", "TSMC on export controls")}
