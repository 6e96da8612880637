"""The real daemon as a subprocess against a loopback server: it crawls and stores, stops
cleanly on SIGTERM (even mid-crawl), survives kill -9 and refuses a second instance."""

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, write_config
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.timeout(180)


def daemon_config(tmp_path, server, **daemon):
    extra = "[daemon]\n" + "".join(f"{k} = {v}\n" for k, v in
                                   {"stop_grace_seconds": 0, "outbox_every": '"1h"',
                                    **daemon}.items())
    return write_config(tmp_path, {"federal_register": {
        "base_url": server.url, "agencies": AGENCIES, "per_page": 4, "every": "1h",
        "first_run_days": 3650}}, extra=extra)


def start(config):
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", "daemon",
                             "--config", str(config)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def query(db_path, sql):
    if not db_path.exists():
        return []
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def wait_for(predicate, seconds=60, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc, sig=signal.SIGTERM, seconds=60):
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out, err


def test_daemon_crawls_at_start_stores_and_stops_cleanly(tmp_path):
    db = tmp_path / "chipwatch.db"
    with LoopbackServer(two_pages()) as server:
        proc = start(daemon_config(tmp_path, server))
        try:
            wait_for(lambda: query(db, "select status from crawl_runs") == [("ok",)],
                     what="the first crawl to succeed")
        finally:
            code, _, err = stop(proc)
    assert code == 0, err
    assert query(db, "select count(*) from documents") == [(7,)]
    assert "crawl federal_register: 7 fetched, 7 new" in err
    assert "INFO" in err and "daemon stopped" in err


def test_sigterm_during_a_crawl_exits_0_and_records_the_run_interrupted(tmp_path):
    db = tmp_path / "chipwatch.db"
    routes = two_pages()
    routes["/api/v1/documents.json"].delay = 30  # the API hangs: the crawl is in progress
    with LoopbackServer(routes) as server:
        proc = start(daemon_config(tmp_path, server))
        try:
            wait_for(lambda: server.requests_for("/robots.txt") and
                     query(db, "select status from crawl_runs") == [("running",)],
                     what="a crawl in progress")
            time.sleep(1)
        finally:
            code, _, err = stop(proc, seconds=60)
    assert code == 0, err
    assert query(db, "select status from crawl_runs") == [("interrupted",)]
    assert query(db, "select count(*) from documents") == [(0,)]


def test_kill_9_mid_crawl_then_restart_leaves_no_duplicate_and_a_sound_file(tmp_path):
    db = tmp_path / "chipwatch.db"
    routes = two_pages()
    slow = routes["/api/v1/documents"]
    with LoopbackServer(routes) as server:
        slow.delay = 30  # page 2 hangs: page 1 is fetched, the crawl is not finished
        config = daemon_config(tmp_path, server)
        proc = start(config)
        try:
            wait_for(lambda: server.requests_for("/api/v1/documents?"), what="page 2 requested")
        finally:
            proc.kill()
            proc.communicate(timeout=30)
        server.route("/api/v1/documents", two_pages()["/api/v1/documents"])
        again = start(config)
        try:
            wait_for(lambda: ("ok",) in query(db, "select status from crawl_runs"),
                     what="the catch-up crawl after restart")
        finally:
            code, _, err = stop(again)
    assert code == 0, err
    statuses = [row[0] for row in query(db, "select status from crawl_runs order by id")]
    assert statuses == ["interrupted", "ok"], query(db, "select * from crawl_runs")
    assert query(db, "select count(*), count(distinct id) from documents") == [(7, 7)]
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert "marked interrupted" in err


def test_a_second_daemon_on_the_same_database_is_refused(tmp_path):
    routes = two_pages()
    routes["/api/v1/documents.json"].delay = 30
    with LoopbackServer(routes) as server:
        config = daemon_config(tmp_path, server)
        first = start(config)
        try:
            wait_for(lambda: (tmp_path / "chipwatch.db.daemon.lock").exists()
                     and server.requests_for("/robots.txt"), what="the first daemon")
            second = subprocess.run([sys.executable, "-m", "tracker.cli", "daemon", "--config",
                                     str(config)], cwd=ROOT, capture_output=True, text=True,
                                    timeout=60)
        finally:
            stop(first)
    assert second.returncode == 2
    assert f"pid {first.pid}" in second.stderr and "already runs" in second.stderr


def test_daemon_mails_the_digest_and_exactly_one_alert_when_a_source_breaks(tmp_path):
    from tests.alerting import Recorder, free_port, smtp_server
    db = tmp_path / "chipwatch.db"
    recorder = Recorder()
    port = free_port()
    smtp = smtp_server(recorder, port)
    email = (f'[alerts.email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
             f'security = "none"\nfrom = "chipwatch@example.org"\nto = ["analyst@example.org"]\n'
             f'categories = ["investment_pressure", "export_control", "alliance", "tariff", '
             f'"none"]\n'
             f'daily_at = ""\n')
    try:
        with LoopbackServer(two_pages()) as server:
            config = write_config(tmp_path, {"federal_register": {
                "base_url": server.url, "agencies": AGENCIES, "per_page": 4, "every": "3s",
                "first_run_days": 3650}},
                extra='[daemon]\nstop_grace_seconds = 0\noutbox_every = "1s"\n' + email)
            proc = start(config)
            try:
                wait_for(lambda: len(recorder.messages) >= 1, what="the first digest mail")
                for path in ("/api/v1/documents.json", "/api/v1/documents"):
                    server.route(path, Reply(503, "down"))
                wait_for(lambda: len(query(db, "select id from crawl_runs where status = "
                                              "'failed'")) >= 3,
                         seconds=90, what="three failed crawls")
                time.sleep(2)  # the outbox sender runs every second
            finally:
                code, _, err = stop(proc)
    finally:
        smtp.stop()
    assert code == 0, err
    subjects = [m["Subject"] for m in recorder.messages]
    alerts = [s for s in subjects if "federal_register is broken" in s]
    assert len(alerts) == 1, subjects
    digest = recorder.messages[0]
    assert "7 documents" in digest.get_body(("plain",)).get_content()
    assert query(db, "select health from health_verdicts where source = 'federal_register'") \
        == [("broken",)]
