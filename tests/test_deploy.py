"""The systemd unit: systemd's own checker accepts it, following its header puts every path
chipwatch writes under its StateDirectory= or CacheDirectory=, and a daemon configured to
write on a read-only file system (what ProtectSystem= makes of /etc) refuses to start and
says which key to change. See docs/reliability.md."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tracker.config import parse

UNIT = ROOT / "deploy" / "chipwatch.service"
SETTING = re.compile(r"^#\s+\[(?P<section>[\w.]+)\] (?P<key>\w+) = (?P<value>\".*\")\s*$")


def unit_values(name: str) -> list[str]:
    return [line.split("=", 1)[1].strip() for line in UNIT.read_text().splitlines()
            if line.startswith(f"{name}=")]


def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed here")
    command = Path(sys.executable).with_name("chipwatch")
    assert command.exists()
    # The unit as installed, with ExecStart pointing at this checkout's command (systemd
    # checks that the program exists).
    unit = tmp_path / "chipwatch.service"
    unit.write_text(UNIT.read_text().replace("/opt/chipwatch/bin/chipwatch", str(command)))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                          timeout=60)
    if "Failed to" in done.stderr and "bus" in done.stderr.lower():
        pytest.skip(f"systemd-analyze cannot run here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == ""  # not even a warning


def test_following_the_header_puts_every_written_path_under_state_or_cache():
    [state] = unit_values("StateDirectory")
    [cache] = unit_values("CacheDirectory")
    [config_env] = [v for v in unit_values("Environment") if v.startswith("CHIPWATCH_CONFIG=")]
    origin = Path(config_env.split("=", 1)[1])
    writable = [Path("/var/lib") / state, Path("/var/cache") / cache]
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    told = [SETTING.match(line) for line in UNIT.read_text().splitlines()]
    told = [m for m in told if m]
    assert {m["section"] for m in told} >= {"store", "crawl", "alerts.file"}
    for match in told:
        table = raw
        for part in match["section"].split("."):
            table = table.setdefault(part, {})
        table[match["key"]] = tomllib.loads(f"v = {match['value']}")["v"]
    config = parse(raw, origin=origin)
    paths = config.writable_paths()
    assert {key for key, _ in paths} == {"[store] path", "[crawl] cache_dir",
                                         "[alerts.file] directory"}
    for key, path in paths:
        assert any(path == root or root in path.parents for root in writable), (key, path)
    assert config.cache_dir.is_relative_to(Path("/var/cache") / cache)
    # ...and without the header's settings, the shipped file would write under /etc.
    plain = parse(tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8")),
                  origin=origin)
    assert all(path.is_relative_to(origin.parent) for _, path in plain.writable_paths())


def test_a_daemon_that_would_write_on_a_read_only_file_system_refuses_to_start(tmp_path):
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or not unshare:
        pytest.skip("needs root and unshare to mount a read-only file system")
    etc = tmp_path / "etc"
    state = tmp_path / "state"
    etc.mkdir()
    state.mkdir()
    # The shipped file with only [store] path changed, in a directory mounted read-only:
    # what the unit's ProtectSystem=strict makes of /etc/chipwatch.
    text = (ROOT / "config.toml").read_text(encoding="utf-8").replace(
        'path = "data/chipwatch.db"', f'path = "{state / "chipwatch.db"}"')
    (etc / "config.toml").write_text(text, encoding="utf-8")
    script = (f"mount --bind {etc} {etc} && mount -o remount,ro,bind {etc} && "
              f"{sys.executable} -m tracker.cli daemon --config {etc / 'config.toml'}; "
              f"echo exit=$?")
    done = subprocess.run([unshare, "-m", "sh", "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    if "exit=" not in done.stdout:
        pytest.skip(f"cannot mount a read-only file system here: {done.stderr.strip()}")
    assert "exit=2" in done.stdout, done.stderr
    assert "the daemon cannot write where the configuration says" in done.stderr
    assert f"[crawl] cache_dir = {etc / 'data' / 'httpcache'}: cannot be made" in done.stderr
    assert f"[alerts.file] directory = {etc / 'data' / 'digests'}: cannot be made" \
        in done.stderr
    assert "[store] path" not in done.stderr  # that one is writable
    assert "CacheDirectory=" in done.stderr and "Traceback" not in done.stderr
    assert not (state / "chipwatch.db").exists()  # refused before anything was written
