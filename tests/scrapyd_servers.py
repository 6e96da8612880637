"""Real Scrapyd servers for tests: each a plain `python -m scrapyd` process on 127.0.0.1, in a
directory of its own (its scrapyd.conf, eggs, logs, items, queues), started on a free port and
stopped (its whole process group, jobs included) when the test is done.

The directory is not the checkout, so a job imports chipwatch's spiders from the deployed
egg, as on a worker, not from the source tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.alerting import free_port
from tracker.scrapyd_api import ScrapydError, ScrapydServer

CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {root}/eggs
logs_dir = {root}/logs
items_dir = {root}/items
dbs_dir = {root}/dbs
jobs_to_keep = 50
finished_to_keep = 200
poll_interval = {poll_interval}
max_proc = {max_proc}
username = {username}
password = {password}
"""


class ScrapydProcess:
    def __init__(self, directory: Path, *, max_proc: int = 4, poll_interval: float = 0.2,
                 username: str = "", password: str = ""):
        self.directory = Path(directory)
        self.options = {"max_proc": max_proc, "poll_interval": poll_interval,
                        "username": username, "password": password}
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, **kwargs) -> ScrapydServer:
        return ScrapydServer(self.url, **kwargs)

    def start(self, timeout: float = 60) -> "ScrapydProcess":
        self.directory.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # a free port can be taken between choosing and binding it
            self.port = free_port()
            (self.directory / "scrapyd.conf").write_text(
                CONF.format(port=self.port, root=self.directory, **self.options),
                encoding="utf-8")
            log = open(self.directory / "scrapyd.out", "ab")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scrapyd", "--pidfile", str(self.directory / "pid")],
                cwd=self.directory, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
            log.close()
            if self._wait_until_up(timeout):
                return self
            self.stop()
        raise RuntimeError(f"Scrapyd did not start; see {self.directory / 'scrapyd.out'}")

    def _wait_until_up(self, timeout: float) -> bool:
        probe = ScrapydServer(self.url, timeout=2)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                probe.daemon_status()
                return True
            except ScrapydError as exc:
                if getattr(exc, "status", None) == 401:
                    return True  # up, and asking for a login
                time.sleep(0.2)
        return False

    def stop(self) -> None:
        """Kill the server and its running jobs, as when its machine goes down."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def __enter__(self) -> "ScrapydProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_for_job(servers: list[ScrapydProcess], project: str, spider: str, state: str,
                 timeout: float = 60) -> ScrapydProcess:
    """The server on which a job of `spider` is in `state` (pending, running or finished)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for server in servers:
            try:
                jobs = server.api(timeout=2).list_jobs(project)
            except ScrapydError:
                continue
            if any(job["spider"] == spider for job in jobs.get(state, [])):
                return server
        time.sleep(0.2)
    raise AssertionError(f"no {state} job of {spider} within {timeout} s")


def wait_for_log(server: ScrapydProcess, spider: str, text: str, timeout: float = 60) -> None:
    """Until the log of a running job of `spider` on `server` holds `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for job in server.api(timeout=2).list_jobs("chipwatch")["running"]:
            if job["spider"] == spider and job.get("log_url"):
                log = server.api(timeout=2).fetch(job["log_url"]) or b""
                if text.encode() in log:
                    return
        time.sleep(0.2)
    raise AssertionError(f"no running {spider} job logged {text!r} within {timeout} s")
