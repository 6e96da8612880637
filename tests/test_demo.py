"""`chipwatch demo`: the real command, a real replay on 127.0.0.1, Scrapy's real downloader,
a real SQLite file; then the cycle again, which must fetch no article page twice."""

from __future__ import annotations

import json
import re

import pytest

from store import open_db
from tests.conftest import ROOT, chipwatch
from vocab.sources import source_names, sources

pytestmark = pytest.mark.timeout(300)
FIRST_FIVE = ("federal_register", "commerce", "bis", "tsmc", "trendforce")

SOURCES = tuple(source_names())  # all thirteen, the disabled-by-default ones included
LANGUAGES = {("federal_register", "en"), ("commerce", "en"), ("bis", "en"), ("tsmc", "en"),
             ("tsmc", "zh-Hant"), ("tsmc", "zh-Hans"), ("trendforce", "en"),
             ("trendforce", "zh-Hans"), ("ustr", "en"), ("white_house", "en"),
             ("tw_trade_negotiations", "zh-Hant")} | {
    (source, lang) for source in ("tw_president", "tw_executive_yuan", "tw_moea",
                                  "tw_investment_review", "tw_trade_administration")
    for lang in ("zh-Hant", "en")}


def replay_line(stdout: str) -> re.Match:
    match = re.search(r"^Replay: (\d+) requests \((\d+) article pages, (\d+) listing pages, "
                      r"(\d+) feeds, (\d+) API searches, (\d+) full texts, (\d+) answered 304",
                      stdout, re.M)
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
    requests, articles, listings, feeds, api, texts, _ = map(int,
                                                             replay_line(first.stdout).groups())
    assert articles >= 40 and listings >= 7 and api >= 1
    assert feeds >= 11 and texts >= 3  # every feed of the enabled editions; FR full texts
    assert "listing page 1" in first.stderr  # progress while it runs

    db = open_db(db_path)
    try:
        rows = list(db.query("select source, lang, count(*) as n from documents "
                             "group by source, lang"))
        assert {(r["source"], r["lang"]) for r in rows} == LANGUAGES
        per_source = {}
        for row in rows:
            per_source[row["source"]] = per_source.get(row["source"], 0) + row["n"]
        assert all(per_source[s] >= (6 if s in FIRST_FIVE else 3) for s in SOURCES), per_source
        assert sum(per_source.values()) >= 120
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
    assert "TSMC · TSMC 中文 · TSMC 简体" in digest or "TSMC · TSMC 简体 · TSMC 中文" in digest
    assert "TrendForce · TrendForce 简体" in digest


def test_a_second_cycle_fetches_no_article_page_again(demo):
    db_path, first, again = demo
    assert again.returncode == 0, again.stderr[-3000:] + again.stdout[-3000:]
    for source in SOURCES:
        assert re.search(rf"^{source}: \d+ fetched, 0 new, 0 changed, 0 errors", again.stdout,
                         re.M), f"{source} found something new the second time"
    requests, articles, listings, feeds, api, texts, not_modified = map(
        int, replay_line(again.stdout).groups())
    assert articles == 0 and texts == 0
    # unchanged listings and feeds are revalidated, not downloaded
    assert not_modified >= listings + feeds
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


def test_full_text_decides_a_proclamation_and_keeps_an_entity_list_rule_s_entities(demo):
    db_path, _, _ = demo
    db = open_db(db_path)
    try:
        proclamation = db.execute(
            "select d.title, d.text, t.evidence from documents d join document_tags t on "
            "t.document_id = d.id where d.id = 'federal_register:2026-99002' and "
            "t.category = 'tariff'").fetchone()
        assert proclamation, "the proclamation without an abstract was not tagged tariff"
        title, text, evidence = proclamation
        assert "additional ad valorem duty of 25 percent" in text
        assert all(e["sentence"] != title for e in json.loads(evidence))
        rule = db.execute("select metadata from documents "
                          "where id = 'federal_register:2026-99001'").fetchone()
        added = json.loads(rule[0])["entity_list"]["added"]
        assert {"name": "Example Delta Components Inc.", "country": "TAIWAN"} in added
    finally:
        db.close()


def test_editions_of_one_story_share_a_group_in_the_demo(demo):
    db_path, _, _ = demo
    db = open_db(db_path)
    try:
        groups = {}
        for row in db.query("select source, lang, group_key from documents "
                            "where source like 'tw_%'"):
            groups.setdefault((row["source"], row["group_key"]), set()).add(row["lang"])
        linked = {source for (source, _), langs in groups.items() if langs == {"zh-Hant", "en"}}
        assert linked == {"tw_president", "tw_executive_yuan", "tw_moea",
                          "tw_investment_review", "tw_trade_administration"}
    finally:
        db.close()


def test_status_lists_every_source_with_its_health(demo):
    db_path, _, _ = demo
    result = chipwatch("status", "--config", str(db_path.parent / "demo.toml"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for source in SOURCES:
        row = next((line for line in lines if line.startswith(f"{source} ")), None)
        assert row, f"{source} missing from status"
        assert row.split()[1] in ("ok", "quiet"), row


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


def test_the_digest_has_no_story_twice(demo):
    """Each event of the replay (bench/event_gold.json: the Commerce and BIS copies of a
    release, a TSMC story's three editions, a rule and its correction, a release and the
    rules it announced) is one entry of the digest, and no document is listed twice."""
    db_path, first, _ = demo
    digest = first.stdout[first.stdout.index("chipwatch digest"):first.stdout.index("Stored:")]
    blocks = [block for block in re.split(r"\n(?=\* )", digest)[1:]]
    db = open_db(db_path)
    try:
        urls = {r["id"]: r["url"] for r in db.query("select id, url from documents")}
        events = db["events"].count
        roles = {r["role"] for r in db.query("select distinct role from event_documents")}
        reasons = {r["reason"] for r in db.query("select distinct reason from event_documents")}
    finally:
        db.close()
    assert {"announcement", "rule", "correction", "edition", "statement", "analysis",
            "reaction"} <= roles
    assert {"lead", "same_release", "describes_rule", "names_rule", "correction",
            "edition", "reaction"} <= reasons
    where = {doc_id: [i for i, block in enumerate(blocks) if url in block]
             for doc_id, url in urls.items()}
    assert all(len(found) == 1 for found in where.values()), \
        {d: f for d, f in where.items() if len(f) != 1}
    assert len(blocks) == events < len(urls)  # stdout lists every event once
    assert f"Stored: {len(urls)} documents in {events} events" in first.stdout
    gold = json.loads((ROOT / "bench" / "event_gold.json").read_text(encoding="utf-8"))
    replayed = [[ref for ref in e["documents"] if not ref.startswith("dev:")]
                for e in gold["events"]]
    replayed = [refs for refs in replayed if len(refs) >= 2]
    assert len(replayed) >= 15
    for refs in replayed:
        ids = [_stored(ref, urls) for ref in refs]
        assert len({where[doc_id][0] for doc_id in ids}) == 1, refs


def _stored(ref: str, urls: dict[str, str]) -> str:
    source, _, rest = ref.partition(":")
    if source in ("commerce", "bis", "white_house"):  # ids carry the replay's origin
        [doc_id] = [d for d in urls if d.startswith(source) and d.endswith(rest)]
        return doc_id
    if source == "tsmc":
        news_id, lang = rest.split(":")
        return f"tsmc:{news_id}" if lang == "en" else f"tsmc:{news_id}:{lang}"
    return ref
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


def test_the_demo_links_open_the_real_sites(demo):
    """The replay is gone once the demo ends: every link points where the replayed page
    stands on the real site (the registry's origins), after --again too."""
    db_path, first, again = demo
    assert again.returncode in (0, 1)
    origins = {origin.rstrip("/") for entry in sources().values()
               for origin in entry.sites.values()}
    db = open_db(db_path)
    try:
        urls = [r["url"] for r in db.query("select url from documents")]
    finally:
        db.close()
    assert urls and not [u for u in urls if "127.0.0.1" in u]
    strays = [u for u in urls if not any(u.startswith(o + "/") for o in origins)]
    assert not strays, strays[:5]
    assert "Links point at the sources' real sites" in first.stdout
