"""Shared test fixtures: fresh databases, configurations pointed at loopback servers, and
the real `chipwatch` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.devsplit import shared_dir
from store import open_db
from vocab.sources import source_names

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = shared_dir()  # ../shared, also from a git worktree of the project
ALL_SOURCES = tuple(source_names())  # every registered source: those a test names are enabled


@pytest.fixture
def db():
    """A fresh in-memory store, closed after the test."""
    database = open_db(":memory:")
    yield database
    database.close()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "chipwatch.db"


def write_config(tmp_path: Path, sources: dict[str, str | dict], extra: str = "") -> Path:
    """A config.toml in tmp_path with only `sources` enabled, pointed at their base URLs
    (a string) or given as a table of keys (a dict), and a crawl tuned for loopback."""
    lines = [
        "[store]", f'path = "{tmp_path / "chipwatch.db"}"', "",
        "[crawl]", "download_delay = 0", "download_timeout = 10", "retry_times = 1",
        "crawl_timeout = 120", f'cache_dir = "{tmp_path / "httpcache"}"', "",
    ]
    for name in ALL_SOURCES:
        lines.append(f"[sources.{name}]")
        table = sources.get(name)
        if table is None:
            lines.append("enabled = false")
        else:
            table = {"base_url": table} if isinstance(table, str) else table
            lines.append("enabled = true")
            for key, value in table.items():
                lines.append(f"{key} = {_toml(value)}")
        lines.append("")
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n" + textwrap.dedent(extra), encoding="utf-8")
    return path


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def chipwatch(*args: str, env: dict | None = None, timeout: float = 300,
              input: str | None = None) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would, in a child process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CHIPWATCH_CONFIG", None) if env is None or "CHIPWATCH_CONFIG" not in env else None
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, input=input, cwd=ROOT)
