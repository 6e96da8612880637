"""`chipwatch classify` and `chipwatch reclassify` as a user runs them, on real files."""

from __future__ import annotations

import json
import textwrap

import pytest

from store import open_db
from store import tags as tag_store
from store.documents import upsert_documents
from tests.conftest import chipwatch
from tracker.classify import Classifier, load_rules
from tracker.classify.apply import tag_documents


def test_classify_adds_labels_scores_and_evidence_in_order(tmp_path):
    lines = [
        {"id": 1, "title": "Additions to the Entity List",
         "text": "BIS amends the Export Administration Regulations."},
        {"id": 2, "title": "Weekly staff newsletter", "text": "The cafeteria reopens.",
         "lang": "en"},
        {"id": 3, "title": "美國宣布對進口半導體課徵關稅", "text": "", "lang": "zh-Hant"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    done = chipwatch("classify", str(path))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3]
    assert out[0]["labels"] == ["export_control"]
    assert out[0]["evidence"]["export_control"] == [
        "BIS amends the Export Administration Regulations."]  # the body, not the title again
    assert set(out[0]["scores"]) == {"investment_pressure", "export_control", "alliance",
                                     "tariff"}
    assert out[0]["relevance"] == {"export_control": "wider"}  # no chip, no Taiwan named
    assert out[1]["labels"] == [] and out[1]["evidence"] == {} and out[1]["lang"] == "en"
    assert out[1]["relevance"] == {}
    assert out[2]["labels"] == ["tariff"]
    assert out[2]["evidence"]["tariff"] == ["美國宣布對進口半導體課徵關稅"]  # no body: the title
    assert out[2]["relevance"] == {"tariff": "core"}


def test_classify_gives_instruments_amounts_rates_deadlines_and_actors(tmp_path):
    lines = [
        {"title": "台積公司宣布有意增加在美投資金額至1650億美元",
         "text": "台積公司今日宣布有意在美國增加投資一千億美元。"},
        {"title": "President Trump Announces New 25% Section 232 Tariff on Semiconductors",
         "text": "Effective January 15, 2026, the United States is levying a 25% tariff on "
                 "a narrow category of semiconductors. Comments must be received by "
                 "February 17, 2026.", "published": "2026-01-14"},
        {"title": "Weekly staff newsletter", "text": "The cafeteria reopens in 2026."},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    done = chipwatch("classify", str(path))
    assert done.returncode == 0, done.stderr
    tsmc, tariff, nothing = (json.loads(line) for line in done.stdout.splitlines())
    assert tsmc["instruments"] == ["us_fab_pledges"]
    assert tsmc["amounts"] == [
        {"value": 165000000000, "currency": "USD", "text": "1650億美元"},
        {"value": 100000000000, "currency": "USD", "text": "一千億美元"}]
    assert tsmc["actors"] == ["TSMC"]
    assert tariff["instruments"] == ["section_232"]
    assert tariff["rates"] == [{"percent": 25, "text": "25%"}]
    assert tariff["deadlines"] == [
        {"kind": "effective", "date": "2026-01-15", "text": "Effective January 15, 2026"},
        {"kind": "comments_close", "date": "2026-02-17",
         "text": "Comments must be received by February 17, 2026"}]
    assert tariff["actors"] == []
    for key in ("instruments", "amounts", "rates", "deadlines", "actors"):
        assert nothing[key] == [], key


def test_classify_reports_bad_lines_by_number_and_goes_on():
    given = "\n".join([
        json.dumps({"title": "Extending the Modification of the Reciprocal Tariff Rates"}),
        "{not json",
        json.dumps(["a", "list"]),
        "",
        json.dumps({"title": 7, "text": "x"}),
        json.dumps({"title": "", "text": ""}),
        json.dumps({"title": "Request for Comments on the Indo-Pacific Economic Framework"}),
    ]) + "\n"
    done = chipwatch("classify", input=given)
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["labels"] for o in out] == [["tariff"], ["alliance"]]
    errors = done.stderr
    assert "<stdin>:2: not valid JSON" in errors
    assert "<stdin>:3: expected a JSON object" in errors
    assert "<stdin>:5: 'title' must be a string" in errors
    assert "<stdin>:6: has neither 'title' nor 'text'" in errors
    assert ":4:" not in errors  # a blank line is not an error
    assert "4 lines of <stdin> could not be classified" in errors


def test_classify_missing_file_and_broken_rules(tmp_path):
    done = chipwatch("classify", str(tmp_path / "absent.jsonl"))
    assert done.returncode == 2 and "absent.jsonl: cannot be read" in done.stderr
    rules = tmp_path / "rules.toml"
    rules.write_text("[categories.tariff]\n[[categories.tariff.rules]]\nname = \"x\"\n"
                     "terms = [\"re:(\"]\nweight = 1\n")
    done = chipwatch("classify", "--rules", str(rules), input="{}\n")
    assert done.returncode == 2
    assert f"{rules}: [categories.tariff] rule 'x'" in done.stderr
    assert "Traceback" not in done.stderr


def test_classify_and_reclassify_have_help():
    for command in ("classify", "reclassify"):
        done = chipwatch(command, "--help")
        assert done.returncode == 0 and "usage: chipwatch " + command in done.stdout


def _docs():
    base = {"source": "federal_register", "lang": "en", "metadata": {}}
    return [
        {**base, "id": "federal_register:2026-00001", "external_id": "2026-00001",
         "url": "https://www.federalregister.gov/d/2026-00001",
         "title": "Additions to the Entity List",
         "text": "In this rule, BIS amends the Export Administration Regulations (EAR)."},
        {**base, "id": "federal_register:2026-00002", "external_id": "2026-00002",
         "url": "https://www.federalregister.gov/d/2026-00002",
         "title": "Notice of Request for Public Comments on Section 232 National Security "
                  "Investigation of Imports of Semiconductors", "text": ""},
        {**base, "id": "federal_register:2026-00003", "external_id": "2026-00003",
         "url": "https://www.federalregister.gov/d/2026-00003",
         "title": "Chippewa National Forest; Notice of Meeting", "text": ""},
    ]


def test_tag_documents_stores_tags_with_evidence_and_version(db):
    upsert_documents(db, _docs())
    classifier = Classifier(load_rules())
    ids = [d["id"] for d in _docs()]
    report = tag_documents(db, classifier, ids)
    assert (report.documents, report.changed, report.added, report.removed) == (3, 2, 2, 0)
    tags = tag_store.tags_for(db, ids)
    assert [t["category"] for t in tags[ids[0]]] == ["export_control"]
    assert tags[ids[0]][0]["evidence"] == [{
        "sentence": "In this rule, BIS amends the Export Administration Regulations (EAR).",
        "match": "Export Administration Regulations"}]
    assert tags[ids[0]][0]["relevance"] == "wider"
    assert tags[ids[0]][0]["relevance_evidence"] == []
    assert tags[ids[1]][0]["relevance"] == "core"  # a Section 232 investigation of chips
    assert tags[ids[1]][0]["relevance_evidence"][0]["match"] == "Semiconductors"
    assert tags[ids[0]][0]["classifier_version"] == classifier.version
    assert tags[ids[2]] == []
    assert tag_store.unclassified_ids(db, classifier.version) == []


def test_reclassify_on_a_real_file_after_the_rules_change(tmp_path):
    db_path = tmp_path / "chipwatch.db"
    db = open_db(db_path)
    upsert_documents(db, _docs())
    db.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{db_path}"\n', encoding="utf-8")

    first = chipwatch("reclassify", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert "3 documents tagged; 2 changed category (2 tags added, 0 removed)" in first.stdout
    assert "3/3 documents" in first.stderr

    again = chipwatch("reclassify", "--config", str(config))
    assert again.returncode == 0 and "nothing to do" in again.stdout

    # An analyst's rules that only know tariffs: the export-control tag goes away.
    rules = tmp_path / "my-rules.toml"
    rules.write_text(textwrap.dedent("""
        [categories.tariff]
        [[categories.tariff.rules]]
        name = "section 232"
        terms = ["Section 232"]
        weight = 3
    """), encoding="utf-8")
    config.write_text(f'[store]\npath = "{db_path}"\n\n[classifier]\nrules = "my-rules.toml"\n',
                      encoding="utf-8")
    changed = chipwatch("reclassify", "--config", str(config))
    assert changed.returncode == 0, changed.stderr
    assert "3 documents tagged; 1 changed category (0 tags added, 1 removed)" in changed.stdout

    db = open_db(db_path)
    rows = {r["id"]: r for r in db.query("select id, categories, classifier_version "
                                         "from documents")}
    db.close()
    assert json.loads(rows["federal_register:2026-00001"]["categories"]) == []
    assert json.loads(rows["federal_register:2026-00002"]["categories"]) == ["tariff"]
    assert len({r["classifier_version"] for r in rows.values()}) == 1


def test_a_store_from_before_relevance_is_upgraded_and_reclassified(tmp_path):
    import sqlite3

    from sqlite_utils import Database

    from store.schema import migrations

    db_path = tmp_path / "chipwatch.db"
    old = Database(sqlite3.connect(str(db_path)))
    migrations.apply(old, stop_before="m008_tag_relevance")
    upsert_documents(old, _docs())
    old["document_tags"].insert({
        "document_id": "federal_register:2026-00002", "category": "tariff", "score": 6.0,
        "evidence": "[]", "classifier_version": "1+old", "tagged_at": "2026-01-01T00:00:00Z"})
    old["documents"].update("federal_register:2026-00002",
                            {"categories": '["tariff"]', "classifier_version": "1+old"})
    old.close()

    db = open_db(db_path)  # migrates: the old tag keeps its place, its relevance unknown
    (row,) = db.query("select relevance, relevance_evidence from document_tags")
    assert row == {"relevance": None, "relevance_evidence": None}
    assert tag_store.tags_for(db, ["federal_register:2026-00002"])[
        "federal_register:2026-00002"][0]["relevance_evidence"] == []
    db.close()

    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{db_path}"\n', encoding="utf-8")
    done = chipwatch("reclassify", "--config", str(config))
    assert done.returncode == 0, done.stderr
    db = open_db(db_path)
    rows = {(r["document_id"], r["category"]): r["relevance"]
            for r in db.query("select * from document_tags")}
    db.close()
    assert rows == {("federal_register:2026-00001", "export_control"): "wider",
                    ("federal_register:2026-00002", "tariff"): "core"}


def test_reclassify_with_a_broken_rules_file_changes_nothing(tmp_path):
    db_path = tmp_path / "chipwatch.db"
    open_db(db_path).close()
    (tmp_path / "bad.toml").write_text("[categories.tariff]\nthreshold = \"high\"\n")
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{db_path}"\n\n[classifier]\nrules = "bad.toml"\n')
    done = chipwatch("reclassify", "--config", str(config))
    assert done.returncode == 2
    assert "bad.toml: invalid rules file" in done.stderr
    assert "[categories.tariff] threshold" in done.stderr


@pytest.mark.parametrize("path", ["bench/eval_us_gov.jsonl"])
def test_committed_eval_set_is_us_government_only(path):
    from tests.conftest import ROOT
    rows = [json.loads(line) for line in (ROOT / path).read_text(encoding="utf-8").splitlines()]
    assert rows and {r["source"] for r in rows} <= {"federal_register", "commerce", "bis",
                                                    "whitehouse", "ustr"}


def test_a_broken_rules_file_stops_a_cycle_before_it_crawls(tmp_path, db):
    from tracker.config import ConfigError, parse
    from tracker.cycle import crawl_source

    (tmp_path / "bad.toml").write_text("[categories.tariff]\nweight = 1\n")
    config = parse({"classifier": {"rules": "bad.toml"},
                    "sources": {"federal_register": {"base_url": "http://127.0.0.1:9"}}},
                   origin=tmp_path / "config.toml")
    with pytest.raises(ConfigError, match="bad.toml: invalid rules file"):
        crawl_source(config, db, "federal_register")
    assert db["crawl_runs"].count == 0


LEAD = ("The Bureau of Industry and Security added 12 entities to the Entity List for "
        "supplying advanced chips to China. ")


def _long_line_file(path, megabytes: float) -> None:
    filler = "The committee met again and discussed the agenda at length. " * 1000
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"title": "Ordinary"}) + "\n")
        out.write('{"title": "Huge", "text": "' + LEAD)
        for _ in range(int(megabytes * 1024 * 1024 / len(filler)) + 1):
            out.write(filler)
        out.write('"}\n')
        out.write(json.dumps({"title": "Entity List additions", "text": LEAD}) + "\n")


def test_a_line_longer_than_the_limit_is_reported_and_skipped(tmp_path):
    """The long line is read through in chunks, never held whole (bench/classify_memory.py
    measures the memory); the lines around it are classified."""
    path = tmp_path / "in.jsonl"
    _long_line_file(path, 11)
    done = chipwatch("classify", str(path))
    assert done.returncode == 2
    assert f"{path}:2: longer than 10 MB (--max-line-mb); line skipped" in done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["title"] for o in out] == ["Ordinary", "Entity List additions"]
    assert "export_control" in out[1]["labels"]
    # with a higher limit the same line is classified, from its first million characters
    more = chipwatch("classify", "--max-line-mb", "12", str(path))
    assert more.returncode == 0, more.stderr
    huge = json.loads(more.stdout.splitlines()[1])
    assert huge["title"] == "Huge" and "export_control" in huge["labels"]
    bad = chipwatch("classify", "--max-line-mb", "0", str(path))
    assert bad.returncode == 2 and "give a number of megabytes above 0" in bad.stderr


def test_classify_reads_only_the_classifier_section(tmp_path):
    """`chipwatch classify` reads [classifier] alone (no pydantic on its path): a rules file
    named relative to the configuration file is found, min_score applies, the rest of the
    file is not its business, and a [classifier] it cannot take gets the full validation's
    error."""
    from tracker.configfile import ClassifierSettings, classifier_settings

    rules = tmp_path / "rules" / "only-tariff.toml"
    rules.parent.mkdir()
    rules.write_text(textwrap.dedent("""
        [categories.tariff]
        [[categories.tariff.rules]]
        name = "tariff"
        terms = ["tariff"]
        weight = 3
    """), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[classifier]\nrules = "rules/only-tariff.toml"\nmin_score = 2.5\n\n'
                      '[alerts.channels.nowhere]\nkind = "carrier-pigeon"\n', encoding="utf-8")
    assert classifier_settings(config) == ClassifierSettings(rules.resolve(), 2.5, 3)
    line = json.dumps({"title": "New tariff on chips", "text": "Export controls too."})
    done = chipwatch("classify", "--config", str(config), input=line + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["labels"] == ["tariff"]  # the analyst's rules, not ours
    score = json.loads(done.stdout)["scores"]["tariff"]
    config.write_text(f'[classifier]\nrules = "rules/only-tariff.toml"\nmin_score = {score + 1}\n',
                      encoding="utf-8")
    above = chipwatch("classify", "--config", str(config), input=line + "\n")
    assert json.loads(above.stdout)["labels"] == []  # min_score is read too

    config.write_text('[classifier]\nmax_evidence = 0\n', encoding="utf-8")
    assert classifier_settings(config) is None
    done = chipwatch("classify", "--config", str(config), input=line + "\n")
    assert done.returncode == 2
    assert "[classifier] max_evidence" in done.stderr and "Traceback" not in done.stderr
    full = chipwatch("status", "--config", str(config))
    assert full.returncode == 2
    assert full.stderr.splitlines()[:2] == done.stderr.splitlines()[:2]  # the same message
