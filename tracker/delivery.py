"""What the daemon hands to alerts: due deliveries and changes of source health."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from alerts.health import queue_health_alert
from alerts.service import deliver_due as deliver_all
from tracker.config import Config
from tracker.health import Transition

log = logging.getLogger("chipwatch.delivery")


class _LogWriter:
    """The stdout channel, inside the daemon, writes to the log."""

    def write(self, text: str) -> int:
        for line in text.rstrip().splitlines():
            log.info("digest | %s", line)
        return len(text)

    def flush(self) -> None:
        pass


def deliver_due(config: Config, db: Database, now: datetime, *,
                after_cycle: bool = False) -> None:
    """Queue due digests and urgent alerts (per-cycle digests only `after_cycle`), deliver
    pending ones, one log line each."""
    report = deliver_all(config, db, now, out=_LogWriter(), after_cycle=after_cycle)
    for line in report.lines():
        log.info("delivery %s", line)


def announce_health(config: Config, db: Database, transition: Transition, now: datetime) -> None:
    for digest_id in queue_health_alert(config, db, transition.source, transition.after,
                                        transition.message(), now):
        log.info("queued health alert %s", digest_id)
