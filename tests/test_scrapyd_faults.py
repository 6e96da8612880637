"""Scrapyd jobs that do not end well: a server that dies while its job runs (the run fails,
naming it; the other sources are stored; the next cycle succeeds without it), a job past
crawl_timeout (cancelled, a failed run), and chipwatch stopping (its jobs cancelled, the runs
interrupted). Real Scrapyd servers on 127.0.0.1 crawl a replay whose BIS article pages are
slow on purpose."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from replay.server import ReplayServer
from store import open_db
from store.runs import runs_for
from tests.conftest import chipwatch
from tests.cycles import cycle_in_thread, documents_of, run_status_once, run_statuses
from tests.scrapyd_servers import ScrapydProcess, wait_for_job, wait_for_log
from tests.test_scrapyd import PROJECT, write_config
from tracker import config as config_module
from tracker.crawl import stop_all_crawls
from tracker.cycle import run_cycle

pytestmark = pytest.mark.timeout(300)

# The sources of the first release: enough for two servers, and quick to crawl.
FIRST_FIVE = ("federal_register", "commerce", "bis", "tsmc", "trendforce")


class SlowReplay(ReplayServer):
    """The replay, with each article page of one site held back `delay` seconds."""

    def __init__(self, site: str, delay: float):
        super().__init__()
        self.slow_site, self.delay = site, delay

    def answer(self, site: str, raw_path: str):
        answer = super().answer(site, raw_path)
        if site == self.slow_site and answer.kind == "article":
            time.sleep(self.delay)
        return answer


class HeldReplay(ReplayServer):
    """The replay, with every article page of one site held until the test lets it go (or
    a minute has passed)."""

    def __init__(self, site: str):
        super().__init__()
        self.held_site, self.gate = site, threading.Event()

    def answer(self, site: str, raw_path: str):
        answer = super().answer(site, raw_path)
        if site == self.held_site and answer.kind == "article":
            self.gate.wait(timeout=60)
        return answer


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two servers with the spiders deployed (by the real command)."""
    root = tmp_path_factory.mktemp("scrapyd-faults")
    with ScrapydProcess(root / "a") as a, ScrapydProcess(root / "b") as b:
        with ReplayServer() as replay:
            config = write_config(root / "deploy", replay, urls=[a.url, b.url])
        deploy = chipwatch("scrapyd", "deploy", "--config", str(config), timeout=240)
        assert deploy.returncode == 0, deploy.stderr + deploy.stdout
        yield a, b


def test_a_server_dying_mid_job_fails_that_run_only(tmp_path, servers):
    a, b = servers
    victim_dir = tmp_path / "victim"
    # A third server, so that the module's two stay up for the other tests.
    with ScrapydProcess(victim_dir) as victim, SlowReplay("bis", delay=2.5) as replay:
        deploy = chipwatch("scrapyd", "deploy", "--url", victim.url, timeout=240)
        assert deploy.returncode == 0, deploy.stderr + deploy.stdout
        config = config_module.load(write_config(
            tmp_path, replay, urls=[victim.url, b.url],
            crawl="scrapyd_unreachable_seconds = 3"))
        thread, box = cycle_in_thread(config, sources=list(FIRST_FIVE))
        # bis is the third job: the least busy server then is the first listed (the victim).
        assert wait_for_job([victim, b], PROJECT, "bis", "running") is victim
        # Its other jobs end quickly; once they are read, the victim's machine goes down.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(
                victim.api().list_jobs(PROJECT)["finished"]) < 2:
            time.sleep(0.2)
        time.sleep(2)
        victim.stop()
        thread.join(timeout=120)
        assert not thread.is_alive() and "error" not in box, box
        db = open_db(config.db_path)
        outcomes = {o.source: o for o in box["value"]}
        assert outcomes["bis"].status == "failed"
        [problem] = outcomes["bis"].errors
        assert problem.startswith(f"bis: the Scrapyd server {victim.url} stopped answering "
                                  f"while job bis-")
        assert "cannot be reached" in problem
        [run] = runs_for(db, "bis")
        assert run["status"] == "failed" and run["finish_reason"] == "worker lost"
        for source in FIRST_FIVE:
            if source != "bis":
                assert outcomes[source].status == "ok", outcomes[source].errors
                assert outcomes[source].new > 0

        # The next cycle goes to the server still up, and bis is crawled there.
        replay.delay = 0
        second = {o.source: o for o in run_cycle(config, db, sources=list(FIRST_FIVE))}
        db.close()
    assert all(o.status == "ok" for o in second.values()), \
        {s: o.errors for s, o in second.items()}
    assert second["bis"].new == 7 and all(o.new == 0 for s, o in second.items() if s != "bis")


def test_a_finished_job_is_stored_while_another_still_runs(tmp_path, servers):
    a, b = servers
    with HeldReplay("bis") as replay:
        path = write_config(tmp_path, replay, urls=[a.url, b.url])
        # the held pages must not time out (and be retried) while the test looks
        path.write_text(path.read_text().replace("download_timeout = 10",
                                                 "download_timeout = 90"))
        config = config_module.load(path)
        open_db(config.db_path).close()  # migrated before the test reads it
        thread, box = cycle_in_thread(config, sources=["federal_register", "bis"])
        try:
            fr_run = run_status_once(config.db_path, "federal_register")
            stored_while_held = documents_of(config.db_path, "federal_register")
            runs_while_held = run_statuses(config.db_path)
            bis_jobs = [job for server in (a, b)
                        for job in server.api().list_jobs(PROJECT)["running"]
                        if job["spider"] == "bis"]
        finally:
            replay.gate.set()
            thread.join(timeout=120)
    assert not thread.is_alive() and "error" not in box, box
    assert fr_run == "ok" and stored_while_held > 0
    assert runs_while_held == {"federal_register": "ok", "bis": "running"}
    assert len(bis_jobs) == 1
    outcomes = {o.source: o for o in box["value"]}
    assert outcomes["federal_register"].new == stored_while_held
    assert outcomes["bis"].status == "ok" and outcomes["bis"].new > 0


def test_a_job_past_crawl_timeout_is_cancelled_and_fails(tmp_path, servers):
    a, b = servers
    with SlowReplay("bis", delay=1.5) as replay:
        path = write_config(tmp_path, replay, urls=[a.url, b.url])
        path.write_text(path.read_text().replace("crawl_timeout = 120", "crawl_timeout = 5"))
        config = config_module.load(path)
        db = open_db(config.db_path)
        [outcome] = run_cycle(config, db, sources=["bis"])
        [run] = runs_for(db, "bis")
        db.close()
    assert outcome.status == "failed"
    assert any("crawl_timeout" in e or "closespider_timeout" in e for e in outcome.errors), \
        outcome.errors
    assert run["status"] == "failed"
    # Nothing is left running on the servers.
    for server in (a, b):
        assert not [j for j in server.api().list_jobs(PROJECT)["running"]
                    if j["spider"] == "bis"]


def test_stopping_chipwatch_cancels_its_jobs_and_the_runs_are_interrupted(tmp_path, servers):
    a, b = servers
    # Scrapy closes cleanly once the article requests it already queued are answered: a
    # second each, within the ten seconds a cancelled job gets before it is killed.
    with SlowReplay("bis", delay=1) as replay:
        config = config_module.load(write_config(tmp_path, replay, urls=[a.url, b.url]))
        thread, box = cycle_in_thread(config, sources=["bis"])
        server = wait_for_job([a, b], PROJECT, "bis", "running")
        wait_for_log(server, "bis", "listing page 1")  # the spider is at work
        assert stop_all_crawls() == 1
        thread.join(timeout=60)
        assert not thread.is_alive() and "error" not in box, box
        [outcome] = box["value"]
        db = open_db(config.db_path)
        [run] = runs_for(db, "bis")
        db.close()
    assert outcome.status == "interrupted"
    assert run["status"] == "interrupted" and run["finish_reason"] == "shutdown"
    assert not server.api().list_jobs(PROJECT)["running"]


def test_a_job_killed_on_its_worker_is_a_failed_run_with_its_reason(tmp_path, servers):
    a, b = servers
    with SlowReplay("bis", delay=1) as replay:
        config = config_module.load(write_config(tmp_path, replay, urls=[a.url, b.url]))
        thread, box = cycle_in_thread(config, sources=["bis"])
        server = wait_for_job([a, b], PROJECT, "bis", "running")
        wait_for_log(server, "bis", "listing page 1")
        [job] = [j for j in server.api().list_jobs(PROJECT)["running"] if j["spider"] == "bis"]
        os.kill(job["pid"], signal.SIGKILL)  # as the kernel's out-of-memory killer would
        thread.join(timeout=60)
        assert not thread.is_alive() and "error" not in box, box
        [outcome] = box["value"]
        db = open_db(config.db_path)
        [run] = runs_for(db, "bis")
        db.close()
    assert outcome.status == "failed" and run["status"] == "failed"
    assert run["finish_reason"] == "job died"
    assert outcome.errors[0].startswith(f"bis: job {job['id']} on {server.url} ended without "
                                        f"a report")
