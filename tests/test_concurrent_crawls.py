"""Sources are crawled at once, in one child process: two sites that each take a while to
answer are both asked before either has answered (an overlap of requests, not a time limit),
and each source still gets its own run record, stats and health."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store import open_db
from store.runs import runs_for
from tests.conftest import FIXTURES, write_config
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.cycle import run_cycle

pytestmark = pytest.mark.timeout(180)
DELAY = 3.0  # how long each site takes to answer its first page


def slow(reply: Reply) -> Reply:
    return replace(reply, delay=DELAY)


def test_two_slow_sites_are_asked_before_either_answers(tmp_path):
    fr_routes = two_pages()
    fr_routes["/api/v1/documents.json"] = slow(fr_routes["/api/v1/documents.json"])
    listing = (FIXTURES / "commerce" / "press-releases.html").read_text(encoding="utf-8")
    with LoopbackServer(fr_routes) as fr, LoopbackServer(
            {"/news/press-releases": slow(Reply(200, listing))}) as commerce:
        path = write_config(tmp_path, {
            "federal_register": {"base_url": fr.url, "agencies": AGENCIES, "per_page": 4,
                                 "first_run_days": 3650},
            "commerce": {"base_url": commerce.url, "max_pages": 1}})
        config = config_module.load(path)
        db = open_db(config.db_path)
        outcomes = run_cycle(config, db)
    [fr_first] = fr.requests_for("/api/v1/documents.json")
    [commerce_first] = commerce.requests_for("/news/press-releases")
    # Each request came in while the other site was still holding its answer back.
    assert abs(fr_first.arrived - commerce_first.arrived) < DELAY
    assert {o.source for o in outcomes} == {"federal_register", "commerce"}
    fr_outcome = next(o for o in outcomes if o.source == "federal_register")
    assert fr_outcome.status == "ok" and fr_outcome.new == 7
    for source in ("federal_register", "commerce"):
        [run] = runs_for(db, source)
        assert run["status"] in ("ok", "failed") and run["finished"]
        assert run["pages_fetched"] >= 1


def test_a_hung_source_does_not_hold_back_the_others(tmp_path):
    fr_routes = two_pages()
    with LoopbackServer(fr_routes) as fr, LoopbackServer(
            {"/news-updates": Reply(200, "<html>", delay=60)}) as hung:
        path = write_config(tmp_path, {
            "federal_register": {"base_url": fr.url, "agencies": AGENCIES, "per_page": 4,
                                 "first_run_days": 3650},
            "bis": {"base_url": hung.url}},
            extra="")
        text = path.read_text().replace("crawl_timeout = 120", "crawl_timeout = 8")
        path.write_text(text)
        config = config_module.load(path)
        db = open_db(config.db_path)
        outcomes = {o.source: o for o in run_cycle(config, db)}
    assert outcomes["federal_register"].status == "ok"
    assert outcomes["federal_register"].new == 7
    assert outcomes["bis"].status == "failed"
    assert any("crawl_timeout" in e or "timed out" in e for e in outcomes["bis"].errors), \
        outcomes["bis"].errors
