"""The event linker on real US-government documents (the replay's Federal Register results and
Commerce and BIS releases) and on documents written for the tests: every kind of evidence,
the hard cases that must stay apart, ties, order independence, stable ids, the migration."""

from __future__ import annotations

import random
import sqlite3

from sqlite_utils import Database

from store import events as event_store
from store import open_db
from store.documents import upsert_documents
from store.schema import migrations
from tests.events_data import fr, release, store, written
from tracker.events import link_documents, link_pending, relink_all

SME_2023 = "commerce-strengthens-restrictions-advanced-computing-semiconductors"


def event_of(db, doc_id: str) -> int:
    return event_store.event_ids_of(db, [doc_id])[doc_id]


def together(db, *ids: str) -> bool:
    return len({event_of(db, doc_id) for doc_id in ids}) == 1


def placement(db, doc_id: str) -> dict:
    return event_store.placements(db, [doc_id])[doc_id]


def partition(db) -> set[frozenset]:
    groups: dict[int, set] = {}
    for doc_id, event_id in event_store.event_ids_of(
            db, [r["id"] for r in db.query("select id from documents")]).items():
        groups.setdefault(event_id, set()).add(doc_id)
    return {frozenset(g) for g in groups.values()}


# -- each kind of evidence -----------------------------------------------------------------

def test_every_document_is_in_exactly_one_event_from_the_moment_it_is_stored(db):
    ids = store(db, fr("2026-17231"), fr("2026-17230"), release("bis", "cadence"))
    rows = list(db.query("select document_id, count(*) as n from event_documents "
                         "group by document_id"))
    assert sorted(r["document_id"] for r in rows) == sorted(ids)
    assert all(r["n"] == 1 for r in rows)
    assert db["events"].count == 3


def test_the_same_release_on_commerce_and_bis_is_one_event(db):
    bis = release("bis", "commerce-strengthens-restrictions-advanced-computing")
    commerce = release("commerce", SME_2023)
    store(db, bis, commerce)
    link_pending(db)
    assert together(db, bis["id"], commerce["id"])
    reason = placement(db, commerce["id"]) if placement(db, bis["id"])["reason"] == "lead" \
        else placement(db, bis["id"])
    assert reason["reason"] == "same_release" and reason["role"] == "announcement"
    assert "the same title on" in reason["evidence"]


def test_a_rule_published_a_week_after_its_release_joins_the_release_event(db):
    bis = release("bis", "commerce-strengthens-restrictions-advanced-computing")
    store(db, bis)
    link_pending(db)
    event_id = event_of(db, bis["id"])
    rules = [fr("2023-23048"), fr("2023-23049"), fr("2023-23055")]
    store(db, *rules)  # a later crawl
    link_pending(db)
    assert all(event_of(db, r["id"]) == event_id for r in rules)  # the release's event id
    entity = placement(db, "federal_register:2023-23048")
    assert entity["reason"] == "describes_rule" and entity["role"] == "rule"
    assert "both add 13 entities to the Entity List" in entity["evidence"]
    words = placement(db, "federal_register:2023-23049")
    assert words["reason"] == "describes_rule"
    assert "every word of the title of FR Doc. 2023-23049" in words["evidence"]
    event = event_store.get_event(db, event_id)
    assert event["title"] == bis["title"]  # a release names the event
    assert (event["first_date"], event["last_date"]) == ("2023-10-17", "2023-10-25")


def test_a_notice_quoting_the_rule_title_joins_it(db):
    store(db, fr("2022-21658"), fr("2022-22037"))
    link_pending(db)
    assert together(db, "federal_register:2022-21658", "federal_register:2022-22037")
    notice = placement(db, "federal_register:2022-22037")
    assert notice["reason"] == "names_rule"
    assert "quotes the title of FR Doc. 2022-21658" in notice["evidence"]


def test_a_correction_joins_the_document_it_corrects(db):
    store(db, fr("2026-16628"), fr("C1-2026-16628"))
    link_pending(db)
    correction = placement(db, "federal_register:C1-2026-16628")
    assert together(db, "federal_register:2026-16628", "federal_register:C1-2026-16628")
    assert (correction["reason"], correction["role"]) == ("correction", "correction")
    assert correction["linked_to"] == "federal_register:2026-16628"


def test_editions_of_one_story_are_one_event(db):
    docs = [written(f"tsmc:9001{suffix}", "tsmc", title, "Neutral text written for the test.",
                    "2026-06-01", lang=lang, group_key="tsmc:9001")
            for suffix, lang, title in ((":zh-Hant", "zh-Hant", "測試新聞"),
                                        ("", "en", "Test story"),
                                        (":zh-Hans", "zh-Hans", "测试新闻"))]
    store(db, *docs)
    link_pending(db)
    assert together(db, *[d["id"] for d in docs])
    event = event_store.get_event(db, event_of(db, "tsmc:9001"))
    assert (event["title"], event["title_zh"]) == ("Test story", "測試新聞")
    roles = {d["id"]: d["role"] for d in event_store.event_documents(db, event["id"])}
    assert roles == {"tsmc:9001": "statement", "tsmc:9001:zh-Hant": "edition",
                     "tsmc:9001:zh-Hans": "edition"}


def test_a_release_naming_the_rule_number_or_citation_joins_it(db):
    rule = fr("2026-17231")
    by_number = written("bis:named", "bis", "Test release: revisions to the Entity List",
                        "Today BIS revised entries (FR Doc. 2026-17231).", "2026-08-21",
                        doc_type="Press Release")
    store(db, rule, by_number)
    link_pending(db)
    assert placement(db, "bis:named")["reason"] in ("fr_number", "lead")
    assert together(db, rule["id"], "bis:named")
    cited = fr("2024-00227")  # citation 89 FR 1138
    by_citation = written("commerce:cited", "commerce", "Test release on a tariff-rate quota",
                          "The notice appears at 89 FR 1138.", "2024-01-10",
                          doc_type="Press Release")
    store(db, cited, by_citation)
    link_pending(db)
    assert together(db, cited["id"], "commerce:cited")
    link = next(db.query("select reason, evidence from event_links where doc_a = ? and "
                         "doc_b = ?", sorted([cited["id"], "commerce:cited"])))
    assert link == {"reason": "fr_citation", "evidence": "the release names 89 FR 1138"}


def test_a_release_recalling_an_old_rule_stays_apart_from_it(db):
    old = fr("2022-21658")
    recall = written("bis:recall", "bis", "Test release: a new enforcement action",
                     "The action enforces the rule of FR Doc. 2022-21658 and 89 FR 1138.",
                     "2025-06-02", doc_type="Press Release")
    store(db, old, recall)
    link_pending(db)
    assert not together(db, old["id"], "bis:recall")


def test_a_shared_rin_or_docket_links_within_30_days_but_not_a_case_number(db):
    base = {"doc_type": "Rule"}
    docs = [
        written("federal_register:2030-00001", "federal_register", "Test rule one",
                "Text.", "2030-01-02", metadata={"regulation_id_numbers": ["0694-AJ99"]},
                **base),
        written("federal_register:2030-00002", "federal_register", "Test rule one, extended",
                "Text.", "2030-01-20", metadata={"regulation_id_numbers": ["0694-AJ99"]},
                **base),
        written("federal_register:2030-00003", "federal_register", "Test rule two",
                "Text.", "2030-06-01", metadata={"regulation_id_numbers": ["0694-AJ99"]},
                **base),
        written("federal_register:2030-00004", "federal_register", "Test review one",
                "Text.", "2030-02-01", metadata={"docket_ids": ["A-583-831"]}, **base),
        written("federal_register:2030-00005", "federal_register", "Test review two",
                "Text.", "2030-02-05", metadata={"docket_ids": ["A-583-831"]}, **base),
    ]
    for doc in docs:
        doc["external_id"] = doc["id"].split(":")[1]
    store(db, *docs)
    link_pending(db)
    assert together(db, "federal_register:2030-00001", "federal_register:2030-00002")
    assert placement(db, "federal_register:2030-00002")["reason"] == "rin"
    assert not together(db, "federal_register:2030-00001", "federal_register:2030-00003")
    assert not together(db, "federal_register:2030-00004", "federal_register:2030-00005")


# -- what must stay apart ------------------------------------------------------------------

def test_two_entity_list_rules_in_one_week_stay_apart(db):
    bis = release("bis", "commerce-makes-revisions-entity-list")  # adds 11 entities
    store(db, bis, fr("2025-00480"), fr("2026-17231"), fr("2026-17230"))  # 16 entities
    link_pending(db)
    assert not together(db, bis["id"], "federal_register:2025-00480")
    assert not together(db, "federal_register:2026-17231", "federal_register:2026-17230")


def test_one_title_reused_by_different_actions_is_two_events(db):
    store(db, fr("2021-04794"), fr("2021-07400"), fr("2022-21658"), fr("2023-00888"),
          fr("2023-23049"), release("bis", "commerce-implements-new-export-controls"))
    link_pending(db)
    assert not together(db, "federal_register:2021-04794", "federal_register:2021-07400")
    assert not together(db, "federal_register:2022-21658", "federal_register:2023-00888")
    assert not together(db, "federal_register:2022-21658", "federal_register:2023-23049")
    assert together(db, "federal_register:2022-21658",  # the 2022 release and its rule
                    "bis:https://www.bis.gov/press-release/commerce-implements-new-export-"
                    "controls-advanced-computing-and-semiconductor")


def test_monthly_reports_sharing_a_title_pattern_stay_apart(db):
    docs = [written(f"tsmc:{n}", "tsmc", f"TSMC {month} 2026 Revenue Report",
                    "Neutral text written for the test.", day, group_key=f"tsmc:{n}")
            for n, month, day in (("9101", "March", "2026-04-10"),
                                  ("9102", "April", "2026-05-10"),
                                  ("9103", "May", "2026-06-10"))]
    store(db, *docs)
    link_pending(db)
    assert len({event_of(db, d["id"]) for d in docs}) == 3


def _tie_documents(second_count: int, second_copy: bool) -> list[dict]:
    release_doc = written("bis:tie", "bis", "Test release: Entity List additions",
                          "Today BIS added 5 entities to the Entity List.", "2030-03-02",
                          doc_type="Press Release")
    rules = [written(f"federal_register:2030-1000{n}", "federal_register",
                     "Additions to the Entity List",
                     f"In this rule, BIS amends the EAR by adding {count} entities to the "
                     f"Entity List.", day, doc_type="Rule")
             for n, count, day in ((1, 5, "2030-03-04"), (2, second_count, "2030-03-06"))]
    for rule in rules:
        rule["external_id"] = rule["id"].split(":")[1]
    title = "Test proclamation on adjusting imports of a test good"
    proclamation = written("whitehouse:p1", "whitehouse", title, "Text.", "2030-04-01")
    copies = [written(f"ustr:c{n}", "ustr", title, "Text.", f"2030-04-0{n + 1}")
              for n in ((1, 2) if second_copy else (1,))]
    return [release_doc, *rules, proclamation, *copies]


def test_a_tie_links_nothing(db):
    """A release whose count fits two rules of the week links to neither; a title shared by
    two documents of one other source links to neither."""
    store(db, *_tie_documents(second_count=5, second_copy=True))
    link_pending(db)
    assert db["events"].count == 6


def test_without_the_tie_the_same_documents_link(db):
    store(db, *_tie_documents(second_count=6, second_copy=False))
    link_pending(db)
    assert together(db, "bis:tie", "federal_register:2030-10001")
    assert together(db, "whitehouse:p1", "ustr:c1")
    assert placement(db, "ustr:c1")["reason"] == "title_window" or \
        placement(db, "whitehouse:p1")["reason"] == "title_window"
    assert db["events"].count == 3


# -- order, ids, corrections, migration ----------------------------------------------------

def _replay_mix() -> list[dict]:
    return [release("bis", "commerce-strengthens-restrictions-advanced-computing"),
            release("commerce", SME_2023), fr("2023-23048"), fr("2023-23049"),
            fr("2023-23055"), fr("2023-22873"), fr("2026-16628"), fr("C1-2026-16628"),
            fr("2022-21658"), fr("2022-22037"), fr("2023-00888"),
            release("bis", "commerce-implements-new-export-controls"),
            release("bis", "commerce-makes-revisions-entity-list"), fr("2025-00480"),
            release("bis", "rescission"), release("commerce", "rescission")]


def test_linking_in_any_arrival_order_gives_the_same_events(tmp_path):
    docs = _replay_mix()
    reference = open_db(tmp_path / "all.db")
    upsert_documents(reference, docs)
    relink_all(reference)
    expected = partition(reference)
    assert len(expected) == 8
    for seed in range(3):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        db = open_db(tmp_path / f"order-{seed}.db")
        for start in range(0, len(shuffled), 3):  # crawls bringing a few documents each
            upsert_documents(db, shuffled[start:start + 3])
            link_pending(db)
        assert partition(db) == expected, seed
        relink_all(db)  # and linking everything again changes nothing
        assert partition(db) == expected


def test_an_event_keeps_its_id_as_documents_join_and_a_changed_document_is_linked_again(db):
    bis = release("bis", "commerce-strengthens-restrictions-advanced-computing")
    store(db, bis)
    link_pending(db)
    event_id = event_of(db, bis["id"])
    store(db, release("commerce", SME_2023), fr("2023-23048"))
    link_pending(db)
    assert event_of(db, "federal_register:2023-23048") == event_id
    assert db["events"].count == 1
    # the rule's text changes so that it no longer says 13 entities: it leaves the event
    store(db, {**fr("2023-23048"), "text": "In this rule, BIS amends the EAR."})
    assert link_pending(db).documents == 1
    assert event_of(db, bis["id"]) == event_id
    assert event_of(db, "federal_register:2023-23048") != event_id


def test_an_old_store_is_placed_into_events_by_group_key(tmp_path):
    path = tmp_path / "chipwatch.db"
    old = Database(sqlite3.connect(str(path)))
    migrations.apply(old, stop_before="m009_events")
    docs = [fr("2026-16628"), fr("C1-2026-16628"), fr("2026-17231"),
            written("tsmc:9001", "tsmc", "Test story", "Text.", "2026-06-01",
                    group_key="tsmc:9001"),
            written("tsmc:9001:zh-Hant", "tsmc", "測試新聞", "Text.", "2026-06-01",
                    lang="zh-Hant", group_key="tsmc:9001")]
    upsert_documents(old, docs)
    old.close()
    db = open_db(path)  # the migration places what is there
    assert db["events"].count == 3
    assert together(db, "federal_register:2026-16628", "federal_register:C1-2026-16628")
    assert together(db, "tsmc:9001", "tsmc:9001:zh-Hant")
    correction = placement(db, "federal_register:C1-2026-16628")
    assert (correction["role"], correction["reason"]) == ("correction", "correction")
    assert placement(db, "tsmc:9001:zh-Hant")["role"] == "edition"
    assert correction["linker_version"] is None  # the next cycle links everything once
    report = link_pending(db)
    assert report.documents == len(docs) and db["events"].count == 3
    assert link_pending(db).documents == 0
    db.close()


def test_link_documents_with_nothing_to_do_does_nothing(db):
    assert link_documents(db, []).documents == 0
    store(db, fr("2026-17231"))
    assert link_pending(db).documents == 1
    assert link_pending(db).documents == 0


def test_linking_a_batch_at_a_time_gives_the_same_events(tmp_path, monkeypatch):
    from tracker.events import linker

    docs = _replay_mix()
    whole = open_db(tmp_path / "whole.db")
    upsert_documents(whole, docs)
    relink_all(whole)
    monkeypatch.setattr(linker, "BATCH", 2)
    batched = open_db(tmp_path / "batched.db")
    upsert_documents(batched, docs)
    seen = []
    report = link_pending(batched, on_progress=lambda done, total: seen.append((done, total)))
    assert report.documents == len(docs)
    assert seen[-1] == (len(docs), len(docs)) and len(seen) == (len(docs) + 1) // 2
    assert partition(batched) == partition(whole)


def test_a_release_about_one_award_does_not_describe_the_programme_notice(db):
    """Its body repeats every word of the notice's title, but its own title does not."""
    award = written("commerce:award", "commerce",
                    "Test release: Administration announces an incentives award with a firm",
                    "Today the Department awarded a firm up to $1 billion under the CHIPS "
                    "Incentives Program's Funding Opportunity for Commercial Fabrication "
                    "Facilities.", "2030-05-01", doc_type="Press Release")
    notice = written("federal_register:2030-20001", "federal_register",
                     "CHIPS Incentives Program Funding Opportunity for Commercial Fabrication "
                     "Facilities",
                     "This notice amends the funding opportunity.", "2030-05-06",
                     doc_type="Notice")
    notice["external_id"] = "2030-20001"
    store(db, award, notice)
    link_pending(db)
    assert not together(db, "commerce:award", "federal_register:2030-20001")
