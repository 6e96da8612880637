"""`chipwatch daemon`: one scheduler process that crawls, classifies, delivers and watches
source health for months.

Jobs are rebuilt from the configuration at every start; when each source is next crawled
is decided from its last successful run in the store (tracker.schedule), so downtime is
caught up once. Each crawl runs in a child process with a timeout. SIGTERM or Ctrl-C stops
scheduling, gives running crawls `stop_grace_seconds` to finish, then interrupts them
(recorded as interrupted; SIGKILL follows a few seconds after SIGTERM) and exits 0 within
about `stop_grace_seconds` + FINISH_SECONDS, whatever the sites do; nothing is judged,
announced or delivered while stopping. A second signal stops at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from store import open_db
from store import runs as run_store
from store.health import last_success_time
from tracker import health
from tracker.config import Config
from tracker.crawl import stop_all_crawls
from tracker.cycle import run_cycle
from tracker.schedule import crawl_trigger, first_runs

log = logging.getLogger("chipwatch.daemon")

# After the grace period: interrupting crawls (SIGTERM, then SIGKILL) and recording their
# runs gets this long before the daemon exits without them.
FINISH_SECONDS = 15


class DaemonBusy(Exception):
    """Another daemon already runs on this database."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Daemon:
    def __init__(self, config: Config, db_path: Path, *,
                 clock: Callable[[], datetime] = utc_now,
                 deliver: Callable | None = None, announce: Callable | None = None):
        self.config = config
        self.db_path = Path(db_path)
        self.clock = clock
        # Delivery of due digests, urgent alerts and retries; and announcing a health change.
        self.deliver = deliver or (lambda config, db, now, after_cycle: None)
        self.announce = announce or (lambda config, db, transition, now: None)
        self.zone = config.daemon.timezone
        self.stopping = threading.Event()
        self.active_jobs = 0
        self._jobs_lock = threading.Lock()
        self.scheduler: BlockingScheduler | None = None

    # -- life cycle ------------------------------------------------------------------------

    def run(self) -> int:
        with single_instance(self.db_path):
            self.scheduler = self._build_scheduler()
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
            log.info("daemon started: %s", ", ".join(
                f"{job.id} at {job.next_run_time:%Y-%m-%d %H:%M %Z}"
                for job in self.scheduler.get_jobs()))
            self.scheduler.start()  # returns once a signal shut it down
            unfinished = self._finish_running_jobs()
            log.info("daemon stopped")
        if unfinished:
            # A job thread stuck past every bound (a database held by another process):
            # exit now rather than wait for it at interpreter exit.
            logging.shutdown()
            os._exit(0)
        return 0

    def _build_scheduler(self) -> BlockingScheduler:
        db = open_db(self.db_path)
        try:
            abandoned = run_store.mark_abandoned_runs(db)
            if abandoned:
                log.warning("%d crawl run(s) left running by an earlier process were marked "
                            "interrupted", abandoned)
            now = self.clock()
            last = {s: _parse(last_success_time(db, s)) for s in self.config.sources.enabled()}
        finally:
            db.close()
        scheduler = BlockingScheduler(
            timezone=self.zone,
            executors={"default": ThreadPoolExecutor(max_workers=2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
        for source, first in first_runs(self.config, last, now).items():
            scheduler.add_job(self.crawl_job, crawl_trigger(self.config.source(source), self.zone),
                              args=[source], id=f"crawl:{source}", name=f"crawl {source}",
                              next_run_time=first)
        # At start, and then at the outbox cadence: due digests (one for a time missed while
        # down, not one per missed day), urgent alerts and retries.
        scheduler.add_job(self.deliver_job, IntervalTrigger(
            seconds=self.config.daemon.outbox_every.total_seconds(), timezone=self.zone),
            id="deliver", name="deliver digests and retries", next_run_time=now)
        return scheduler

    def _on_signal(self, signum, frame) -> None:
        if self.stopping.is_set():
            log.warning("second signal: stopping at once")
            stop_all_crawls(at_once=True)
            try:
                db = open_db(self.db_path)
                run_store.mark_abandoned_runs(db, mine=True)
                db.close()
            finally:
                os._exit(1)
        log.info("signal %s: no new jobs; running crawls get %s s to finish",
                 signal.Signals(signum).name, self.config.daemon.stop_grace_seconds)
        self.stopping.set()
        if self.scheduler and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _finish_running_jobs(self) -> int:
        """Wait out the grace period, then interrupt what still runs; the jobs left over."""
        deadline = time.monotonic() + self.config.daemon.stop_grace_seconds
        while self._active() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self._active():
            deadline = time.monotonic() + FINISH_SECONDS
            log.info("interrupting %d running crawl(s)", stop_all_crawls())
            while self._active() and time.monotonic() < deadline:
                time.sleep(0.2)
        left = self._active()
        if left:
            log.warning("%d job(s) did not finish within the stop's bound; exiting without "
                        "them (a crawl left running is marked interrupted at the next start)",
                        left)
        return left

    def _active(self) -> int:
        with self._jobs_lock:
            return self.active_jobs

    @contextlib.contextmanager
    def _job(self):
        """Count a running job, so that stopping can wait for it."""
        with self._jobs_lock:
            self.active_jobs += 1
        try:
            yield
        finally:
            with self._jobs_lock:
                self.active_jobs -= 1

    # -- jobs ------------------------------------------------------------------------------

    def crawl_job(self, source: str) -> None:
        if self.stopping.is_set():
            return
        with self._job():
            db = open_db(self.db_path)
            try:
                for outcome in run_cycle(self.config, db, sources=[source]):
                    level = logging.INFO if outcome.status == "ok" else logging.WARNING
                    log.log(level, "crawl %s", outcome.line())
                if self.stopping.is_set():
                    return  # an interrupted crawl says nothing of the site's health
                now = self.clock()
                for transition in health.update(self.config, db, now):
                    log.warning("health: %s", transition.message())
                self._announce(db, now)
                self.deliver(self.config, db, now, after_cycle=True)
            except Exception:
                log.exception("crawl job for %s failed", source)
            finally:
                db.close()

    def deliver_job(self) -> None:
        if self.stopping.is_set():
            return
        with self._job():
            db = open_db(self.db_path)
            try:
                now = self.clock()
                self._announce(db, now)  # a notice held back by the interval, once it passed
                self.deliver(self.config, db, now, after_cycle=False)
            except Exception:
                log.exception("delivery failed")
            finally:
                db.close()

    def _announce(self, db, now: datetime) -> None:
        """Queue the health notices that are due (one per change, rate-limited per source)."""
        for transition in health.notices_due(self.config, db, now):
            self.announce(self.config, db, transition, now)
            health.announced(db, transition, now)

@contextlib.contextmanager
def single_instance(db_path: Path):
    """Hold an exclusive lock beside the database for as long as the daemon runs."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with open(db_path.with_name(db_path.name + ".daemon.lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "unknown"
            raise DaemonBusy(f"another chipwatch daemon (pid {pid}) already runs on "
                             f"{db_path}; stop it first") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts) if ts else None


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
