"""`chipwatch demo`: the real command, a real replay on 127.0.0.1, Scrapy's real downloader,
a real SQLite file; then the cycle again, which must fetch no article page twice."""

from __future__ import annotations

import json
import re

import pytest

from store import open_db
from tests.conftest import chipwatch

pytestmark = pytest.mark.timeout(240)

SOURCES = ("federal_register", "commerce", "bis", "tsmc", "trendforce")
LANGUAGES = {("federal_register", "en"), ("commerce", "en"), ("bis", "en"), ("tsmc", "en"),
             ("tsmc", "zh-Hant"), ("tsmc", "zh-Hans"), ("trendforce", "en"),
             ("trendforce", "zh-Hans")}


def replay_line(stdout: str) -> re.Match:
    match = re.search(r"^Replay: (\d+) requests \((\d+) article pages, (\d+) listing pages, "
                      r"(\d+) API searches, (\d+) answered 304", stdout, re.M)
    assert match, stdout[-2000:]
    return match


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo run and one --again run on the same database (module-scoped: the two runs
    take a few seconds each)."""
    db_path = tmp_path_factory.mktemp("demo") / "demo" / "chipwatch.db"
    first = chipwatch("demo", "--db", str(db_path), timeout=200)
    again = chipwatch("demo", "--again", "--db", str(db_path), timeout=200)
    return db_path, first, again


def test_demo_crawls_every_source_into_a_fresh_database(demo):
    db_path, first, _ = demo
    assert first.returncode == 0, first.stderr[-3000:] + first.stdout[-3000:]
    for source in SOURCES:
        assert re.search(rf"^{source}: \d+ fetched, [1-9]\d* new, 0 changed, 0 errors",
                         first.stdout, re.M), f"no line for {source}"
    assert "chipwatch digest" in first.stdout
    assert f"chipwatch browse --db {db_path}" in first.stdout
    requests, articles, listings, api, _ = map(int, replay_line(first.stdout).groups())
    assert articles >= 40 and listings >= 7 and api >= 1
    assert "listing page 1" in first.stderr  # progress while it runs

    db = open_db(db_path)
    try:
        rows = list(db.query("select source, lang, count(*) as n from documents "
                             "group by source, lang"))
        assert {(r["source"], r["lang"]) for r in rows} == LANGUAGES
        per_source = {}
        for row in rows:
            per_source[row["source"]] = per_source.get(row["source"], 0) + row["n"]
        assert all(per_source[s] >= 6 for s in SOURCES), per_source
        assert sum(per_source.values()) >= 60
        tagged = {r["lang"]: r["n"] for r in db.query(
            "select d.lang, count(distinct d.id) as n from documents d "
            "join document_tags t on t.document_id = d.id group by d.lang")}
        assert tagged.get("en", 0) >= 20 and tagged.get("zh-Hant") and tagged.get("zh-Hans")
        categories = {r["category"] for r in
                      db.query("select distinct category from document_tags")}
        assert categories == {"investment_pressure", "export_control", "alliance", "tariff"}
        untagged = db.execute(
            "select count(*) from documents where categories = '[]'").fetchone()[0]
        assert untagged >= 10
    finally:
        db.close()


def test_the_digest_lists_the_new_documents_by_category(demo):
    _, first, _ = demo
    digest = first.stdout[first.stdout.index("chipwatch digest"):]
    for heading in ("Investment pressure", "Export controls", "Alliances", "Tariffs",
                    "Other documents"):
        assert re.search(rf"^{heading} \(\d+\)$", digest, re.M), heading
    assert "TSMC newsroom | zh-Hant" in digest and "TrendForce | zh-Hans" in digest


def test_a_second_cycle_fetches_no_article_page_again(demo):
    db_path, first, again = demo
    assert again.returncode == 0, again.stderr[-3000:] + again.stdout[-3000:]
    for source in SOURCES:
        assert re.search(rf"^{source}: \d+ fetched, 0 new, 0 changed, 0 errors", again.stdout,
                         re.M), f"{source} found something new the second time"
    requests, articles, listings, api, not_modified = map(int, replay_line(again.stdout).groups())
    assert articles == 0
    assert not_modified >= listings  # unchanged listings are revalidated, not downloaded
    assert "Nothing new" in again.stdout

    db = open_db(db_path)
    try:
        runs = list(db.query("select source, documents_new, stats from crawl_runs order by id"))
    finally:
        db.close()
    assert len(runs) == 2 * len(SOURCES)
    second = runs[len(SOURCES):]
    assert all(run["documents_new"] == 0 for run in second)
    assert all(json.loads(run["stats"]).get("httpcache/revalidate", 0) >= 1
               for run in second if run["source"] != "federal_register")


def test_the_demo_never_overwrites_a_real_database(tmp_path):
    path = tmp_path / "chipwatch.db"
    db = open_db(path)
    db["notes"].insert({"text": "analyst's own data"})
    db.close()
    before = path.read_bytes()
    result = chipwatch("demo", "--db", str(path), timeout=60)
    assert result.returncode == 2
    assert "was not made by `chipwatch demo`" in result.stderr
    assert path.read_bytes() == before


def test_again_needs_an_earlier_demo(tmp_path):
    result = chipwatch("demo", "--again", "--db", str(tmp_path / "none.db"), timeout=60)
    assert result.returncode == 2
    assert "no demo database to run again" in result.stderr


def test_the_demo_digest_has_a_deadlines_section_fed_by_federal_register_fields(demo):
    db_path, first, _ = demo
    digest = first.stdout[first.stdout.index("chipwatch digest"):]
    # The replayed documents are from 2019 to 2026: nothing falls due after today.
    assert "Deadlines in the next 14 days\n-----------------------------\nNone among" in digest
    # As on 1 January 2024, the `dates` field of two real Federal Register notices gives two.
    dated = chipwatch("demo", "--again", "--as-of", "2024-01-01", "--db", str(db_path),
                      timeout=200)
    assert dated.returncode == 0, dated.stderr[-3000:] + dated.stdout[-3000:]
    section = dated.stdout[dated.stdout.index("Deadlines in the next 14 days"):]
    assert "2024-01-01 (today): takes effect: Publication of 2024 Tariff Rate Quota" in section
    assert "2024-01-08 (in 7 days): takes effect: Stainless Steel Sheet and Strip" in section
    db = open_db(db_path)
    try:
        origins = {r["origin"] for r in db.query(
            "select origin from document_deadlines where date like '2024-01-%'")}
        actors = {r["actor"] for r in db.query("select actor from document_actors")}
    finally:
        db.close()
    assert origins == {"metadata"}  # the Federal Register's own fields
    assert {"TSMC", "BIS", "Department of Commerce"} <= actors
