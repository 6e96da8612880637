"""The database the commands are given: a mistyped path is an error, not an empty store that
looks like "no news"; the commands that only read work without write access (a read-only
directory, file or file system); a full disk and a held lock are named with the file and
what to do. Real commands, real SQLite files. See docs/reliability.md."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from store import open_db
from store import runs as run_store
from tests.conftest import ROOT, chipwatch, write_config
from tests.test_bad_input import AS_A_PLAIN_OWNER, a_store, offline_config

pytestmark = pytest.mark.timeout(180)

READERS = [["status"], ["outbox"]]
NON_CREATORS = READERS + [["outbox", "retry"], ["digest"], ["reclassify"], ["browse"]]


@pytest.mark.parametrize("command", NON_CREATORS, ids=" ".join)
def test_a_mistyped_db_is_refused_and_nothing_is_created(tmp_path, command):
    typo = tmp_path / "dat" / "chipwatch.db"
    done = chipwatch(*command, "--db", str(typo), "--config", str(offline_config(tmp_path)))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{typo}: no database here (named by --db); check the path" in done.stderr
    assert "Traceback" not in done.stderr
    assert not typo.parent.exists()


def test_a_missing_store_path_in_the_configuration_is_named(tmp_path):
    config = offline_config(tmp_path)  # [store] path = tmp_path/chipwatch.db, not made yet
    done = chipwatch("status", "--config", str(config))
    assert done.returncode == 2
    assert f"no database here (named by [store] path in {config})" in done.stderr
    assert not (tmp_path / "chipwatch.db").exists()


def test_run_and_backfill_make_a_new_database_and_say_so(tmp_path):
    config = offline_config(tmp_path)
    for command, path in ((["run", "--no-digest"], tmp_path / "new" / "a.db"),
                          (["backfill", "commerce", "--since", "2026-01-01"],
                           tmp_path / "other" / "b.db")):
        done = chipwatch(*command, "--db", str(path), "--config", str(config), timeout=120)
        assert done.returncode == 1, done.stderr  # the site is down; the store is made
        assert f"chipwatch: creating a new database at {path} (named by --db)" in done.stderr
        assert path.exists()
        again = chipwatch(*command, "--db", str(path), "--config", str(config), timeout=120)
        assert "creating a new database" not in again.stderr


def _as_plain_owner(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    setpriv = shutil.which("setpriv")
    return subprocess.run([setpriv, *AS_A_PLAIN_OWNER, sys.executable, "-m", "tracker.cli",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "CHIPWATCH_CONFIG"})


needs_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                                reason="needs root and setpriv to take away the permission "
                                       "overrides root has")


@needs_root
def test_the_reading_commands_work_in_a_read_only_directory(tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="chipwatch-ro-"))
    try:
        path = a_store(directory)
        config = offline_config(tmp_path)
        directory.chmod(0o555)
        before = sorted(p.name for p in directory.iterdir())
        for command in READERS:
            done = _as_plain_owner(*command, "--db", str(path), "--config", str(config))
            assert done.returncode == 0, (command, done.stderr)
            assert "Traceback" not in done.stderr
        assert sorted(p.name for p in directory.iterdir()) == before  # not even a -shm
        written = _as_plain_owner("run", "--no-digest", "--db", str(path), "--config",
                                  str(config))
        assert written.returncode == 2
        assert f"{path}: cannot open the database for reading and writing" in written.stderr
        assert "only read, and work without write access" in written.stderr
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory, ignore_errors=True)


@needs_root
def test_status_reads_what_a_running_writer_has_committed_in_a_read_only_directory(tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="chipwatch-ro-"))
    writer = None
    try:
        path = a_store(directory)
        writer = open_db(path)  # a daemon: its committed run sits in the WAL, not checkpointed
        run = run_store.start_run(writer, "commerce", now="2026-11-30T10:00:00+00:00")
        run_store.finish_run(writer, run, status="ok", finish_reason="finished",
                             pages_fetched=3, now="2026-11-30T10:01:00+00:00")
        assert Path(f"{path}-wal").stat().st_size > 0
        directory.chmod(0o555)
        done = _as_plain_owner("status", "--db", str(path), "--config",
                               str(offline_config(tmp_path)))
        assert done.returncode == 0, done.stderr
        commerce = next(line for line in done.stdout.splitlines()
                        if line.startswith("commerce "))
        assert "2026-11-30" in commerce and "never" not in commerce
    finally:
        if writer is not None:
            writer.close()
        directory.chmod(0o755)
        shutil.rmtree(directory, ignore_errors=True)


@needs_root
def test_a_read_only_database_file_can_be_read(tmp_path):
    path = a_store(tmp_path)
    path.chmod(0o444)
    done = _as_plain_owner("status", "--db", str(path), "--config",
                           str(offline_config(tmp_path)))
    assert done.returncode == 0, done.stderr


def _in_a_mount_namespace(script: str) -> subprocess.CompletedProcess:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or not unshare:
        pytest.skip("needs root and unshare to mount a file system of its own")
    probe = subprocess.run([unshare, "-m", "sh", "-c", "mount -t tmpfs none /mnt"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a file system here: {probe.stderr.strip()}")
    return subprocess.run([unshare, "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=150, cwd=ROOT)


def test_status_on_a_read_only_file_system(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = a_store(data)
    config = offline_config(tmp_path)
    done = _in_a_mount_namespace(
        f"mount --bind {data} {data} && mount -o remount,ro,bind {data} && "
        f"{sys.executable} -m tracker.cli status --db {path} --config {config}; "
        f"echo status=$?; touch {data}/x 2>/dev/null || echo read-only")
    assert "status=0" in done.stdout, done.stderr
    assert "read-only" in done.stdout  # the mount really was read-only
    assert "Traceback" not in done.stderr


def test_a_full_disk_names_the_file_and_what_to_do(tmp_path):
    from tests.loopback import LoopbackServer
    from tests.test_crashes import big_batch

    mount = tmp_path / "small"
    mount.mkdir()
    seed = a_store(tmp_path)
    check = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
             "print('integrity', c.execute('pragma integrity_check').fetchone()[0]); "
             "print('documents', c.execute('select count(*) from documents').fetchone()[0])")
    with LoopbackServer(big_batch()) as server:
        config = write_config(tmp_path, {"federal_register": {
            "base_url": server.url, "agencies": ["industry-and-security-bureau"],
            "per_page": 1000, "first_run_days": 3650}})
        db = mount / "chipwatch.db"
        # room for the seed store (324 KiB with its schema) and a little of the crawl
        done = _in_a_mount_namespace(
            f"mount -t tmpfs -o size=360k tmpfs {mount} && cp {seed} {db} && "
            f"{sys.executable} -m tracker.cli run --no-digest --db {db} --config {config}; "
            f"echo exit=$?; {sys.executable} -c \"{check}\" {db}")
    assert "exit=2" in done.stdout, (done.stdout, done.stderr)
    assert (f"chipwatch: error: {db}: the disk holding the database is full; the change was "
            f"rolled back and nothing is half-written; free space in {mount}") in done.stderr
    assert "Traceback" not in done.stderr
    assert "integrity ok" in done.stdout and "documents 1" in done.stdout


def test_a_lock_held_after_opening_names_the_file(tmp_path):
    path = a_store(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin exclusive")
    try:
        done = chipwatch("run", "--db", str(path), "--no-digest", "--config",
                         str(offline_config(tmp_path)), timeout=90)
    finally:
        holder.execute("rollback")
        holder.close()
    assert done.returncode == 2
    assert f"chipwatch: error: {path}: the database is locked by another process" \
        in done.stderr


def test_a_full_disk_under_the_file_channel_is_retried_and_leaves_no_half_file(tmp_path):
    """Digest files on a disk that fills up: the delivery waits and is retried (not failed
    as a configuration error), and no partial file is left; once space is freed, `outbox
    retry` writes them."""
    from tests.alerting import add_document

    out = tmp_path / "digests"
    out.mkdir()
    db = open_db(tmp_path / "chipwatch.db")
    for i in range(30):
        add_document(db, f"bis:{i}", title=f"Entity List additions {i} " + "x" * 200,
                     tags=[("export_control", 0.9, "BIS adds entities. " * 20, "BIS")])
    db.close()
    config = write_config(tmp_path, {}, extra=f'[alerts.file]\ndirectory = "{out}"\n')
    cli = f"{sys.executable} -m tracker.cli"
    done = _in_a_mount_namespace(
        f"mount -t tmpfs -o size=256k tmpfs {out} && "
        f"head -c 240000 /dev/zero > {out}/filler; "
        f"{cli} digest --channel file --config {config}; echo digest=$?; "
        f"echo FULL; ls {out}; echo END; "
        f"rm {out}/filler; {cli} outbox retry --config {config}; echo retry=$?; echo FREED; "
        f"ls {out}")
    assert "digest=1" in done.stdout, (done.stdout, done.stderr)
    assert "not delivered, will retry" in done.stderr
    assert "No space left on device; free some space there" in done.stderr
    full = done.stdout.split("FULL")[1].split("END")[0]
    assert full.split() == ["filler"]  # no digest file, whole or partial
    assert "retry=0" in done.stdout, done.stdout
    freed = done.stdout.split("FREED")[1]
    assert freed.count("chipwatch-manual-") == 2 and ".partial" not in freed


def _store_before_this_release(directory: Path) -> Path:
    """A store made by the previous release: every migration up to m011."""
    from sqlite_utils import Database

    from store.schema import migrations
    path = directory / "chipwatch.db"
    db = Database(path)
    db.enable_wal()
    migrations.apply(db, stop_before="m011_digest_lists_and_notices")
    db.execute("pragma wal_checkpoint(truncate)")
    db.close()
    return path


def test_status_upgrades_an_earlier_store_it_may_write(tmp_path):
    path = _store_before_this_release(tmp_path)
    done = chipwatch("status", "--db", str(path), "--config", str(offline_config(tmp_path)))
    assert done.returncode == 0, done.stderr
    names = [r[0] for r in sqlite3.connect(path).execute("select name from _sqlite_migrations")]
    assert "m011_digest_lists_and_notices" in names


@needs_root
def test_status_on_an_earlier_store_it_may_not_write_says_what_to_do(tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="chipwatch-ro-"))
    try:
        path = _store_before_this_release(directory)
        directory.chmod(0o555)
        done = _as_plain_owner("status", "--db", str(path), "--config",
                               str(offline_config(tmp_path)))
        assert done.returncode == 2
        assert f"{path}: was made by an earlier chipwatch and must be upgraded first" \
            in done.stderr
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory, ignore_errors=True)
