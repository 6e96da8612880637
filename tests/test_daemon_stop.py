"""Stopping, whatever the sites do: the real daemon (and `chipwatch run`) as a subprocess
against a loopback site that never answers. SIGTERM ends the process after the grace period
and a bounded interruption, the run is recorded `interrupted`, and nothing is judged,
announced or delivered while stopping. See docs/reliability.md."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_config
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer
from tests.test_daemon import query, wait_for

pytestmark = pytest.mark.timeout(240)

NEVER = 600  # seconds the site takes to answer: longer than anything here waits


def hanging_site():
    routes = two_pages()
    routes["/api/v1/documents.json"].delay = NEVER
    return routes


def config_for(tmp_path: Path, server, grace: int) -> Path:
    # A long download timeout: Scrapy's own graceful shutdown would wait for it.
    extra = (f"[daemon]\nstop_grace_seconds = {grace}\noutbox_every = \"1s\"\n"
             f"[alerts.file]\ndirectory = \"{tmp_path / 'digests'}\"\ndaily_at = \"\"\n")
    path = write_config(tmp_path, {"federal_register": {
        "base_url": server.url, "agencies": AGENCIES, "per_page": 4, "every": "1h",
        "first_run_days": 3650}}, extra=extra)
    text = path.read_text().replace("download_timeout = 10", "download_timeout = 500")
    path.write_text(text.replace("crawl_timeout = 120", "crawl_timeout = 550"))
    return path


def crawl_children(marker: str) -> list[int]:
    """Processes whose command line names `marker` (the test's own temporary directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "crawler.run" in cmdline and marker in cmdline:
            found.append(int(entry.name))
    return found


def test_sigterm_with_a_hanging_crawl_stops_within_its_bounds_and_says_nothing(tmp_path):
    db = tmp_path / "chipwatch.db"
    temp = tmp_path / "tmp"
    temp.mkdir()
    with LoopbackServer(hanging_site()) as server:
        config = config_for(tmp_path, server, grace=2)
        proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "daemon", "--config",
                                 str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "TMPDIR": str(temp)})
        try:
            wait_for(lambda: server.requests_for("/api/v1/documents.json"),
                     what="the crawl to be waiting on the site")
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            # The site still has not answered when the daemon is gone: its stop does not
            # depend on the site (the bound here only catches a hang).
            _, err = proc.communicate(timeout=120)
            took = time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    print(f"daemon stopped {took:.1f} s after SIGTERM (grace 2 s)")
    assert proc.returncode == 0, err
    assert f"creating a new database at {db}" in err
    assert "interrupting 1 running crawl" in err and "daemon stopped" in err
    assert err.index("interrupting") < err.index("daemon stopped")
    assert query(db, "select status, finish_reason from crawl_runs") == [
        ("interrupted", "interrupted: chipwatch was stopping")]
    assert query(db, "select count(*) from health_verdicts") == [(0,)]  # nothing judged
    assert query(db, "select count(*) from outbox") == [(0,)]  # nothing announced or sent
    assert not (tmp_path / "digests").exists()
    assert crawl_children(str(temp)) == []  # the crawl child is gone too


def test_sigterm_to_chipwatch_run_stops_its_crawl_and_records_it(tmp_path):
    db = tmp_path / "chipwatch.db"
    temp = tmp_path / "tmp"
    temp.mkdir()
    with LoopbackServer(hanging_site()) as server:
        config = config_for(tmp_path, server, grace=0)
        proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "run", "--config",
                                 str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "TMPDIR": str(temp)})
        try:
            wait_for(lambda: server.requests_for("/api/v1/documents.json"),
                     what="the crawl to be waiting on the site")
            assert crawl_children(str(temp))
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 143, err
    assert "chipwatch: stopped by SIGTERM" in err and "Traceback" not in err
    assert query(db, "select status from crawl_runs") == [("interrupted",)]
    assert crawl_children(str(temp)) == []


def test_an_outage_and_recovery_make_one_notice_not_a_file_per_crawl(tmp_path):
    """A source crawled every second breaks, recovers and breaks again: the file channel
    (a digest after every cycle) gets the first digest and one notice, nothing else."""
    from tests.loopback import Reply
    db = tmp_path / "chipwatch.db"
    out = tmp_path / "digests"
    with LoopbackServer(two_pages()) as server:
        config = write_config(tmp_path, {"federal_register": {
            "base_url": server.url, "agencies": AGENCIES, "per_page": 4, "every": "1s",
            "first_run_days": 3650}}, extra=(
            f'[daemon]\nstop_grace_seconds = 0\noutbox_every = "1s"\n'
            f'[alerts.file]\ndirectory = "{out}"\n'))
        proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "daemon", "--config",
                                 str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

        def runs(status):
            return len(query(db, f"select id from crawl_runs where status = '{status}'"))

        def phase(routes, status, count):
            for path, reply in routes.items():
                server.route(path, reply)
            wanted = runs(status) + count
            wait_for(lambda: runs(status) >= wanted, seconds=90, what=f"{count} {status} runs")

        down = {"/api/v1/documents.json": Reply(503, "down"),
                "/api/v1/documents": Reply(503, "down")}
        try:
            wait_for(lambda: runs("ok") >= 1, what="the first crawl")
            phase(down, "failed", 3)
            phase(two_pages(), "ok", 3)
            phase(down, "failed", 3)
            time.sleep(2)  # the outbox sender runs every second
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    files = sorted(p.name for p in out.glob("*.txt"))
    assert len(files) == 2, files
    assert files[0].startswith("chipwatch-cycle-")
    assert files[1].startswith("chipwatch-health-federal-register-broken-")
    assert query(db, "select announced from health_verdicts where source = "
                     "'federal_register'") == [("broken",)]


def _daemon(config: Path, temp: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", "daemon", "--config",
                             str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(temp)})


def test_ctrl_c_stops_like_sigterm_and_a_second_signal_stops_at_once(tmp_path):
    db = tmp_path / "chipwatch.db"
    temp = tmp_path / "tmp"
    temp.mkdir()
    with LoopbackServer(hanging_site()) as server:
        config = config_for(tmp_path, server, grace=300)  # a grace that would be waited out
        proc = _daemon(config, temp)
        try:
            wait_for(lambda: server.requests_for("/api/v1/documents.json"),
                     what="the crawl to be waiting on the site")
            proc.send_signal(signal.SIGINT)
            time.sleep(1)
            assert proc.poll() is None  # waiting out the grace period
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 1, err
    assert "signal SIGINT: no new jobs" in err and "second signal: stopping at once" in err
    assert query(db, "select status from crawl_runs") == [("interrupted",)]
    assert query(db, "select count(*) from outbox") == [(0,)]
    assert crawl_children(str(temp)) == []


def test_sigterm_while_a_digest_send_hangs_leaves_it_for_the_lease(tmp_path):
    """The SMTP server takes the message and never answers: the daemon still stops within
    its bounds, and the digest stays `sending`, to be taken up after the lease."""
    from store import open_db
    from tests.alerting import Misbehaving, add_document, free_port, smtp_server
    db_path = tmp_path / "chipwatch.db"
    db = open_db(db_path)
    add_document(db, "bis:1", title="Entity List additions",
                 tags=[("export_control", 0.9, "BIS adds entities.", "BIS")])
    db.close()
    handler, port = Misbehaving(stall=600), free_port()
    smtp = smtp_server(handler, port)
    try:
        config = write_config(tmp_path, {}, extra=(
            f'[daemon]\nstop_grace_seconds = 1\noutbox_every = "1h"\n'
            f'[alerts.email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n'
            f'from = "chipwatch@example.org"\nto = ["analyst@example.org"]\ntimeout = 300\n'
            f'daily_at = "00:00"\n'))
        proc = _daemon(config, tmp_path)
        try:
            wait_for(lambda: handler.attempts == 1, what="the digest to be handed over")
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    finally:
        smtp.stop()
    assert proc.returncode == 0, err
    assert "did not finish within the stop's bound" in err
    assert query(db_path, "select status, attempts from outbox") == [("sending", 1)]
