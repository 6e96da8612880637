"""Taiwan's reactions: a Taiwan-government statement that answers a US action joins the
action's event with the role `reaction`, through the real classifier (its instruments and
actors), the real linker and SQLite. The actions are the replay's Federal Register results
(real ones and the reconstructions of tests/fixtures/federal_register/); the statements are
written for these tests in neutral wording (no government's real text)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from alerts.service import deliver_due
from alerts.text import render_text
from replay.page import DATA
from store import events as event_store
from store import facts as fact_store
from store import open_db
from tests.events_data import fr, store, written
from tests.test_events_digest import NOW, config, digest_of, tag
from tracker import corrections
from tracker.classify import build_classifier
from tracker.classify.apply import tag_documents
from tracker.events import link_pending, relink_all
from vocab.errors import ConfigError
from vocab.sources import _source, sources

ENTITY_RULE = "federal_register:2026-99001"  # Entity List additions, 2026-09-03
REVISIONS = "federal_register:2026-17231"  # Revisions to the Entity List, 2026-08-24
REMOVAL = "federal_register:2026-17230"  # Removal From the Entity List, 2026-08-24
PROCLAMATION = "federal_register:2026-99002"  # a Section 232 proclamation, 2026-08-05


@pytest.fixture(scope="module")
def classifier():
    return build_classifier()


def proclamation() -> dict:
    """The reconstructed proclamation with the full text the spider reads (it has no
    abstract: the full text says Section 232)."""
    doc = fr("2026-99002")
    doc["text"] = (DATA / "federal_register_full_text" / "2026-99002.txt").read_text()
    return doc


def statement(doc_id: str, day: date | str, title: str, text: str, source: str = "tw_moea",
              lang: str = "zh-Hant") -> dict:
    return written(f"{source}:{doc_id}", source, title, text, str(day), lang=lang)


def stored(db, classifier, *docs: dict) -> list[str]:
    """Store, classify (instruments and actors) and link, as a crawl cycle does."""
    ids = store(db, *docs)
    tag_documents(db, classifier, ids)
    link_pending(db)
    return ids


def event_of(db, doc_id: str) -> int:
    return event_store.event_ids_of(db, [doc_id])[doc_id]


def placement(db, doc_id: str) -> dict:
    return event_store.placements(db, [doc_id])[doc_id]


def alone(db, doc_id: str) -> bool:
    return len(event_store.members_of(db, [event_of(db, doc_id)])[event_of(db, doc_id)]) == 1


NAMING = ("貿易署說明美國實體清單新增實體",
          "美國商務部產業安全局公告（FR Doc. 2026-99001），"
          "將3個實體列入實體清單。貿易署提醒業者遵守出口管制規定。")


# -- the evidence ------------------------------------------------------------------------------

def test_a_statement_naming_the_rule_joins_its_event_as_taiwan_s_reaction(db, classifier):
    stored(db, classifier, fr("2026-99001"))
    [doc_id] = stored(db, classifier, statement("1", "2026-09-04", *NAMING,
                                                source="tw_trade_administration"))
    assert event_of(db, doc_id) == event_of(db, ENTITY_RULE)
    placed = placement(db, doc_id)
    assert placed["role"] == "reaction" and placed["reason"] == "reaction"
    assert placed["evidence"].startswith("Trade Administration's statement answers FR Doc. "
                                         "2026-99001, 1 day after; names FR Doc. 2026-99001")
    assert "both name Entity List / 實體清單" in placed["evidence"]
    assert placement(db, ENTITY_RULE)["role"] == "rule"  # the action leads its event
    event = event_store.get_event(db, event_of(db, doc_id))
    assert event["lead_document_id"] == ENTITY_RULE and event["document_count"] == 2


def test_the_measure_s_name_in_chinese_links_a_statement_to_a_presidential_document(
        db, classifier):
    stored(db, classifier, proclamation())
    [doc_id] = stored(db, classifier, statement(
        "2", "2026-08-06", "經濟部回應美國總統公告",
        "美國總統依232條款對部分進口產品加徵關稅，經濟部表示已啟動影響評估。"))
    placed = placement(db, doc_id)
    assert event_of(db, doc_id) == event_of(db, PROCLAMATION)
    assert placed["role"] == "reaction"
    assert "both name Section 232 / 232條款" in placed["evidence"]


def test_a_statement_that_shares_nothing_with_the_action_of_its_day_stays_apart(db, classifier):
    stored(db, classifier, fr("2026-99001"))
    [doc_id] = stored(db, classifier, statement(
        "3", "2026-09-04", "經濟部舉辦中小企業數位轉型說明會",
        "說明會內容與出口管制無關，為測試撰寫的中性文字。"))
    assert alone(db, doc_id)


def test_taiwan_s_own_entity_list_is_not_the_us_entity_list(db, classifier):
    stored(db, classifier, fr("2026-99001"))
    [zh, en] = stored(db, classifier, statement(
        "4", "2026-09-04", "貿易署公告修正SHTC實體清單",
        "貿易署修正戰略性高科技貨品實體清單，出口至名單所列實體須申請許可。",
        source="tw_trade_administration"), statement(
        "5", "2026-09-04", "Trade Administration amends the SHTC entity list",
        "Exports of strategic high-tech commodities to the entities on the SHTC entity list "
        "require an export permit.", source="tw_trade_administration", lang="en"))
    assert alone(db, zh) and alone(db, en)


def test_only_a_taiwan_government_statement_reacts(db, classifier):
    stored(db, classifier, fr("2026-99001"))
    tsmc, trendforce = (written(f"{source}:r1", source, "Comment on the Entity List rule",
                                "The Entity List rule of FR Doc. 2026-99001 was noted.",
                                "2026-09-04") for source in ("tsmc", "trendforce"))
    stored(db, classifier, tsmc, trendforce)
    reasons = {placement(db, d)["reason"] for d in (tsmc["id"], trendforce["id"])}
    assert "reaction" not in reasons  # a company or an analyst is not Taiwan's government
    assert placement(db, tsmc["id"])["role"] != "reaction"


# -- the date window: from 1 day before the action to 7 days after ----------------------------

@pytest.mark.parametrize("offset, joins", [(-2, False), (-1, True), (0, True), (7, True),
                                           (8, False)])
def test_the_date_window_edges(db, classifier, offset, joins):
    stored(db, classifier, fr("2026-99001"))
    day = date(2026, 9, 3) + timedelta(days=offset)
    [doc_id] = stored(db, classifier, statement("6", day, *NAMING))
    assert (event_of(db, doc_id) == event_of(db, ENTITY_RULE)) is joins
    if joins:
        when = "the same day" if offset == 0 else \
            f"{abs(offset)} day{'s' if abs(offset) != 1 else ''} " + \
            ("after" if offset > 0 else "before")
        assert f"2026-99001, {when};" in placement(db, doc_id)["evidence"]


# -- ties: a statement that fits two actions equally links to neither -------------------------

VAGUE = ("貿易署提醒業者注意美國實體清單修正",
         "美國商務部近日修正實體清單，貿易署提醒出口業者留意交易對象。")


def test_a_statement_fitting_two_actions_equally_links_to_neither(db, classifier):
    stored(db, classifier, fr("2026-17231"), fr("2026-17230"))  # two rules of 2026-08-24
    [doc_id] = stored(db, classifier, statement("7", "2026-08-25", *VAGUE,
                                                source="tw_trade_administration"))
    assert alone(db, doc_id)
    assert event_of(db, REVISIONS) != event_of(db, REMOVAL)
    rows = list(db.query("select * from event_links where reason = 'reaction'"))
    assert rows == []


def test_naming_one_of_the_two_actions_breaks_the_tie(db, classifier):
    stored(db, classifier, fr("2026-17231"), fr("2026-17230"))
    [doc_id] = stored(db, classifier, statement(
        "8", "2026-08-25", "經濟部說明美國商務部自實體清單移除實體",
        "美國商務部產業安全局公告（FR Doc. 2026-17230），將實體自實體清單移除。"))
    assert event_of(db, doc_id) == event_of(db, REMOVAL) != event_of(db, REVISIONS)


def test_two_documents_of_one_action_are_not_a_tie(db, classifier):
    """The same proclamation on the White House site and in the Federal Register (joined by
    their title) is one action: the statement joins both."""
    action = proclamation()
    posted = written("white_house:wh-1", "white_house", action["title"],
                     "A proclamation under section 232 of the Trade Expansion Act of 1962, "
                     "written for the tests.", "2026-08-01", doc_type="Proclamations")
    stored(db, classifier, action, posted)
    assert event_of(db, posted["id"]) == event_of(db, PROCLAMATION)
    [doc_id] = stored(db, classifier, statement(
        "9", "2026-08-06", "經濟部回應美國232條款總統公告", "經濟部表示將評估232條款措施的影響。"))
    assert event_of(db, doc_id) == event_of(db, PROCLAMATION)
    links = {(r["doc_a"], r["doc_b"]) for r in
             db.query("select doc_a, doc_b from event_links where reason = 'reaction'")}
    assert links == {tuple(sorted((doc_id, PROCLAMATION))),
                     tuple(sorted((doc_id, posted["id"])))}


def test_a_rival_action_arriving_later_takes_the_statement_out_and_order_does_not_matter(
        db, classifier):
    stored(db, classifier, fr("2026-17231"))
    [doc_id] = stored(db, classifier, statement("10", "2026-08-25", *VAGUE,
                                                source="tw_trade_administration"))
    assert event_of(db, doc_id) == event_of(db, REVISIONS)  # the only Entity List action
    stored(db, classifier, fr("2026-17230"))  # the next crawl brings the other rule
    assert alone(db, doc_id)
    before = {d: event_of(db, d) for d in (doc_id, REVISIONS, REMOVAL)}
    relink_all(db)
    assert {d: event_of(db, d) for d in before} == before


# -- editions, corrections, facts -------------------------------------------------------------

def test_the_english_edition_of_a_reaction_is_shown_as_a_reaction_too(db, classifier):
    stored(db, classifier, fr("2026-99001"))
    zh = statement("11", "2026-09-04", *NAMING, source="tw_trade_administration")
    en = statement("12", "2026-09-04", "Trade Administration on the US Entity List additions",
                   "The Trade Administration reminded exporters of the Entity List rule "
                   "(FR Doc. 2026-99001).", source="tw_trade_administration", lang="en")
    zh["group_key"] = en["group_key"] = "tw_trade_administration:story-1"
    stored(db, classifier, zh, en)
    assert event_of(db, zh["id"]) == event_of(db, en["id"]) == event_of(db, ENTITY_RULE)
    assert {placement(db, d)["role"] for d in (zh["id"], en["id"])} == {"reaction"}


def test_an_analyst_split_of_a_reaction_survives_relinking(tmp_path, classifier):
    db = open_db(tmp_path / "chipwatch.db")
    try:
        stored(db, classifier, fr("2026-99001"))
        [doc_id] = stored(db, classifier, statement("13", "2026-09-04", *NAMING,
                                                    source="tw_trade_administration"))
        event_id = event_of(db, ENTITY_RULE)
        assert event_of(db, doc_id) == event_id
        corrections.split(db, event_id, [doc_id], who="analyst", why="a routine reminder")
        relink_all(db)
        assert alone(db, doc_id) and event_of(db, ENTITY_RULE) == event_id
        assert placement(db, doc_id)["reason"] == "analyst_split"
    finally:
        db.close()


def test_changed_facts_send_a_document_back_to_the_linker(db, classifier):
    [doc_id] = stored(db, classifier, statement("14", "2026-09-04", *NAMING))
    assert doc_id not in event_store.unlinked_ids(db, "events-2")
    fact_store.set_facts(db, doc_id, [], {"actors": []}, "test")  # instruments lost
    assert doc_id in event_store.unlinked_ids(db, "events-2")


# -- in the digest ----------------------------------------------------------------------------

def test_the_digest_shows_the_reaction_under_its_event_as_taiwan_s_response(
        db, classifier, tmp_path):
    stored(db, classifier, fr("2026-99001"))
    [doc_id] = stored(db, classifier, statement("15", "2026-09-04", *NAMING,
                                                source="tw_trade_administration"))
    tag(db, ENTITY_RULE, "export_control")
    digest = digest_of(config(tmp_path), db)
    [entry] = [e for e in digest.entries if e.event_id == event_of(db, doc_id)]
    assert entry.compact == ("Federal Register 2026-99001 · Taiwan's response: "
                             "Trade Administration 中文")
    text = render_text(digest)
    assert "  - Taiwan's response: Trade Administration 中文: https://example.org/" in text


def test_a_reaction_to_an_event_already_sent_is_an_update_saying_so(db, classifier, tmp_path):
    cfg = config(tmp_path)
    stored(db, classifier, fr("2026-99001"))
    tag(db, ENTITY_RULE, "export_control")
    first = deliver_due(cfg, db, NOW)
    assert [m.events for m in first.made] == [1]
    [doc_id] = stored(db, classifier, statement("16", "2026-09-04", *NAMING,
                                                source="tw_trade_administration"))
    [made] = deliver_due(cfg, db, NOW + timedelta(hours=1)).made
    [entry] = made.digest.entries
    assert entry.update and [i.document_id for i in entry.items] == [doc_id]
    assert entry.news == ["Trade Administration: Taiwan's response"]
    assert "New: Trade Administration: Taiwan's response" in made.payload["text"]
    assert "Sent before: Federal Register 2026-99001" in made.payload["text"]
    assert "Taiwan&#39;s response: Trade Administration 中文" in made.payload["html"]


# -- the registry -------------------------------------------------------------------------------

def test_the_registry_says_which_government_each_source_speaks_for():
    speaking = {name: entry.government for name, entry in sources().items()
                if entry.government}
    assert {name for name, g in speaking.items() if g == "TW"} == {
        "tw_president", "tw_executive_yuan", "tw_moea", "tw_trade_negotiations",
        "tw_investment_review", "tw_trade_administration"}
    assert {name for name, g in speaking.items() if g == "US"} == {
        "federal_register", "commerce", "bis", "ustr", "white_house"}
    assert "tsmc" not in speaking and "trendforce" not in speaking
    table = {"title": "x", "spider": "a:B", "languages": ["en"], "timezone": "UTC",
             "sites": {"base_url": "https://example.org"}, "editions": "", "every": "6h",
             "stale_after_days": 7, "max_pages": 1, "first_run_days": 30,
             "government": "CN"}
    with pytest.raises(ConfigError, match=r"\[odd\]: government must be one of"):
        _source("odd", table)
