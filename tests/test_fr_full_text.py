"""Federal Register full text: presidential documents and rules amending 15 CFR 730-774 are
read in full and classified on it; an Entity List rule's entities are kept as data. On
reconstructions of the Federal Register's text and HTML renderings (see the fixtures'
README), parsed alone, then through the real cycle against a loopback server."""

from __future__ import annotations

import json

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.fr_text import entity_list_changes, full_text, reflow
from crawler.spiders.federal_register import (
    FederalRegisterSpider,
    full_text_url,
    search_query,
)
from store import documents as doc_store
from store import open_db
from store import runs as run_store
from store.tags import tags_for
from tests.conftest import FIXTURES, write_config
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import crawl_source

FR = FIXTURES / "federal_register"
RESULTS = json.loads((FR / "fulltext_results_reconstructed.json").read_text(encoding="utf-8"))
BY_NUMBER = {r["document_number"]: r for r in RESULTS}
TEXT_PATH = "/documents/full_text/text/2026/09/03/2026-99001.txt"
PROCLAMATION_PATH = "/documents/full_text/text/2026/08/05/2026-99002.txt"
HTML_PATH = "/documents/full_text/html/2026/09/10/2026-99003.html"


def entity_rule_text() -> str:
    return full_text((FR / "fulltext_2026-99001.txt").read_bytes(), "text/plain")


# -- the text and the entities -------------------------------------------------------------


def test_raw_text_loses_its_header_page_marks_and_billing_lines_and_keeps_paragraphs():
    text = entity_rule_text()
    assert text.startswith("DEPARTMENT OF COMMERCE\n\nBureau of Industry and Security")
    for furniture in ("[Federal Register Volume", "From the Federal Register Online",
                      "[[Page", "[FR Doc", "BILLING CODE", "-----"):
        assert furniture not in text
    summary = next(p for p in text.split("\n\n") if p.startswith("SUMMARY:"))
    assert "\n" not in summary and "amends the Export Administration Regulations (EAR) by " \
        "adding three entities" in summary  # wrapped lines joined with one space
    assert "\n0\n" not in text


def test_entity_list_instructions_give_names_and_countries_by_change():
    assert entity_list_changes(entity_rule_text()) == {
        "added": [
            {"name": "Example Alpha Microelectronics Co., Ltd.",
             "country": "CHINA, PEOPLE'S REPUBLIC OF"},
            {"name": "Example Beta Semiconductor Equipment Co., Ltd.",
             "country": "CHINA, PEOPLE'S REPUBLIC OF"},
            {"name": "Example Delta Components Inc.", "country": "TAIWAN"},
        ],
        "revised": [{"name": "Example Epsilon Instruments LLC", "country": "RUSSIA"}],
        "removed": [{"name": "Example Gamma Trading Pte. Ltd.", "country": "SINGAPORE"}],
    }


def test_entity_list_instructions_in_the_html_rendering_and_other_phrasings():
    html = ("<p>2. Supplement No. 4 to part 744 is amended by removing under RUSSIA the "
            "entries for “Example One LLC” and “Example Two, Inc.”; and under the destination "
            "of Hong Kong, by adding in alphabetical order an entry for “Example Three Ltd.”."
            "</p><p>The addition reads as follows:</p><p>“Example Four” in the table</p>")
    text = full_text(f"<html><body>{html}</body></html>".encode(), "text/html")
    assert entity_list_changes(text) == {
        "removed": [{"name": "Example One LLC", "country": "RUSSIA"},
                    {"name": "Example Two, Inc.", "country": "RUSSIA"}],
        "added": [{"name": "Example Three Ltd.", "country": "Hong Kong"}]}


def test_a_text_without_entity_list_instructions_gives_nothing():
    assert entity_list_changes(reflow("Supplement No. 1 to part 740 is amended.")) == {}
    assert entity_list_changes("The Entity List (supplement no. 4 to part 744) lists...") == {}


def test_only_presidential_documents_and_ear_rules_need_their_full_text():
    assert full_text_url(BY_NUMBER["2026-99002"]).endswith("/text/2026/08/05/2026-99002.txt")
    assert full_text_url(BY_NUMBER["2026-99001"]).endswith("2026-99001.txt")
    # no raw text: the HTML rendering
    assert full_text_url(BY_NUMBER["2026-99003"]).endswith("/html/2026/09/10/2026-99003.html")
    assert full_text_url(BY_NUMBER["2026-99004"]) is None  # a notice
    assert full_text_url({**BY_NUMBER["2026-99001"],
                          "cfr_references": [{"title": 15, "part": 801}]}) is None
    assert full_text_url({**BY_NUMBER["2026-99001"],
                          "cfr_references": [{"title": 46, "part": 744}]}) is None


# -- the spider's callbacks ------------------------------------------------------------------


def make_spider(base: str = "https://www.federalregister.gov") -> FederalRegisterSpider:
    spec = {"source": {"base_url": base, "agencies": ["industry-and-security-bureau",
                                                      "executive-office-of-the-president"]}}
    return FederalRegisterSpider.from_crawler(get_crawler(FederalRegisterSpider), spec=spec)


def api_page(base: str) -> TextResponse:
    url = f"{base}/api/v1/documents.json?x=1"
    body = json.dumps({"count": len(RESULTS), "results": RESULTS}).encode()
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def test_the_search_asks_for_the_full_text_fields():
    query = search_query(make_spider().options, "2026-08-01")
    for name in ("raw_text_url", "body_html_url", "cfr_references", "type"):
        assert f"fields%5B%5D={name}" in query


def test_documents_needing_full_text_wait_for_it_on_the_configured_origin():
    spider = make_spider("http://127.0.0.1:9")
    out = list(spider.parse(api_page("http://127.0.0.1:9")))
    requests = [o for o in out if isinstance(o, Request)]
    docs = [o for o in out if isinstance(o, dict)]
    assert [d["external_id"] for d in docs] == ["2026-99004"]
    assert [r.url for r in requests] == [
        f"http://127.0.0.1:9{PROCLAMATION_PATH}", f"http://127.0.0.1:9{TEXT_PATH}",
        f"http://127.0.0.1:9{HTML_PATH}"]
    entity = requests[1]
    url = entity.url
    response = TextResponse(url=url, body=(FR / "fulltext_2026-99001.txt").read_bytes(),
                            headers={"Content-Type": "text/plain; charset=utf-8"},
                            request=Request(url))
    [doc] = list(spider.parse_full_text(response, **entity.cb_kwargs))
    assert doc["id"] == "federal_register:2026-99001"
    assert doc["text"].startswith("DEPARTMENT OF COMMERCE")
    assert "Example Delta Components Inc." in doc["text"]
    assert doc["metadata"]["abstract"].startswith("In this rule, the Bureau of Industry")
    assert doc["metadata"]["full_text_url"] == f"http://127.0.0.1:9{TEXT_PATH}"
    assert [e["name"] for e in doc["metadata"]["entity_list"]["added"]] == [
        "Example Alpha Microelectronics Co., Ltd.",
        "Example Beta Semiconductor Equipment Co., Ltd.", "Example Delta Components Inc."]
    assert spider.problems == []


# -- through the cycle -----------------------------------------------------------------------


def routes(**overrides) -> dict:
    page = {"description": "Documents", "count": len(RESULTS), "total_pages": 1,
            "results": RESULTS}
    found = {
        "/api/v1/documents.json": Reply(200, json.dumps(page),
                                        content_type="application/json; charset=utf-8"),
        TEXT_PATH: Reply(200, (FR / "fulltext_2026-99001.txt").read_bytes(),
                         content_type="text/plain; charset=utf-8"),
        PROCLAMATION_PATH: Reply(200, (FR / "fulltext_2026-99002.txt").read_bytes(),
                                 content_type="text/plain; charset=utf-8"),
        HTML_PATH: Reply(200, (FR / "fulltext_2026-99003.html").read_bytes()),
    }
    found.update(overrides)
    return found


def crawl(tmp_path, server):
    path = write_config(tmp_path, {"federal_register": {
        "base_url": server.url, "agencies": ["industry-and-security-bureau",
                                             "executive-office-of-the-president"]}})
    config = config_module.load(path)
    db = open_db(config.db_path)
    return config, db, crawl_source(config, db, "federal_register", since="2026-08-01")


def test_a_proclamation_without_abstract_is_tagged_from_its_full_text(tmp_path):
    with LoopbackServer(routes()) as server:
        config, db, outcome = crawl(tmp_path, server)
        assert outcome.status == "ok", outcome.errors
        assert outcome.new == 4
        doc = doc_store.get_document(db, "federal_register:2026-99002")
        assert "additional ad valorem duty of 25 percent" in doc["text"]
        assert "abstract" not in json.loads(doc["metadata"])
        [tag] = [t for t in tags_for(db, [doc["id"]])[doc["id"]] if t["category"] == "tariff"]
        # The evidence is a sentence of the body: the title says nothing of tariffs.
        assert all(e["sentence"] != doc["title"] for e in tag["evidence"])
        assert any("duty" in e["sentence"] or "section 232" in e["sentence"].lower()
                   for e in tag["evidence"])
        assert tag["relevance"] == "core"  # semiconductors are the subject
        db.close()


def test_an_entity_list_rule_keeps_its_entities_and_an_html_only_rule_its_text(tmp_path):
    with LoopbackServer(routes()) as server:
        config, db, outcome = crawl(tmp_path, server)
        assert outcome.status == "ok", outcome.errors
        rule = doc_store.get_document(db, "federal_register:2026-99001")
        entities = json.loads(rule["metadata"])["entity_list"]
        assert {(e["name"], e["country"]) for e in entities["added"]} == {
            ("Example Alpha Microelectronics Co., Ltd.", "CHINA, PEOPLE'S REPUBLIC OF"),
            ("Example Beta Semiconductor Equipment Co., Ltd.", "CHINA, PEOPLE'S REPUBLIC OF"),
            ("Example Delta Components Inc.", "TAIWAN")}
        assert entities["removed"] == [{"name": "Example Gamma Trading Pte. Ltd.",
                                        "country": "SINGAPORE"}]
        assert "export_control" in json.loads(rule["categories"])
        html_rule = doc_store.get_document(db, "federal_register:2026-99003")
        assert "headquartered in countries of concern" in html_rule["text"]
        notice = doc_store.get_document(db, "federal_register:2026-99004")
        assert notice["text"] == BY_NUMBER["2026-99004"]["abstract"]  # no full text fetched
        assert not server.requests_for("/documents/full_text/text/2026/09/11/")
        db.close()


def test_a_full_text_that_cannot_be_fetched_keeps_the_abstract_and_fails_the_run(tmp_path):
    with LoopbackServer(routes(**{TEXT_PATH: Reply(404, "not found")})) as server:
        config, db, outcome = crawl(tmp_path, server)
        assert outcome.status == "failed"
        assert outcome.new == 4  # nothing lost: every document is stored
        rule = doc_store.get_document(db, "federal_register:2026-99001")
        assert rule["text"] == BY_NUMBER["2026-99001"]["abstract"]
        [error] = outcome.errors
        assert "2026-99001.txt: the full text of 2026-99001 could not be fetched (HTTP 404" \
            in error and "keeps its abstract" in error
        assert run_store.get_run(db, outcome.run_id)["status"] == "failed"
        db.close()
