"""Analysts' corrections from the command line, as a user types them: `chipwatch events
merge`, `events split`, `chipwatch tags`; each audited, each kept through `chipwatch
reclassify` and `chipwatch events relink`, each visible in Datasette and exported by
`chipwatch corrections --jsonl`."""

from __future__ import annotations

import asyncio
import json

import pytest

from store import events as event_store
from store import open_db
from tests.conftest import chipwatch, write_config
from tests.events_data import fr, release, store
from tracker.browse import make_datasette
from tracker.classify import build_classifier
from tracker.classify.apply import tag_documents
from tracker.events import link_pending

pytestmark = pytest.mark.timeout(200)

BIS_2023 = release("bis", "commerce-strengthens-restrictions-advanced-computing")
BIS_2025 = release("bis", "commerce-makes-revisions-entity-list")
UVL = "federal_register:2022-21714"
IFR = "federal_register:2022-21658"
RULE_2025 = "federal_register:2025-00480"


@pytest.fixture
def setup(tmp_path):
    config = write_config(tmp_path, {})
    db = open_db(tmp_path / "chipwatch.db")
    ids = store(db, BIS_2023, fr("2023-23048"), fr("2023-23049"), fr("2022-21658"),
                fr("2022-22037"), fr("2022-21714"), BIS_2025, fr("2025-00480"))
    tag_documents(db, build_classifier(), ids)
    link_pending(db)
    db.close()
    return tmp_path, ["--config", str(config)]


def run(options, *args):
    result = chipwatch(*args, *options)
    return result


def event_of(path, doc_id):
    db = open_db(path / "chipwatch.db")
    try:
        return event_store.event_ids_of(db, [doc_id])[doc_id]
    finally:
        db.close()


def test_merge_split_and_tags_from_the_command_line_are_audited_and_survive(setup):
    path, options = setup
    uvl, ifr = event_of(path, UVL), event_of(path, IFR)
    assert uvl != ifr

    merged = run(options, "events", "merge", str(ifr), str(uvl), "--by", "alice",
                 "--why", "The Unverified List rule came with the October 2022 package")
    assert merged.returncode == 0, merged.stderr
    assert f"into event {ifr}" in merged.stdout
    assert event_of(path, UVL) == ifr

    rule_event = event_of(path, "federal_register:2023-23049")
    split = run(options, "events", "split", str(rule_event), "2023-23049", "--by", "bob",
                "--why", "A separate rule")
    assert split.returncode == 0, split.stderr
    split_event = event_of(path, "federal_register:2023-23049")
    assert split_event != rule_event
    assert event_of(path, BIS_2023["id"]) == rule_event  # the rest keeps the event's id

    tagged = run(options, "tags", "2022-21714", "--add", "tariff", "--remove",
                 "export_control", "--by", "carol", "--why", "A test of the tag correction")
    assert tagged.returncode == 0, tagged.stderr
    assert "now tariff" in tagged.stdout

    # everything again: the rules and the linker, from the start
    assert run(options, "reclassify", "--all").returncode == 0
    relinked = run(options, "events", "relink")
    assert relinked.returncode == 0, relinked.stderr
    assert event_of(path, UVL) == event_of(path, IFR) == ifr
    assert event_of(path, "federal_register:2023-23049") == split_event
    assert event_of(path, BIS_2023["id"]) == rule_event
    db = open_db(path / "chipwatch.db")
    try:
        tags = {r["category"]: r for r in db.query(
            "select * from document_tags where document_id = ?", [UVL])}
        assert set(tags) == {"tariff"} and tags["tariff"]["origin"] == "analyst"
        assert "carol" in tags["tariff"]["evidence"]
        audit = list(db.query("select kind, who, why, at from corrections order by id"))
        placed = event_store.placements(db, [UVL, "federal_register:2023-23049"])
    finally:
        db.close()
    assert [(a["kind"], a["who"]) for a in audit] == [("merge", "alice"), ("split", "bob"),
                                                      ("tags", "carol")]
    assert all(a["why"] and a["at"].endswith("+00:00") for a in audit)
    assert placed[UVL]["reason"] == "analyst_merge" and "alice" in placed[UVL]["evidence"]
    assert placed["federal_register:2023-23049"]["reason"] == "analyst_split"

    listing = run(options, "corrections")
    assert listing.returncode == 0 and "alice  merge" in listing.stdout
    exported = run(options, "corrections", "--jsonl")
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    same = {(x["a"], x["b"]) for x in lines if x["kind"] == "same_event" and x["label"]}
    apart = {(x["a"], x["b"]) for x in lines if x["kind"] == "same_event" and not x["label"]}
    assert (IFR, UVL) in same
    assert ("federal_register:2023-23049", BIS_2023["id"]) in apart
    categories = {(x["category"], x["label"]) for x in lines if x["kind"] == "category"}
    assert categories == {("tariff", True), ("export_control", False)}
    assert all({"correction", "who", "at", "why"} <= set(x) for x in lines)

    # and Datasette shows them: the corrections table, the merge on the event page
    ds = make_datasette(path / "chipwatch.db")
    rows = asyncio.run(ds.client.get("/chipwatch/corrections.json?_shape=array")).json()
    assert [r["who"] for r in rows] == ["carol", "bob", "alice"]  # newest first
    page = asyncio.run(ds.client.get(f"/chipwatch/event.json?id={ifr}&_shape=array")).json()
    assert {r["document_id"]: r["reason"] for r in page}[UVL] == "analyst_merge"


def test_corrections_that_cannot_be_made_say_why_with_status_2(setup):
    path, options = setup
    rule_event = event_of(path, "federal_register:2023-23049")
    cases = [
        (("events", "merge", "99999", str(rule_event), "--why", "x"), "no event 99999"),
        (("events", "merge", str(rule_event), "--why", "x"), "at least two different events"),
        (("events", "split", str(rule_event), "2099-00001", "--why", "x"),
         "is not a document of this event"),
        (("tags", "2023-23049", "--add", "tarif", "--why", "x"), "unknown category tarif"),
        (("tags", "2023-23049", "--add", "tariff", "--remove", "tariff", "--why", "x"),
         "both added and removed"),
        (("tags", "no-such-document", "--add", "tariff", "--why", "x"), "no document"),
        (("events", "show", "99999"), "no event 99999"),
    ]
    for args, message in cases:
        result = run(options, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    missing_why = run(options, "events", "merge", "1", "2")
    assert missing_why.returncode == 2 and "--why" in missing_why.stderr
    every = event_store.members_of(open_db(path / "chipwatch.db"), [rule_event])[rule_event]
    whole = run(options, "events", "split", str(rule_event), *every, "--why", "x")
    assert whole.returncode == 2 and "all the documents" in whole.stderr


def test_events_list_and_show(setup):
    path, options = setup
    listing = run(options, "events", "--limit", "3")
    assert listing.returncode == 0 and listing.stdout.startswith("5 events;")
    event_id = event_of(path, BIS_2023["id"])
    shown = run(options, "events", "show", str(event_id))
    assert shown.returncode == 0, shown.stderr
    assert BIS_2023["title"] in shown.stdout
    assert "why here: describes_rule: both add 13 entities to the Entity List" in shown.stdout
