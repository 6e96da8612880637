"""Bad input through the real command line: every configuration key with a wrong type, keys
with wrong values, an unreadable, locked or damaged database. Each ends with an error naming
what is wrong and what to do, exit status 2, no traceback, and no damage to the file."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import get_args, get_origin

import pytest
from pydantic import BaseModel

from alerts.settings import KINDS, AlertsConfig
from crawler.spiders.federal_register import document_from_result
from store import open_db
from store.documents import upsert_documents
from tests.conftest import ROOT, chipwatch, write_config
from tests.fr_pages import real_results
from tests.test_faults import dead_port
from tracker import cli
from tracker.config import config_model

pytestmark = pytest.mark.timeout(120)

# The smallest valid table of each alert channel (their required keys).
REQUIRED = {
    "email": {"smtp_host": '"127.0.0.1"', "from": '"a@example.org"', "to": '["b@example.org"]'},
    "slack": {"webhook_url_env": '"CHIPWATCH_SLACK_URL"'},
    "webhook": {"url": '"http://127.0.0.1:9/hook"', "secret_env": '"CHIPWATCH_HOOK_SECRET"'},
    "file": {}, "stdout": {},
}


def _model(annotation):
    """The pydantic model a field holds (also inside `Model | None`), else None."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_list(annotation) -> bool:
    return get_origin(annotation) is list or any(
        get_origin(a) is list for a in get_args(annotation))


def leaf_keys(model=None, section=()):
    """(section path, key, annotation) for every key a user can write in config.toml."""
    model = model or config_model()
    if model is AlertsConfig:  # a table per channel: each kind's keys, under its own name
        for kind in KINDS:
            yield from leaf_keys(AlertsConfig.kind_model(kind), (*section, kind))
        return
    for name, info in model.model_fields.items():
        if info.exclude:
            continue  # `origin` is set by chipwatch, never read from the file
        key = info.alias or name
        inner = _model(info.annotation)
        if inner is not None:
            yield from leaf_keys(inner, (*section, key))
        else:
            yield section, key, info.annotation


def wrong_type_cases():
    cases = []
    for section, key, annotation in leaf_keys():
        wrong = '{ oops = 1 }' if _is_list(annotation) else "[1, 2]"
        table = dict(REQUIRED.get(section[-1], {})) if section[:1] == ("alerts",) else {}
        table[key] = wrong
        cases.append(pytest.param(section, table, key,
                                  id=".".join((*section, key)) + " wrong type"))
    return cases


def render(section: tuple, table: dict) -> str:
    head = f"[{'.'.join(section)}]\n" if section else ""
    return head + "".join(f"{k} = {v}\n" for k, v in table.items())


def key_label(section: tuple, key: str) -> str:
    return f"[{'.'.join(section)}] {key}" if section else key


def run_cli(capsys, *argv) -> tuple[int, str]:
    """The real `chipwatch` entry point, in this process (hundreds of cases stay quick);
    a few cases below also run it as a child process."""
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def test_the_walk_covers_every_section():
    sections = {section[:2] for section, _, _ in leaf_keys()}
    assert {("store",), ("crawl",), ("sources", "bis"), ("sources", "trendforce"),
            ("daemon",), ("alerts", "email"), ("alerts", "slack"), ("alerts", "file"),
            ("alerts", "stdout"), ("alerts", "webhook"), ("classifier",)} <= sections
    assert len(list(leaf_keys())) > 100


@pytest.mark.parametrize("section, table, key", wrong_type_cases())
def test_every_key_with_a_wrong_type_is_named_with_status_2(tmp_path, capsys, section, table, key):
    path = tmp_path / "config.toml"
    path.write_text(render(section, table), encoding="utf-8")
    code, err = run_cli(capsys, "status", "--config", str(path), "--db", str(tmp_path / "x.db"))
    assert code == 2, err
    assert err.startswith(f"chipwatch: error: {path}: invalid configuration")
    assert key_label(section, key) in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "x.db").exists()  # refused before the store was touched


WRONG_VALUES = [
    ("[crawl]\ndownload_delay = -1\n", "[crawl] download_delay", "greater than or equal to 0"),
    ("[crawl]\nretry_times = -1\n", "[crawl] retry_times", "greater than or equal to 0"),
    ("[crawl]\ncrawl_timeout = 1\n", "[crawl] crawl_timeout", "greater than or equal to 5"),
    ("[crawl]\nmax_response_mb = 0\n", "[crawl] max_response_mb", "greater than or equal to 1"),
    ('[sources.bis]\nbase_url = "ftp://www.bis.gov"\n', "[sources.bis] base_url",
     "is not a site origin; write it like https://www.example.gov"),
    ('[sources.commerce]\nbase_url = "https://www.commerce.gov/news"\n',
     "[sources.commerce] base_url", "is not a site origin"),
    ('[sources.tsmc]\nevery = "often"\n', "[sources.tsmc] every",
     "is not a duration; write a number and a unit"),
    ('[sources.tsmc]\nevery = "0m"\n', "[sources.tsmc] every", "give a duration longer than zero"),
    ('[sources.tsmc]\ncron = "61 * * * *"\n', "[sources.tsmc] cron", "is not a crontab line"),
    ("[sources.commerce]\nsections = []\n", "[sources.commerce] sections", "at least 1 item"),
    ("[sources.trendforce]\nstale_after_days = 0\n", "[sources.trendforce] stale_after_days",
     "greater than 0"),
    ('[sources.trendforce]\nlanguages = ["zh-Hant"]\n', "[sources.trendforce] languages[0]",
     "'zh-Hant' is not allowed; choose one of"),
    ('[sources.federal_register]\nagencies = ["Industry and Security"]\n',
     "[sources.federal_register] agencies", "lower case with hyphens"),
    ("[sources.federal_register]\nper_page = 0\n", "[sources.federal_register] per_page",
     "greater than or equal to 1"),
    ('[daemon]\ntimezone = "Mars/Olympus"\n', "[daemon] timezone", "write an IANA name"),
    ('[daemon]\noutbox_every = "10 minutes"\n', "[daemon] outbox_every", "is not a duration"),
    ('[daemon]\noutbox_every = "0s"\n', "[daemon] outbox_every", "longer than zero"),
    ("[crawl]\nretry_times = 10000000000000000000\n", "[crawl] retry_times",
     "less than or equal to 20"),
    ('[alerts.file]\ndaily_at = "25:00"\n', "[alerts.file] daily_at", "write it as HH:MM"),
    ('[alerts.file]\nquiet_hours = "22:00"\n', "[alerts.file] quiet_hours",
     "should be two times, e.g. 22:00-07:00"),
    ('[alerts.file]\ntimezone = "Taipei"\n', "[alerts.file] timezone", "write an IANA name"),
    ('[alerts.file]\ncategories = ["tariff"]\nurgent = ["alliance"]\n', "[alerts.file]:",
     "add them there too"),
    ('[alerts.file]\nsources = ["nasa"]\n', "[alerts.file] sources[0]", "'nasa' is not allowed"),
    ('[alerts.email]\nsmtp_host = "h"\nfrom = "a@b"\nto = ["c@d"]\nsmtp_port = 70000\n',
     "[alerts.email] smtp_port", "less than or equal to 65535"),
    ('[alerts.email]\nsmtp_host = "h"\nfrom = "a@b"\nto = ["c@d"]\nsecurity = "tls"\n',
     "[alerts.email] security", "'tls' is not allowed; choose one of"),
    ('[alerts.email]\nsmtp_host = "h"\nfrom = "a@b"\nto = []\n', "[alerts.email] to",
     "at least 1 item"),
    ('[alerts.email]\nsmtp_host = "h"\nfrom = "a@b"\nto = ["c@d"]\npassword_env = "PW"\n',
     "[alerts.email]:", "set username too"),
    ('[alerts.email]\nfrom = "a@b"\nto = ["c@d"]\n', "[alerts.email] smtp_host", "field required"),
    ("[alerts.slack]\n", "[alerts.slack] webhook_url_env", "field required"),
    ('[browse]\nurl = "javascript:alert(1)"\n', "[browse] url", "is not an http(s) address"),
    ('[browse]\nurl = "127.0.0.1:8001"\n', "[browse] url", "is not an http(s) address"),
    ("[alerts.file]\nmax_entries = 0\n", "[alerts.file] max_entries",
     "greater than or equal to 1"),
    ("[alerts.slack]\nwebhook_url_env = \"W\"\nmax_bytes = 500\n", "[alerts.slack] max_bytes",
     "greater than or equal to 10000"),
    ('[daemon]\nhealth_notice_interval = "0s"\n', "[daemon] health_notice_interval",
     "longer than zero"),
    ("[classifier]\nmin_score = 0\n", "[classifier] min_score", "greater than 0"),
    ("[classifier]\nmax_evidence = 50\n", "[classifier] max_evidence", "less than or equal to 20"),
    ('[stor]\npath = "x.db"\n', "stor: unknown key; did you mean 'store'?", ""),
    ('origin = "/etc"\n', "origin: unknown key", "taken from the file's own directory"),
    ("[crawl]\ndownload_delay = 1\ndownload_delay = 2\n", "not valid TOML", "Cannot overwrite"),
]


@pytest.mark.parametrize("text, key, words", WRONG_VALUES, ids=[w[1] for w in WRONG_VALUES])
def test_wrong_values_are_named_with_what_is_expected(tmp_path, capsys, text, key, words):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    code, err = run_cli(capsys, "status", "--config", str(path), "--db", str(tmp_path / "x.db"))
    assert code == 2, err
    assert str(path) in err and key in err and words in err, err
    assert "Traceback" not in err


def test_a_wrong_type_through_the_installed_command_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[sources.tsmc]\nlanguages = \"en\"\n", encoding="utf-8")
    done = chipwatch("run", "--config", str(path))
    assert done.returncode == 2
    assert "[sources.tsmc] languages: input should be a valid list (got 'en')" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_config_named_by_the_environment_but_missing(tmp_path):
    missing = tmp_path / "nowhere.toml"
    done = chipwatch("status", env={"CHIPWATCH_CONFIG": str(missing)})
    assert done.returncode == 2
    assert f"{missing}: configuration file not found (named by $CHIPWATCH_CONFIG)" in done.stderr
    assert "Traceback" not in done.stderr


# -- the database -------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_store(directory: Path) -> Path:
    path = directory / "chipwatch.db"
    db = open_db(path)
    upsert_documents(db, [document_from_result(real_results()[0])])
    db.execute("pragma wal_checkpoint(truncate)")
    db.close()
    return path


def offline_config(tmp_path: Path) -> Path:
    """One source, pointed at a closed port on this machine: nothing can leave it."""
    return write_config(tmp_path, {"commerce": f"http://127.0.0.1:{dead_port()}"})


# Root reads any file: the command runs without the capabilities that let it (it stays root,
# so it can still read the checkout and its environment wherever they were cloned).
AS_A_PLAIN_OWNER = ("--bounding-set=-dac_override,-dac_read_search",
                    "--inh-caps=-dac_override,-dac_read_search")


def test_a_database_this_user_may_not_read(tmp_path):
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        pytest.skip("needs root and setpriv to run the command without file-permission "
                    "overrides")
    directory = Path(tempfile.mkdtemp(prefix="chipwatch-perm-"))
    try:
        path = a_store(directory)
        path.chmod(0o000)
        before = digest(path)
        done = subprocess.run(
            [setpriv, *AS_A_PLAIN_OWNER, sys.executable,
             "-m", "tracker.cli", "status", "--db", str(path)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if k != "CHIPWATCH_CONFIG"})
        assert done.returncode == 2, done.stderr
        assert (f"{path}: cannot open the database for reading and writing" in done.stderr
                and "owner, mode" in done.stderr)
        assert "Traceback" not in done.stderr
        assert digest(path) == before
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_a_directory_where_the_database_should_be(tmp_path):
    (tmp_path / "chipwatch.db").mkdir()
    done = chipwatch("status", "--db", str(tmp_path / "chipwatch.db"))
    assert done.returncode == 2
    assert "is a directory, not a database file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_database_locked_by_another_process(tmp_path):
    path = a_store(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("begin exclusive")
    holder.execute("update documents set title = 'held'")
    try:
        started = time.monotonic()
        done = chipwatch("run", "--db", str(path), "--no-digest", "--config",
                         str(offline_config(tmp_path)), timeout=90)
        waited = time.monotonic() - started
    finally:
        holder.execute("rollback")
        holder.close()
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "the database is locked by another process" in done.stderr
    assert "try again when it has finished" in done.stderr
    assert "Traceback" not in done.stderr
    assert waited >= 10  # it waited for the lock before giving up (busy timeout 15 s)
    conn = sqlite3.connect(path)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("select title from documents").fetchall() == [(real_results()[0]["title"],)]
    assert conn.execute("select count(*) from crawl_runs").fetchone() == (0,)
    conn.close()


@pytest.mark.parametrize("damage", ["header", "pages"])
def test_a_damaged_database_is_named_and_left_byte_for_byte(tmp_path, damage):
    path = a_store(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "header":
        data[:16] = b"not a database!!"
    else:  # the header is sound, the tables' pages are not
        for offset in range(4096, len(data), 4096):
            data[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    for name in ("chipwatch.db-wal", "chipwatch.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    before = digest(path)
    config = offline_config(tmp_path)
    for command in (["status"], ["run", "--no-digest"]):
        done = chipwatch(*command, "--db", str(path), "--config", str(config), timeout=90)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "is not a usable SQLite database" in done.stderr
        assert "restore it from a backup" in done.stderr
        assert "Traceback" not in done.stderr
        assert digest(path) == before


def test_classify_fed_bytes_that_are_not_utf8():
    """Malformed JSON lines are covered by test_classify_commands; this adds bytes that are not
    text at all."""
    done = subprocess.run([sys.executable, "-m", "tracker.cli", "classify"], cwd=ROOT,
                          input=b'{"title": "Section 232 tariffs"}\n\xff\xfe{"title": 1\n',
                          capture_output=True, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 2
    assert "<stdin>:2: not UTF-8 text (byte 1); line skipped" in err
    assert "Traceback" not in err
    assert done.stdout.decode().count("\n") == 1
