"""Facts in the store: written with the tags (cycle and reclassify), upgraded stores, facts by
event, and what Datasette shows of them (facets on instrument and actor, the canned queries,
search by any alias). Texts are US government documents or written for these tests."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from datetime import date, timedelta

import pytest
from sqlite_utils import Database

from store import event_facts, open_db
from store import facts as fact_store
from store.documents import upsert_documents
from store.events import event_ids_of
from store.schema import migrations
from store.search import search_ids
from tests.conftest import chipwatch
from tracker.browse import make_datasette
from tracker.classify import Classifier, load_rules
from tracker.classify.apply import tag_documents
from tracker.corrections import merge

SOON = (date.today() + timedelta(days=5)).isoformat()


def doc(doc_id, title, text, *, source="federal_register", lang="en", published="2024-04-08",
        metadata=None):
    return {"id": doc_id, "source": source, "external_id": doc_id.split(":")[-1], "lang": lang,
            "url": f"https://example.gov/{doc_id.split(':')[-1]}", "title": title, "text": text,
            "published": published, "metadata": metadata or {}}


DOCS = [
    doc("commerce:pmt", "Commerce and TSMC sign preliminary terms",
        "The Department of Commerce and TSMC Arizona signed a preliminary memorandum of terms "
        "for up to $6.6 billion in direct funding under the CHIPS and Science Act. TSMC "
        "plans to invest more than $65 billion in Arizona.", source="commerce",
        published="2024-04-08"),
    doc("tsmc:3220:zh-Hant", "台積公司宣布有意增加在美投資金額至1650億美元",
        "台積公司今日宣布有意在美國先進半導體製造領域增加投資一千億美元。", source="tsmc",
        lang="zh-Hant", published="2025-03-04"),
    doc("federal_register:2026-99999", "Additions to the Entity List",
        "In this rule, the Bureau of Industry and Security (BIS) amends the Export "
        "Administration Regulations (EAR) by adding 16 entities to the Entity List.",
        published=date.today().isoformat(),
        metadata={"effective_on": SOON, "agencies": [{"slug": "industry-and-security-bureau"}],
                  "cfr_references": [{"title": 15, "part": 744}]}),
    doc("federal_register:2025-06462", "Modifying Reciprocal Tariff Rates",
        "The reciprocal tariff on goods of Taiwan is 32 percent, effective April 9, 2025.",
        published="2025-04-15"),
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("facts") / "chipwatch.db"
    db = open_db(path)
    upsert_documents(db, DOCS)
    tag_documents(db, Classifier(load_rules()), [d["id"] for d in DOCS])
    db.close()
    return path


@pytest.fixture
def store(store_path):
    db = open_db(store_path)
    yield db
    db.close()


def test_tagging_writes_every_kind_of_fact(store):
    found = fact_store.facts_for(store, [d["id"] for d in DOCS])
    pmt = found["commerce:pmt"]
    assert set(pmt["instruments"]) == {"chips_awards", "us_fab_pledges"}
    assert [(a["value"], a["currency"]) for a in pmt["amounts"]] == [(6.6e9, "USD"),
                                                                    (6.5e10, "USD")]
    assert pmt["actors"] == ["Department of Commerce", "TSMC"]  # in the order named
    entity = found["federal_register:2026-99999"]
    assert entity["instruments"] == ["entity_list"]
    assert entity["deadlines"] == [{"kind": "effective", "date": SOON,
                                    "text": f"Federal Register effective_on: {SOON}"}]
    assert entity["actors"] == ["BIS", "15 CFR 744"]
    tariff = found["federal_register:2025-06462"]
    assert tariff["rates"] == [{"percent": 32.0, "text": "32 percent",
                                "sentence": DOCS[3]["text"]}]
    assert tariff["deadlines"][0]["date"] == "2025-04-09"
    row = next(store.query("select instruments, actors from documents where id = ?",
                           ["commerce:pmt"]))
    assert "chips_awards" in json.loads(row["instruments"])


def test_retagging_replaces_the_facts_it_had(store_path):
    db = open_db(store_path)
    try:
        before = db["document_amounts"].count
        tag_documents(db, Classifier(load_rules()), [d["id"] for d in DOCS])
        assert db["document_amounts"].count == before
    finally:
        db.close()


def test_amounts_over_time_for_an_actor(store):
    rows = fact_store.amounts_naming(store, "TSMC", "USD")
    assert [(r["date"], r["value"]) for r in rows] == [
        ("2024-04-08", 6.6e9), ("2024-04-08", 6.5e10), ("2025-03-04", 1.65e11),
        ("2025-03-04", 1e11)]
    assert fact_store.amounts_naming(store, "TSMC", "TWD") == []


def test_deadlines_between_two_days(store):
    rows = fact_store.deadlines_between(store, date.today().isoformat(), SOON)
    assert [(r["document_id"], r["kind"]) for r in rows] == [
        ("federal_register:2026-99999", "effective")]
    assert rows[0]["categories"] == ["export_control"]


def test_facts_by_event_of_a_document_alone(store):
    event = event_ids_of(store, ["commerce:pmt"])["commerce:pmt"]
    merged = event_facts.event_facts(store, [event])[event]
    assert merged["actors"] == ["Department of Commerce", "TSMC"]
    assert {a["document_id"] for a in merged["amounts"]} == {"commerce:pmt"}


def test_search_for_one_alias_finds_the_others(store):
    assert "tsmc:3220:zh-Hant" in search_ids(store, "台積電")  # the text says 台積公司
    assert "tsmc:3220:zh-Hant" in search_ids(store, "台积电")
    assert set(search_ids(store, "TSMC")) >= {"tsmc:3220:zh-Hant", "commerce:pmt"}


def test_taiwan_and_mainland_words_find_each_other(db):
    upsert_documents(db, [doc("t:1", "芯片出口管制", "", lang="zh-Hans"),
                          doc("t:2", "記憶體價格", "", lang="zh-Hant")])
    assert search_ids(db, "晶片") == ["t:1"]
    assert search_ids(db, "内存") == ["t:2"]


def test_a_store_from_before_facts_is_upgraded_and_filled_by_reclassify(tmp_path):
    db_path = tmp_path / "chipwatch.db"
    old = Database(sqlite3.connect(str(db_path)))
    migrations.apply(old, stop_before="m010_facts")
    upsert_documents(old, DOCS[:1])
    old.close()
    db = open_db(db_path)  # migrates: the fact tables exist, empty
    assert db["document_amounts"].count == 0
    assert list(db.query("select instruments, actors from reading")) == [
        {"instruments": "[]", "actors": "[]"}]
    db.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{db_path}"\n', encoding="utf-8")
    done = chipwatch("reclassify", "--config", str(config))
    assert done.returncode == 0, done.stderr
    db = open_db(db_path)
    try:
        assert db["document_amounts"].count == 2
        assert {r["actor"] for r in db.query("select actor from document_actors")} == {
            "Department of Commerce", "TSMC"}
    finally:
        db.close()


# -- Datasette --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ds(store_path):
    return make_datasette(store_path)


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def test_reading_view_facets_on_instrument_and_actor(ds):
    page = get(ds, "/chipwatch/reading.json?_size=max")
    assert page.status_code == 200
    facets = page.json()["facet_results"]
    names = {f.get("name") for f in facets.values()} if isinstance(facets, dict) else set()
    assert {"instruments", "actors"} <= names
    instruments = {r["value"]: r["count"] for r in facets["instruments"]["results"]}
    assert instruments["entity_list"] == 1
    actors = {r["value"]: r["count"] for r in facets["actors"]["results"]}
    assert actors["TSMC"] == 2
    chosen = get(ds, "/chipwatch/reading.json?_shape=array&actors__arraycontains=BIS")
    assert [r["document_id"] for r in chosen.json()] == ["federal_register:2026-99999"]


def test_canned_query_lists_an_actors_amounts_over_time(ds):
    page = get(ds, "/chipwatch/actor_amounts.json?actor=TSMC&currency=USD&_shape=array")
    assert page.status_code == 200, page.text
    assert [r["text"] for r in page.json()] == ["$6.6 billion", "$65 billion", "1650億美元",
                                                "一千億美元"]


def test_canned_query_lists_deadlines_coming_up(ds):
    page = get(ds, "/chipwatch/upcoming_deadlines.json?_shape=array")
    assert [(r["date"], r["kind"]) for r in page.json()] == [(SOON, "effective")]


def test_the_search_box_finds_taiwans_name_for_tsmc(ds):
    page = get(ds, "/chipwatch/reading.json?_search=台積電&_shape=array")
    assert page.status_code == 200
    assert {r["document_id"] for r in page.json()} == {"tsmc:3220:zh-Hant", "commerce:pmt"}


def test_fact_tables_have_their_facets(ds):
    for table, facet in (("document_actors", "actor"), ("document_instruments", "instrument"),
                         ("document_deadlines", "kind"), ("document_amounts", "currency")):
        page = get(ds, f"/chipwatch/{table}.json")
        assert page.status_code == 200 and facet in page.json()["facet_results"], table


def test_facts_by_event_merge_the_documents_of_one_event(store_path, tmp_path):
    # Two documents of one event (a US release and TSMC's own), put together by an
    # analyst's merge on a copy of the store.
    path = tmp_path / "merged.db"
    shutil.copy(store_path, path)
    db = open_db(path)
    events = event_ids_of(db, ["commerce:pmt", "tsmc:3220:zh-Hant"])
    merge(db, sorted(set(events.values())), who="test", why="one action")
    event = event_ids_of(db, ["commerce:pmt"])["commerce:pmt"]
    merged = event_facts.event_facts(db, [event])[event]
    db.close()
    assert merged["actors"] == ["Department of Commerce", "TSMC"]
    assert [(a["value"], a["document_id"]) for a in merged["amounts"]] == [
        (6.6e9, "commerce:pmt"), (6.5e10, "commerce:pmt"), (1.65e11, "tsmc:3220:zh-Hant"),
        (1e11, "tsmc:3220:zh-Hant")]
    assert "us_fab_pledges" in merged["instruments"]
