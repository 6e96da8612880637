"""Whole Federal Register crawls through Scrapy's real downloader against a loopback server,
stored in a real SQLite file."""

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

from store import open_db
from store.documents import get_document
from store.revisions import revisions
from store.runs import get_run
from tests.conftest import write_config
from tests.fr_pages import AGENCIES, real_results, two_pages
from tests.loopback import LoopbackServer
from tracker import config as config_module
from tracker.cycle import crawl_source

TODAY = date(2026, 10, 5)


def setup(tmp_path, server):
    path = write_config(tmp_path, {"federal_register": {
        "base_url": server.url, "agencies": AGENCIES, "per_page": 4}})
    config = config_module.load(path)
    return config, open_db(config.db_path)


def query_of(hit):
    return parse_qs(urlsplit(hit.path).query)


def test_first_crawl_pages_through_and_stores_everything(tmp_path):
    with LoopbackServer(two_pages()) as server:
        config, db = setup(tmp_path, server)
        outcome = crawl_source(config, db, "federal_register", today=TODAY)
        api_hits = server.requests_for("/api/v1/documents")
    assert outcome.status == "ok", outcome.errors
    assert (outcome.seen, outcome.new, outcome.changed) == (7, 7, 0)
    assert len(api_hits) == 2
    first = query_of(api_hits[0])
    assert first["conditions[publication_date][gte]"] == ["2026-09-05"]  # first_run_days = 30
    assert "search_after_cursor" in query_of(api_hits[1])
    assert db["documents"].count == 7
    run = get_run(db, outcome.run_id)
    assert run["status"] == "ok" and run["finish_reason"] == "finished"
    assert run["pages_fetched"] >= 2 and run["bytes_received"] > 0
    assert (run["documents_seen"], run["documents_new"]) == (7, 7)
    assert json.loads(run["errors"]) == []
    correction = get_document(db, "federal_register:C1-2026-16628")
    assert correction["group_key"] == "federal_register:2026-16628"


def test_second_crawl_is_incremental_and_adds_no_rows(tmp_path):
    with LoopbackServer(two_pages()) as server:
        config, db = setup(tmp_path, server)
        crawl_source(config, db, "federal_register", today=TODAY)
        first_seen = {r["id"]: r["first_seen"] for r in db["documents"].rows}
        server.reset_log()
        outcome = crawl_source(config, db, "federal_register", today=TODAY)
        hits = server.requests_for("/api/v1/documents")
    newest = max(r["publication_date"] for r in real_results())
    assert query_of(hits[0])["conditions[publication_date][gte]"] == ["2026-09-27"]
    assert newest == "2026-09-30"  # newest stored less the 3-day overlap
    assert (outcome.new, outcome.changed) == (0, 0)
    assert db["documents"].count == 7
    assert {r["id"]: r["first_seen"] for r in db["documents"].rows} == first_seen


def test_changed_abstract_is_recorded_as_a_revision(tmp_path):
    results = real_results()
    with LoopbackServer(two_pages(results)) as server:
        config, db = setup(tmp_path, server)
        crawl_source(config, db, "federal_register", today=TODAY)
        doc_id = f"federal_register:{results[0]['document_number']}"
        before = get_document(db, doc_id)
        changed = [dict(r) for r in results]
        changed[0]["abstract"] = "A corrected abstract."
        for path, reply in two_pages(changed).items():
            server.route(path, reply)
        outcome = crawl_source(config, db, "federal_register", today=TODAY)
    after = get_document(db, doc_id)
    assert (outcome.new, outcome.changed) == (0, 1)
    assert after["text"] == "A corrected abstract." and after["revision"] == 2
    assert after["first_seen"] == before["first_seen"] and after["changed_at"]
    old, current = revisions(db, doc_id)
    assert old["revision"] == 1 and old["text"] == before["text"] and current["revision"] == 2
    assert "+A corrected abstract." in current["diff"]["text"]
    assert db["documents"].count == 7


def test_server_errors_are_recorded_and_store_nothing(tmp_path):
    from tests.loopback import Reply
    with LoopbackServer({"/api/v1/documents.json": Reply(503, "down")}) as server:
        config, db = setup(tmp_path, server)
        outcome = crawl_source(config, db, "federal_register", today=TODAY)
    assert outcome.status == "failed"
    run = get_run(db, outcome.run_id)
    assert run["status"] == "failed" and run["error_count"] == 1
    assert "HTTP 503" in json.loads(run["errors"])[0]
    assert db["documents"].count == 0
