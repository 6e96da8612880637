"""Changes shown: a document a channel has shown that changes afterwards (a release edited,
re-tagged after a rules correction) comes back in the channel's next digest, once, with a
short diff; every revision is kept whole in the store (store/revisions.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from alerts.service import deliver_due
from alerts.slack import render_slack
from store.documents import upsert_documents
from store.revisions import compare, revisions
from store.tags import set_tags
from tests.alerting import VERSION, add_document
from tracker.config import parse

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DOC = "bis:entity-list-rule"
TEXT = ("Commerce adds 12 entities to the Entity List. The rule takes effect at once.\n\n"
        "Exports of advanced chips to them need a licence.")


def release(text: str = TEXT, title: str = "Commerce adds entities to the Entity List") -> dict:
    return {"id": DOC, "source": "bis", "external_id": "entity-list-rule", "lang": "en",
            "url": "https://www.bis.gov/press-release/entity-list-rule", "title": title,
            "text": text, "published": "2026-03-01", "metadata": {}}


EXPORT = [{"category": "export_control", "score": 8.0,
           "evidence": [{"sentence": "Adds 12 entities to the Entity List.",
                         "match": "Entity List"}]}]


def config(tmp_path: Path, **table):
    return parse({"alerts": {"file": {"directory": str(tmp_path / "out"), "daily_at": "",
                                      "deadline_days": 0, **table}}},
                 tmp_path / "config.toml")


def text_of(report) -> str:
    made = [m for m in report.made if m.status == "pending"]
    return made[0].payload["text"] if made else ""


def test_a_retag_is_a_revision_and_a_first_classification_is_not(db):
    upsert_documents(db, [release()])
    set_tags(db, DOC, EXPORT, VERSION)
    assert [r["revision"] for r in revisions(db, DOC)] == [1]
    set_tags(db, DOC, EXPORT, VERSION)  # the same categories again: no change
    assert len(revisions(db, DOC)) == 1
    set_tags(db, DOC, [{"category": "tariff", "score": 5.0, "evidence": []}], VERSION)
    old, now = revisions(db, DOC)
    assert (old["change"], old["categories"], old["text"]) == ("tags", ["export_control"], TEXT)
    assert now["current"] and now["categories"] == ["tariff"]
    assert now["diff"]["fields"] == ["categories"]
    assert now["diff"]["categories"] == {"added": ["tariff"], "removed": ["export_control"]}


def test_compare_shows_the_sentence_that_changed():
    before = {"title": "T", "summary": "", "text": TEXT, "published": "2026-03-01",
              "metadata": {}, "categories": []}
    after = {**before, "text": TEXT.replace("12 entities", "14 entities")}
    diff = compare(before, after, context=0)
    assert diff["fields"] == ["text"]
    assert diff["text"] == ["-Commerce adds 12 entities to the Entity List.",
                            "+Commerce adds 14 entities to the Entity List."]


def test_two_places_that_changed_are_parted_by_a_marker():
    state = {"title": "T", "summary": "", "published": "", "metadata": {}, "categories": None,
             "text": "One. Two. Three. Four. Five. Six."}
    after = {**state, "text": "One. 2. Three. Four. Five. 6."}
    assert compare(state, after, context=0)["text"] == ["-Two.", "+2.", "@@", "-Six.", "+6."]
    assert compare(state, after, context=0)["categories"] == {"added": [], "removed": []}


def test_the_next_digest_says_what_changed_once(db, tmp_path):
    cfg = config(tmp_path)
    upsert_documents(db, [release()])
    set_tags(db, DOC, EXPORT, VERSION)
    first = text_of(deliver_due(cfg, db, NOW))
    assert "Commerce adds entities to the Entity List" in first
    assert "Changed since sent" not in first

    edited = TEXT.replace("12 entities", "14 entities")
    upsert_documents(db, [release(edited, title="Commerce adds 14 entities to the Entity "
                                               "List")], now="2026-03-02T10:00:00+00:00")
    second = text_of(deliver_due(cfg, db, NOW + timedelta(hours=2)))
    section = second[second.index("Changed since sent (1)"):]
    assert "* Commerce adds 14 entities to the Entity List" in section
    assert "was: Commerce adds entities to the Entity List" in section
    assert "BIS | title changed; text edited | revision 2 (sent as 1)" in section
    assert "-Commerce adds 12 entities to the Entity List." in section
    assert "+Commerce adds 14 entities to the Entity List." in section
    assert "1 changed document." in second  # the summary line
    assert "By source" not in second  # no new documents to count

    # Said once: the next digest has nothing to say.
    assert text_of(deliver_due(cfg, db, NOW + timedelta(hours=3))) == ""

    set_tags(db, DOC, [{"category": "tariff", "score": 5.0, "evidence": []}], VERSION,
             now="2026-03-02T13:00:00+00:00")
    third = text_of(deliver_due(cfg, db, NOW + timedelta(hours=5)))
    assert "tariffs tag added; export controls tag removed | revision 3 (sent as 2)" in \
        " ".join(third.split())
    assert text_of(deliver_due(cfg, db, NOW + timedelta(hours=6))) == ""


def test_the_change_is_in_the_html_and_only_for_the_channels_sources(db, tmp_path):
    cfg = parse({"alerts": {
        "bis-desk": {"kind": "file", "directory": str(tmp_path / "a"), "daily_at": "",
                     "sources": ["bis"]},
        "fr-desk": {"kind": "file", "directory": str(tmp_path / "b"), "daily_at": "",
                    "sources": ["federal_register"]}}}, tmp_path / "config.toml")
    add_document(db, "federal_register:2026-01234", source="federal_register",
                 title="Additions to the Entity List",
                 tags=[("export_control", 8.0, "Adds entities.", "entities")])
    upsert_documents(db, [release()])
    set_tags(db, DOC, EXPORT, VERSION)
    deliver_due(cfg, db, NOW)
    upsert_documents(db, [release(TEXT + "\n\nA new closing paragraph.")],
                     now="2026-03-02T10:00:00+00:00")
    made = {m.channel: m for m in deliver_due(cfg, db, NOW + timedelta(hours=1)).made}
    assert made["fr-desk"].status == "empty"
    html = made["bis-desk"].payload["html"]
    assert "Changed since sent" in html and "+A new closing paragraph." in html
    texts = [b["text"]["text"] for m in render_slack(made["bis-desk"].digest)
             for b in m["blocks"] if b["type"] == "section"]
    assert "*Changed since sent* (1)" in texts
    assert texts[-1].endswith("BIS · text edited\n``` Exports of advanced chips to them need "
                              "a licence.\n+A new closing paragraph.```")


def test_a_store_from_before_keeps_its_revisions_and_reports_no_old_change(tmp_path):
    from sqlite_utils import Database

    from store import open_db
    from store.revisions import changed_since_shown
    from store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m012_revisions_and_channel_marks")
    upsert_documents(old, [release()], now="2026-03-01T10:00:00+00:00")
    set_tags(old, DOC, EXPORT, VERSION, now="2026-03-01T10:00:00+00:00")
    old["digest_marks"].insert({"channel": "email", "document_id": DOC,
                                "digest_id": "email:daily:2026-03-01",
                                "marked_at": "2026-03-01T12:00:00+00:00"})
    old.execute("insert into document_revisions (document_id, revision, recorded_at, "
                "content_hash, title, text, published, metadata) values (?, 1, ?, 'x', ?, ?, "
                "?, '{}')", [DOC, "2026-03-01T11:00:00+00:00", "Old title", "Old text.",
                             "2026-03-01"])
    old.execute("update documents set revision = 2 where id = ?", [DOC])
    old.conn.commit()
    old.close()

    db = open_db(path)  # migrated on opening
    mark = next(db.query("select revision from digest_marks"))
    assert mark["revision"] == 2  # as shown: nothing to report for what came before
    assert changed_since_shown(db, "email", since="2026-01-01T00:00:00+00:00") == []
    first, now = revisions(db, DOC)
    assert (first["change"], first["categories"], first["text"]) == ("content", None,
                                                                      "Old text.")
    assert now["diff"]["fields"] == ["title", "text"]  # categories unknown before: not shown
    db.close()


def test_a_reclassification_of_many_is_one_digest_not_many(db, tmp_path):
    from alerts.changes import MAX_CHANGES

    cfg = config(tmp_path)
    ids = [f"bis:rule-{i}" for i in range(MAX_CHANGES + 5)]
    for doc_id in ids:
        add_document(db, doc_id, title=f"Rule {doc_id}", tags=[
            ("export_control", 8.0, "Adds entities to the Entity List.", "Entity List")])
    assert "Rule bis:rule-0" in text_of(deliver_due(cfg, db, NOW))
    for doc_id in ids:  # a rules correction moves them all to tariffs
        set_tags(db, doc_id, [{"category": "tariff", "score": 5.0, "evidence": []}], VERSION,
                 now="2026-03-02T10:00:00+00:00")
    text = text_of(deliver_due(cfg, db, NOW + timedelta(hours=2)))
    assert f"Changed since sent ({MAX_CHANGES + 5})" in text
    assert text.count("tariffs tag added; export controls tag removed") == MAX_CHANGES
    assert "5 more changed documents are not listed here" in " ".join(text.split())
    assert text_of(deliver_due(cfg, db, NOW + timedelta(hours=3))) == ""  # all settled
