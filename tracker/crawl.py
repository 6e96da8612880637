"""Launching one crawl in a child process and judging its health from its stats."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from crawler import layout
from crawler.options import options_class
from tracker.config import Config

# Scrapy finish reasons that mean the crawl was stopped from outside, not that it failed.
INTERRUPTED_REASONS = {"shutdown", "cancelled"}

# Crawl children now running, so that a stopping daemon can interrupt them; and those it
# has interrupted, whose runs are recorded as interrupted whatever their stats say.
_running: set[subprocess.Popen] = set()
_interrupted: set[int] = set()
_running_lock = threading.Lock()

# After SIGTERM, Scrapy waits for requests in flight (up to the download timeout) before it
# closes; a crawl being interrupted gets this long, then SIGKILL.
KILL_AFTER = 5.0

# How often the parent looks for sources whose crawl has ended while the child goes on.
POLL = 0.05

# Crawls running elsewhere (a backend's jobs on other machines): each has `cancel(at_once)`.
_elsewhere: set = set()


def stop_all_crawls(*, at_once: bool = False, kill_after: float = KILL_AFTER) -> int:
    """Interrupt every running crawl: SIGTERM lets Scrapy close and write its stats; any
    child still running `kill_after` seconds later (or at once) gets SIGKILL. Returns within
    about `kill_after` seconds; each run is recorded as interrupted. Crawls running elsewhere
    are cancelled the same way."""
    with _running_lock:
        children = list(_running)
        remote = list(_elsewhere)
        _interrupted.update(child.pid for child in children)
    for child in children:
        _signal(child, signal.SIGKILL if at_once else signal.SIGTERM)
    cancelled = sum(crawls.cancel(at_once=at_once) for crawls in remote)
    deadline = time.monotonic() + (0 if at_once else kill_after)
    while time.monotonic() < deadline and any(c.poll() is None for c in children):
        time.sleep(0.1)
    for child in children:
        if child.poll() is None:
            _signal(child, signal.SIGKILL)
    return len(children) + cancelled


@contextlib.contextmanager
def running_elsewhere(crawls):
    """While a backend's crawls run, `stop_all_crawls` can reach them."""
    with _running_lock:
        _elsewhere.add(crawls)
    try:
        yield crawls
    finally:
        with _running_lock:
            _elsewhere.discard(crawls)


def _signal(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class CrawlResult:
    source: str
    documents: list[dict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    status: str = "ok"  # ok | failed | interrupted
    finish_reason: str = ""

    @property
    def pages_fetched(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def requests_sent(self) -> int:
        return int(self.stats.get("downloader/request_count", 0))

    @property
    def bytes_received(self) -> int:
        return int(self.stats.get("downloader/response_bytes", 0))


def build_spec(config: Config, source: str, *, mode: str = "routine", since: str | None = None,
               known: dict | None = None, max_pages: int | None = None) -> dict:
    """What a crawl child is told: the source's crawler options (not its schedule), the
    [crawl] settings, and what the store already knows."""
    options = config.source(source)
    crawler_keys = set(options_class(source).model_fields)
    crawl = config.crawl.model_dump(mode="json")
    crawl["cache_dir"] = str(config.cache_dir)
    return {
        "name": source,
        "source": options.model_dump(mode="json", include=crawler_keys),
        "crawl": crawl,
        "mode": mode,
        "since": since,
        "max_pages": max_pages if max_pages is not None else (
            None if mode == "backfill" else options.max_pages),
        "known": known or {},
    }


def run_crawl(spec: dict, *, timeout: float,
              on_log: Callable[[str], None] | None = None) -> CrawlResult:
    """One source's crawl in a child process of its own; never raises for a failing site."""
    return run_crawls([spec], timeout=timeout, on_log=on_log)[0]


def run_crawls(specs: list[dict], *, timeout: float,
               on_log: Callable[[str], None] | None = None,
               backend=None,
               on_result: Callable[[int, CrawlResult], None] | None = None,
               ) -> list[CrawlResult]:
    """Several sources' crawls at once, in one child process (`python -m crawler.run`): one
    Scrapy start-up for all of them, each source with its own crawler, politeness, stats and
    time limit. Results come back in the order of `specs`; never raises for a failing site.
    `on_result(index, result)` is called once for each spec, in the calling thread, as soon
    as that source's crawl has ended, while the others go on: the caller stores one source
    as the next is still crawling. A `backend` (tracker/scrapyd_crawls.py) runs them
    elsewhere instead, with the same contract (`on_result` included)."""
    if backend is not None:
        return backend.run(specs, timeout=timeout, on_log=on_log, on_result=on_result)
    started = time.monotonic()
    results: dict[int, CrawlResult] = {}

    def deliver(index: int, result: CrawlResult) -> None:
        results[index] = result
        if on_result:
            on_result(index, result)

    with tempfile.TemporaryDirectory(prefix="chipwatch-crawl-") as tmp:
        directories = []
        for spec in specs:
            directory = Path(tmp) / spec["name"]
            directory.mkdir()
            (directory / layout.SPEC).write_text(json.dumps(spec, ensure_ascii=False),
                                                 encoding="utf-8")
            directories.append(directory)
        command = [sys.executable, "-m", "crawler.run", *map(str, directories)]
        tail: deque[str] = deque(maxlen=20)
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True, encoding="utf-8", errors="replace",
                                 start_new_session=True)
        with _running_lock:
            _running.add(child)
        reader = threading.Thread(target=_relay, args=(child.stderr, tail, on_log), daemon=True)
        reader.start()
        timed_out = False
        try:
            while not _ended(child, until=min(started + timeout, time.monotonic() + POLL)):
                # a source whose report is written has ended: hand it over now
                for index, directory in enumerate(directories):
                    if index not in results and (directory / layout.REPORT).exists():
                        deliver(index, _result(specs[index]["name"], directory,
                                               time.monotonic() - started, False, timeout,
                                               child, tail, _was_interrupted(child)))
                if time.monotonic() >= started + timeout:
                    timed_out = True
                    _stop(child)
                    break
        except BaseException:
            _stop(child)
            raise
        finally:
            with _running_lock:
                _running.discard(child)
                interrupted = child.pid in _interrupted
                _interrupted.discard(child.pid)
        reader.join(timeout=5)
        seconds = time.monotonic() - started
        for index, (spec, directory) in enumerate(zip(specs, directories, strict=True)):
            if index not in results:
                deliver(index, _result(spec["name"], directory, seconds, timed_out, timeout,
                                       child, tail, interrupted))
    return [results[index] for index in range(len(specs))]


def _ended(child: subprocess.Popen, *, until: float) -> bool:
    """Whether the child has exited, waiting for it at most until `until` (monotonic)."""
    try:
        child.wait(timeout=max(0.0, until - time.monotonic()))
    except subprocess.TimeoutExpired:
        return False
    return True


def _was_interrupted(child: subprocess.Popen) -> bool:
    with _running_lock:
        return child.pid in _interrupted


def _result(source: str, directory: Path, seconds: float, timed_out: bool, timeout: float,
            child: subprocess.Popen, tail: deque, interrupted: bool = False) -> CrawlResult:
    report = _read_json(directory / layout.REPORT)
    result = CrawlResult(source=source, documents=_read_items(directory / layout.ITEMS),
                         stats=report.get("stats", {}),
                         problems=list(report.get("problems", [])))
    result.seconds = float(result.stats.get("elapsed_time_seconds") or seconds)
    result.finish_reason = str(result.stats.get("finish_reason", ""))
    if interrupted and result.finish_reason != "finished":
        # stopped from outside before this source ended: not a verdict on the site
        result.problems = []
        result.finish_reason = "interrupted: chipwatch was stopping"
        result.status = "interrupted"
        return result
    if timed_out and result.finish_reason != "finished":
        result.problems.append(f"{source}: the crawl took longer than crawl_timeout "
                               f"({timeout:.0f} s) and was stopped")
        result.finish_reason = result.finish_reason or "timeout"
        result.status = "failed"
        return result
    if not report:
        detail = " | ".join(line for line in tail if "Error" in line or "error" in line)
        result.problems.append(f"{source}: the crawl process ended without a report "
                               f"(exit status {child.returncode}){': ' + detail if detail else ''}")
        result.finish_reason = result.finish_reason or f"exit {child.returncode}"
    result.status = judge(result)
    return result


def judge(result: CrawlResult) -> str:
    """Health from stats, not exit codes: problems, an abnormal finish or no page at all."""
    if result.finish_reason in INTERRUPTED_REASONS:
        return "interrupted"
    if result.problems:
        return "failed"
    if result.finish_reason != "finished":
        result.problems.append(f"{result.source}: the crawl ended early "
                               f"({result.finish_reason or 'no finish reason'})")
        return "failed"
    if result.pages_fetched == 0:
        result.problems.append(f"{result.source}: no page could be fetched")
        return "failed"
    return "ok"


def _relay(stream, tail: deque, on_log) -> None:
    for line in stream:
        line = line.rstrip("\n")
        tail.append(line)
        if on_log:
            on_log(line)


def _stop(child: subprocess.Popen) -> None:
    """SIGTERM (Scrapy shuts down cleanly and writes its stats), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _read_items(path: Path) -> list[dict]:
    documents = []
    if not path.exists():
        return documents
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                documents.append(json.loads(line))
            except ValueError:
                break  # a line cut short by a killed child: drop it, never store half a document
    return documents


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
