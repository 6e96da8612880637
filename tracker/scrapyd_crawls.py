"""Crawls as Scrapyd jobs ([crawl] backend = "scrapyd"), with the contract of the local child:
crawl specs in, one CrawlResult per source out, health judged from the stats.

Each source becomes a job on the least busy server that answers (`schedule.json`, the spec as
spider arguments, the [crawl] settings as job settings, the version of the egg this chipwatch
would deploy). Jobs are followed with `listjobs.json`; a finished job's items and report are
read from the server's `/items/` (its item feed, and the report the job writes beside it). A
job past `crawl_timeout`, or every job when chipwatch stops, is cancelled (`cancel.json`:
SIGINT, so Scrapy closes cleanly and reports; SIGKILL if it does not). A server that cannot be
reached is skipped; one that stops answering while its jobs run fails those runs, naming it.
The daemon stays the only writer of the store: workers only crawl.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from crawler.jobs import REPORT_SUFFIX, SpecTooLarge, encode_spec
from crawler.options import CrawlSettings
from crawler.settings import configured
from tracker.crawl import CrawlResult, judge, running_elsewhere
from tracker.scrapyd_api import ScrapydError, ScrapydServer, ServerDown
from tracker.scrapyd_deploy import egg_version

log = logging.getLogger("chipwatch.scrapyd")

POLL_SECONDS = 0.5
# A cancelled job gets this long to close and report before it is killed, then as long again.
CANCEL_GRACE = 10.0
_LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")
# Settings the daemon's configuration must not decide for a worker: its HTTP cache is its own.
_WORKER_OWN = {"HTTPCACHE_DIR"}


@dataclass
class ServerState:
    """What one run knows of a server: whether it answers, and how busy it is."""
    api: ScrapydServer
    load: int = 0  # running + pending jobs, ours included
    down: str = ""  # why it could not be reached ("" when it answers)
    last_answer: float = field(default_factory=time.monotonic)


@dataclass
class Job:
    spec: dict
    source: str
    id: str = ""
    server: ServerState | None = None
    state: str = "new"  # new | pending | running | done
    scheduled_at: float = 0.0
    cancelled_at: float | None = None
    killed_at: float | None = None
    timed_out: bool = False
    unlisted_since: float | None = None
    log_offset: int = 0
    log_rest: str = ""
    result: CrawlResult | None = None


def probe(servers: list[ScrapydServer]) -> list[ServerState]:
    """Every server's load, or why it is down."""
    states = []
    for server in servers:
        state = ServerState(server)
        try:
            status = server.daemon_status()
            state.load = int(status.get("running", 0)) + int(status.get("pending", 0))
        except ScrapydError as exc:
            state.down = str(exc)
        states.append(state)
    return states


def servers_of(settings: CrawlSettings, *, timeout: float = 10.0) -> list[ScrapydServer]:
    return [ScrapydServer(url, username=settings.scrapyd_username,
                          password=settings.scrapyd_password(), timeout=timeout)
            for url in settings.scrapyd_urls]


def describe_servers(settings: CrawlSettings) -> list[str]:
    """One line per configured server: up (how busy, whether this chipwatch's spiders are
    deployed there) or down (why)."""
    version = egg_version()
    lines = []
    width = max(len(url) for url in settings.scrapyd_urls)
    for state in probe(servers_of(settings, timeout=5)):
        url = state.api.url.ljust(width)
        if state.down:
            lines.append(f"{url}  DOWN: {state.down.removeprefix(state.api.url + ': ')}; "
                         f"its share of "
                         f"the crawls goes to the others")
            continue
        try:
            deployed = version in state.api.list_versions(settings.scrapyd_project)
            spiders = "spiders deployed" if deployed else (
                "spiders NOT deployed (run `chipwatch scrapyd deploy`)")
        except ScrapydError as exc:
            spiders = f"versions unknown ({exc})"
        lines.append(f"{url}  up: {state.load} job{'s' if state.load != 1 else ''} running or "
                     f"pending; {spiders}")
    return lines


class ScrapydBackend:
    def __init__(self, settings: CrawlSettings, *, poll_seconds: float = POLL_SECONDS):
        self.settings = settings
        self.project = settings.scrapyd_project
        self.servers = servers_of(settings)
        self.poll_seconds = poll_seconds
        self.unreachable_after = float(settings.scrapyd_unreachable_seconds)
        self.jobs: list[Job] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._on_log: Callable[[str], None] | None = None

    # -- the contract ----------------------------------------------------------------------

    def run(self, specs: list[dict], *, timeout: float,
            on_log: Callable[[str], None] | None = None,
            on_result: Callable[[int, CrawlResult], None] | None = None) -> list[CrawlResult]:
        self._on_log = on_log
        self.jobs = [Job(spec=spec, source=spec["name"]) for spec in specs]
        delivered: set[int] = set()
        with running_elsewhere(self):
            try:
                states = probe(self.servers)
                for state in states:
                    if state.down:
                        self._say(logging.WARNING, f"{state.api.url} is down, skipped "
                                                   f"({state.down})")
                for job in self.jobs:
                    self._schedule(job, states, timeout)
                self._deliver(delivered, on_result)
                while self._active():
                    self._follow(states, timeout)
                    self._deliver(delivered, on_result)
                    if self._active():
                        time.sleep(self.poll_seconds)
                self._deliver(delivered, on_result)
            except BaseException:
                self.cancel(at_once=False)
                raise
        return [job.result for job in self.jobs]

    def _deliver(self, delivered: set[int], on_result) -> None:
        """Hand each job's result over once, in the calling thread, as soon as it is done."""
        with self._lock:
            done = [(index, job.result) for index, job in enumerate(self.jobs)
                    if job.state == "done" and index not in delivered]
        for index, result in done:
            delivered.add(index)
            if on_result:
                on_result(index, result)

    def cancel(self, *, at_once: bool = False) -> int:
        """Cancel every job not yet done (from any thread): SIGINT lets Scrapy close and
        report (the run is interrupted); `at_once` kills."""
        self._stopping.set()
        with self._lock:
            jobs = [job for job in self.jobs if job.state in ("pending", "running")]
        for job in jobs:
            self._cancel(job, kill=at_once)
        return len(jobs)

    # -- scheduling ------------------------------------------------------------------------

    def _schedule(self, job: Job, states: list[ServerState], timeout: float) -> None:
        if self._stopping.is_set():
            self._finish(job, CrawlResult(source=job.source, status="interrupted",
                                          finish_reason="cancelled"))
            return
        try:
            arguments = encode_spec(job.spec)
        except SpecTooLarge as exc:
            self._fail(job, f"{job.source}: {exc}; crawl it with backend = \"local\"",
                       "spec too large")
            return
        settings = {key: _setting_text(value)
                    for key, value in configured(self.settings).items()
                    if key not in _WORKER_OWN}
        refusals = []
        # Least busy first; among equals, the order of scrapyd_urls.
        for state in sorted((s for s in states if not s.down), key=lambda s: s.load):
            job_id = f"{job.source}-{uuid.uuid4().hex[:16]}"
            try:
                state.api.schedule(self.project, job.source, job_id=job_id,
                                      version=egg_version(), settings=settings,
                                      arguments=arguments)
            except ServerDown as exc:
                state.down = str(exc)
                self._say(logging.WARNING, f"{state.api.url} is down, skipped ({exc})")
                continue
            except ScrapydError as exc:
                refusals.append(str(exc))
                continue
            state.load += 1
            state.last_answer = time.monotonic()
            with self._lock:
                job.id, job.server, job.state = job_id, state, "pending"
                job.scheduled_at = time.monotonic()
            self._say(logging.INFO, f"{job.source}: job {job_id} on {state.api.url}")
            return
        down = [f"{s.api.url} ({s.down})" for s in states if s.down]
        reasons = refusals + ([f"down: {', '.join(down)}"] if down else [])
        hint = (" (run `chipwatch scrapyd deploy` to upload this chipwatch's spiders)"
                if any("not found" in r for r in refusals) else "")
        self._fail(job, f"{job.source}: no Scrapyd server took the job: "
                        f"{'; '.join(reasons) or 'none is configured'}{hint}", "not scheduled")

    # -- following ---------------------------------------------------------------------------

    def _follow(self, states: list[ServerState], timeout: float) -> None:
        now = time.monotonic()
        for state in states:
            jobs = [j for j in self._active() if j.server is state]
            if not jobs:
                continue
            try:
                listing = state.api.list_jobs(self.project)
            except ScrapydError as exc:
                # Silence (or errors) for a while: a blip is waited out, a dead server is not.
                if now - state.last_answer >= self.unreachable_after:
                    state.down = str(exc)
                    for job in jobs:
                        self._fail(job, f"{job.source}: the Scrapyd server {state.api.url} "
                                        f"stopped answering while job {job.id} ran ({exc}); "
                                        f"nothing it crawled could be read", "worker lost")
                continue
            state.last_answer = now
            where = {entry["id"]: kind for kind in ("pending", "running", "finished")
                     for entry in listing.get(kind, [])}
            for job in jobs:
                self._step(job, where.get(job.id), timeout, now)

    def _step(self, job: Job, listed: str | None, timeout: float, now: float) -> None:
        if listed in ("pending", "running"):
            job.state, job.unlisted_since = listed, None
            if listed == "running":
                self._relay_log(job)
        elif listed == "finished":
            self._collect(job)
            return
        else:
            # Not listed: a server restarted (it forgets its jobs) or one that keeps few
            # finished jobs. The report, if the job wrote one, still tells.
            job.unlisted_since = job.unlisted_since or now
            if self._report(job) is not None:
                self._collect(job)
                return
            if now - job.unlisted_since >= self.unreachable_after:
                self._fail(job, f"{job.source}: the Scrapyd server {job.server.api.url} no "
                                f"longer knows job {job.id} (was it restarted?) and it left "
                                f"no report", "job lost")
                return
        if job.cancelled_at is None and now - job.scheduled_at >= timeout:
            job.timed_out = True
            self._cancel(job)
        elif job.cancelled_at is not None and job.killed_at is None \
                and now - job.cancelled_at >= CANCEL_GRACE:
            self._cancel(job, kill=True)
        elif job.killed_at is not None and now - job.killed_at >= CANCEL_GRACE:
            self._fail(job, f"{job.source}: job {job.id} on {job.server.api.url} did not "
                            f"stop when cancelled", "not stopped")

    def _cancel(self, job: Job, *, kill: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if kill:
                job.killed_at = now
            job.cancelled_at = job.cancelled_at or now
        try:
            before = job.server.api.cancel(self.project, job.id,
                                              signal="KILL" if kill else "INT")
        except ScrapydError as exc:
            log.warning("could not cancel job %s on %s: %s", job.id, job.server.api.url, exc)
            return
        if before == "pending":  # taken off the queue: it never ran, and reports nothing
            if job.timed_out:
                self._fail(job, f"{job.source}: job {job.id} waited on "
                                f"{job.server.api.url} longer than crawl_timeout without "
                                f"starting (the servers are busy) and was cancelled", "timeout")
            else:
                self._finish(job, CrawlResult(source=job.source, status="interrupted",
                                              finish_reason="cancelled"))

    # -- results -----------------------------------------------------------------------------

    def _collect(self, job: Job) -> None:
        server = job.server.api
        self._relay_log(job, final=True)
        report = self._report(job)
        try:
            items = server.fetch(self._file(job, ".jl"))
        except ScrapydError as exc:
            items, report = None, report or {}
            report.setdefault("problems", []).append(
                f"{job.source}: the items of job {job.id} could not be read from "
                f"{server.url} ({exc})")
        result = CrawlResult(source=job.source, documents=_documents(items or b""),
                             stats=dict((report or {}).get("stats", {})),
                             problems=list((report or {}).get("problems", [])))
        result.stats.update({"scrapyd/server": server.url, "scrapyd/job": job.id})
        result.seconds = float(result.stats.get("elapsed_time_seconds")
                               or time.monotonic() - job.scheduled_at)
        result.finish_reason = str(result.stats.get("finish_reason", ""))
        if job.timed_out and result.finish_reason != "finished":
            result.problems.append(f"{job.source}: the crawl took longer than crawl_timeout "
                                   f"and job {job.id} on {server.url} was cancelled")
            result.finish_reason = result.finish_reason or "timeout"
            result.status = "failed"
        elif report is None and job.cancelled_at is not None:
            # Stopped by chipwatch before Scrapy could close it cleanly (still starting up).
            result.status, result.finish_reason = "interrupted", "cancelled"
        else:
            if report is None:
                where = "" if items is not None else (
                    "; neither items nor report are under its /items/ (is items_dir set in "
                    "the server's scrapyd.conf?)")
                result.problems.append(f"{job.source}: job {job.id} on {server.url} ended "
                                       f"without a report{where}{self._log_errors(job)}")
                result.finish_reason = result.finish_reason or "job died"
            result.status = judge(result)
        self._finish(job, result)

    def _report(self, job: Job) -> dict | None:
        try:
            raw = job.server.api.fetch(self._file(job, REPORT_SUFFIX))
        except ScrapydError:
            return None
        try:
            return json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            return None

    def _fail(self, job: Job, problem: str, reason: str) -> None:
        stats = {"scrapyd/server": job.server.api.url, "scrapyd/job": job.id} \
            if job.server else {}
        self._finish(job, CrawlResult(source=job.source, problems=[problem], stats=stats,
                                      status="failed", finish_reason=reason,
                                      seconds=time.monotonic() - job.scheduled_at
                                      if job.scheduled_at else 0.0))

    def _finish(self, job: Job, result: CrawlResult) -> None:
        with self._lock:
            job.result, job.state = result, "done"

    def _active(self) -> list[Job]:
        with self._lock:
            return [job for job in self.jobs if job.state in ("pending", "running")]

    def _file(self, job: Job, suffix: str) -> str:
        return f"items/{self.project}/{job.source}/{job.id}{suffix}"

    # -- the job's log -----------------------------------------------------------------------

    def _relay_log(self, job: Job, *, final: bool = False) -> None:
        """Pass the job's new log lines on (progress for `chipwatch run`), without their
        time stamp."""
        if self._on_log is None:
            return
        try:
            chunk = job.server.api.fetch(f"logs/{self.project}/{job.source}/{job.id}.log",
                                            start=job.log_offset)
        except ScrapydError:
            return
        if not chunk:
            return
        job.log_offset += len(chunk)
        text = job.log_rest + chunk.decode("utf-8", errors="replace")
        lines = text.split("\n")
        job.log_rest = "" if final else lines.pop()
        for line in lines:
            if line:
                self._on_log(_LOG_TIME.sub("", line, count=1))

    def _log_errors(self, job: Job) -> str:
        try:
            raw = job.server.api.fetch(f"logs/{self.project}/{job.source}/{job.id}.log")
        except ScrapydError:
            raw = None
        lines = [line for line in (raw or b"").decode("utf-8", errors="replace").splitlines()
                 if "Error" in line or "ERROR" in line or "CRITICAL" in line]
        return f": {' | '.join(lines[-3:])}" if lines else ""

    def _say(self, level: int, message: str) -> None:
        log.log(level, message)
        if self._on_log:  # shown with the crawl's progress
            self._on_log(f"chipwatch.scrapyd INFO: {message}")


def _setting_text(value) -> str:
    """A job setting as Scrapy reads it from `-s KEY=VALUE`."""
    return str(value)


def _documents(raw: bytes) -> list[dict]:
    documents = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except ValueError:
            break  # a line cut short by a killed job: never store half a document
    return documents
