"""kill -9 in the middle of storing a large batch and in the middle of sending a digest, then a
rerun: a sound file, no document duplicated or half-written, and the digest delivered (at most
one duplicate, inside the sender's lease). See docs/reliability.md."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from alerts.sender import LEASE, send_due
from store import open_db
from tests.alerting import Recorder, add_document, free_port, smtp_server
from tests.conftest import ROOT, chipwatch, write_config
from tests.fr_pages import AGENCIES, real_results
from tests.loopback import LoopbackServer, Reply
from tracker import config as config_module

pytestmark = pytest.mark.timeout(240)

BATCH = 3000


def big_batch() -> dict:
    """One Federal Register page of BATCH distinct documents (the real first result, renumbered)."""
    model = real_results()[0]
    results = []
    for i in range(BATCH):
        number = f"2026-9{i:05d}"
        results.append({**model, "document_number": number,
                         "title": f"{model['title']} (part {i})",
                         "html_url": f"https://www.federalregister.gov/documents/2026/09/30/{number}/x"})
    body = json.dumps({"count": BATCH, "results": results})
    return {"/api/v1/documents.json": Reply(200, body, content_type="application/json")}


def query(path, sql):
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def committed_documents(path) -> int | None:
    try:
        return query(path, "select count(*) from documents")[0][0]
    except sqlite3.OperationalError:
        return None


def test_kill_9_while_a_large_batch_is_stored_then_a_rerun(tmp_path):
    """The kill point is found from outside: the crawl has ended (its run is still open), the
    WAL file grows past 1 MB while no document is committed yet, i.e. the batch transaction is
    being written. Bounded: at most three attempts."""
    db_path = tmp_path / "chipwatch.db"
    wal = tmp_path / "chipwatch.db-wal"
    mid_ingest = 0
    with LoopbackServer(big_batch()) as server:
        config = write_config(tmp_path, {"federal_register": {
            "base_url": server.url, "agencies": AGENCIES, "first_run_days": 3650}})
        for _ in range(3):
            proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "run", "--no-digest",
                                     "--config", str(config)], cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 120
            killed_mid_ingest = False
            while proc.poll() is None and time.monotonic() < deadline:
                size = wal.stat().st_size if wal.exists() else 0
                if size > 1024 * 1024 and committed_documents(db_path) == 0:
                    proc.kill()
                    killed_mid_ingest = True
                    break
                time.sleep(0.005)
            proc.kill()
            proc.communicate(timeout=30)
            assert query(db_path, "pragma integrity_check") == [("ok",)]
            count, distinct = query(
                db_path, "select count(*), count(distinct id) from documents")[0]
            assert count == distinct and count in (0, BATCH)  # all of the batch or none
            if killed_mid_ingest and count == 0:
                mid_ingest += 1
                break
    assert mid_ingest == 1, "no kill landed inside the batch transaction in three attempts"

    with LoopbackServer(big_batch()) as server:
        config = write_config(tmp_path, {"federal_register": {
            "base_url": server.url, "agencies": AGENCIES, "first_run_days": 3650}})
        again = chipwatch("run", "--no-digest", "--config", str(config), timeout=180)
    assert again.returncode == 0, again.stderr
    assert f"federal_register: {BATCH} fetched, {BATCH} new" in again.stdout
    assert query(db_path, "pragma integrity_check") == [("ok",)]
    assert query(db_path, "select count(*), count(distinct id) from documents") == [(BATCH, BATCH)]
    half = query(db_path, "select count(*) from documents where title is null or title = '' "
                          "or content_hash is null or published is null")
    assert half == [(0,)]
    assert query(db_path, "select count(*) from document_search") == [(BATCH,)]
    assert query(db_path, "select count(*) from document_search_fts") == [(BATCH,)]


class StallingServer(Recorder):
    """Holds the first DATA unanswered until released. aiosmtpd drops that message when its
    client goes away before the reply, as a server should; a server that kept it would give
    the one duplicate the lease allows (test_alerts_email.py::
    test_crash_between_sending_and_marking_sends_again_with_the_same_message_id)."""

    def __init__(self):
        super().__init__()
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_kill_9_during_a_digest_send_then_the_digest_arrives_after_the_lease(tmp_path):
    port = free_port()
    handler = StallingServer()
    smtp = smtp_server(handler, port)
    try:
        config_path = write_config(tmp_path, {}, extra=(
            f'[alerts.email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n'
            f'from = "chipwatch@example.org"\nto = ["analyst@example.org"]\n'
            f'categories = ["tariff", "none"]\ndaily_at = ""\ntimeout = 60\n'))
        db = open_db(tmp_path / "chipwatch.db")
        add_document(db, "bis:1", title="Section 232 tariffs on semiconductors",
                     tags=[("tariff", 5.0, "Section 232 tariffs on semiconductors.",
                            "Section 232")])
        db.close()
        proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "digest", "--channel",
                                 "email", "--config", str(config_path)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert handler.stalled.wait(60), "the digest never reached DATA"
        finally:
            proc.kill()
            proc.communicate(timeout=30)
        handler.release.set()
        time.sleep(0.5)

        config = config_module.load(config_path)
        db = open_db(config.db_path)
        [row] = db.query("select id, status from outbox")
        assert row["status"] == "sending"
        now = datetime.now(timezone.utc)
        assert send_due(config, db, now) == []  # inside the lease: not sent again yet
        results = send_due(config, db, now + LEASE + timedelta(minutes=1))
        assert [r.status for r in results] == ["sent"]
        assert [r["status"] for r in db.query("select status from outbox")] == ["sent"]
        assert send_due(config, db, now + 2 * LEASE) == []  # and never a third time
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        db.close()
    finally:
        handler.release.set()
        smtp.stop()
    assert handler.attempts == 1  # the stalled DATA never completed; the rerun's did
    assert len(handler.messages) == 1  # delivered, exactly once
