"""Sources are crawled at once, in one child process: two sites that each take a while to
answer are both asked before either has answered (an overlap of requests, not a time limit),
and each source still gets its own run record, stats and health."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from dataclasses import replace

import pytest

from store import open_db
from store.runs import runs_for
from tests.conftest import FIXTURES, ROOT, write_config
from tests.cycles import cycle_in_thread, documents_of, run_status_once, run_statuses, value_once
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module
from tracker.crawl import stop_all_crawls
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


@contextlib.contextmanager
def one_site_held(tmp_path):
    """Federal Register answering at once and Commerce's listing held until the gate is set
    (at the latest on the way out): yields (config, the held site, the gate)."""
    gate = threading.Event()
    listing = (FIXTURES / "commerce" / "press-releases.html").read_text(encoding="utf-8")
    with LoopbackServer(two_pages()) as fr, LoopbackServer(
            {"/news/press-releases": Reply(200, listing, hold=gate)}) as held:
        path = write_config(tmp_path, {
            "federal_register": {"base_url": fr.url, "agencies": AGENCIES, "per_page": 4,
                                 "first_run_days": 3650},
            "commerce": {"base_url": held.url, "max_pages": 1}})
        # the held answer must not time out (and be retried) while the test looks
        path.write_text(path.read_text().replace("download_timeout = 10",
                                                 "download_timeout = 90"))
        config = config_module.load(path)
        open_db(config.db_path).close()  # migrated before the test starts reading it
        try:
            yield config, held, gate
        finally:
            gate.set()


def test_a_source_is_stored_and_tagged_while_another_is_still_crawling(tmp_path):
    with one_site_held(tmp_path) as (config, held, gate):
        thread, box = cycle_in_thread(config)
        try:
            fr_run = run_status_once(config.db_path, "federal_register")
            fr_classified = value_once(
                config.db_path, "select count(*) from documents where source = "
                "'federal_register' and classifier_version is not null", expected=7)
            runs_while_held = run_statuses(config.db_path)
            commerce_asked = len(held.requests_for("/news/press-releases"))
        finally:
            gate.set()
            thread.join(timeout=120)
    assert "error" not in box, box.get("error")
    outcomes = {o.source: o for o in box["value"]}
    # Federal Register's run was recorded, and its seven documents stored and classified,
    # while the other site had been asked and had not yet answered.
    assert fr_run == "ok" and fr_classified == 7
    assert runs_while_held == {"federal_register": "ok", "commerce": "running"}
    assert commerce_asked == 1
    assert outcomes["federal_register"].new == outcomes["federal_register"].tagged == 7
    # ... and the held site was stored in its turn, once it answered
    assert outcomes["commerce"].status == "ok"
    assert outcomes["commerce"].pages >= 1


def test_a_stop_after_one_source_was_stored_keeps_it(tmp_path):
    with one_site_held(tmp_path) as (config, _, gate):
        thread, box = cycle_in_thread(config)
        try:
            assert run_status_once(config.db_path, "federal_register") == "ok"
            assert stop_all_crawls(kill_after=10) == 1
            thread.join(timeout=60)
        finally:
            gate.set()
            thread.join(timeout=60)
    assert "error" not in box, box.get("error")
    outcomes = {o.source: o for o in box["value"]}
    assert outcomes["federal_register"].status == "ok" and outcomes["federal_register"].new == 7
    assert outcomes["commerce"].status == "interrupted"
    assert run_statuses(config.db_path) == {"federal_register": "ok", "commerce": "interrupted"}
    assert documents_of(config.db_path, "federal_register") == 7


def test_run_prints_each_source_as_soon_as_it_is_stored(tmp_path):
    with one_site_held(tmp_path) as (config, held, gate):
        env = {k: v for k, v in os.environ.items() if k != "CHIPWATCH_CONFIG"}
        command = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "run", "--config", str(config.origin),
             "--no-digest"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=ROOT, env=env)
        try:
            first_line = command.stdout.readline()  # returns when chipwatch prints it
            runs_then = run_statuses(config.db_path)
            asked_then = len(held.requests_for("/news/press-releases"))
        finally:
            gate.set()
            rest, errors = command.communicate(timeout=120)
    assert command.returncode == 0, errors
    assert first_line.startswith("federal_register: 7 fetched, 7 new, 0 changed, 0 errors")
    # printed while the other site, asked, had not answered yet
    assert runs_then == {"federal_register": "ok", "commerce": "running"} and asked_then == 1
    assert rest.startswith("commerce: ")
