"""The sender: delivers pending digests from the outbox, retries transient failures with
back-off and marks permanent ones failed.

Delivery is at least once. A row is marked `sending` (and committed) before the send and
`sent` after it. If the process dies between the two, the row stays `sending`; once it is
older than LEASE it is taken for interrupted and sent again. That window (from the server's
acceptance to the `sent` commit, normally milliseconds) is the only way a digest can arrive
twice; an email repeat carries the same Message-ID, and a Slack digest resumes from the
first message Slack had not accepted."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from sqlite_utils import Database

from store import outbox

from .clock import in_quiet_hours, quiet_end, stamp
from .email import send_email
from .errors import TRANSIENT, DeliveryError
from .files import write_files
from .settings import (
    AlertConfig,
    ChannelBase,
    EmailChannel,
    FileChannel,
    SlackChannel,
    StdoutChannel,
)
from .slack_webhook import send_slack

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 12  # about seven hours of trying
LEASE = timedelta(minutes=15)  # longer than any send (timeouts x messages)


@dataclass
class Delivery:
    digest_id: str
    channel: str
    status: str  # sent | retry | failed | postponed
    detail: str = ""

    def line(self) -> str:
        words = {"sent": "delivered", "retry": "not delivered, will retry",
                 "failed": "FAILED", "postponed": "held for quiet hours"}
        text = f"{self.channel}: {self.digest_id} {words[self.status]}"
        return f"{text} ({self.detail})" if self.detail else text


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def deliver(db: Database, name: str, channel: ChannelBase, row: dict, out: TextIO) -> str:
    """Hand one digest to its channel; a note on success, DeliveryError otherwise."""
    payload = row["payload"]
    if isinstance(channel, EmailChannel):
        return send_email(channel, payload)
    if isinstance(channel, SlackChannel):
        return send_slack(channel, payload["slack"], start=row["parts_sent"] or 0,
                          on_sent=lambda n: outbox.mark_parts_sent(db, row["id"], n))
    if isinstance(channel, FileChannel):
        return write_files(channel.directory, row["id"], payload)
    if isinstance(channel, StdoutChannel):
        out.write(payload["text"])
        out.flush()
        return ""
    raise TypeError(f"no deliverer for channel {name}")


def send_due(config: AlertConfig, db: Database, now: datetime, *, out: TextIO | None = None,
             channels: list[str] | None = None) -> list[Delivery]:
    """Deliver every pending digest whose time has come (of `channels`, default all)."""
    out = out or sys.stdout
    outbox.recover_stale(db, before=stamp(now - LEASE), now=stamp(now))
    configured = config.channels()
    results = []
    for row in outbox.due(db, stamp(now), channels=channels):
        name = row["channel"]
        channel = configured.get(name)
        if channel is None:
            continue  # channel disabled or removed: the row waits, visible in `outbox`
        if row["kind"] == "urgent" and in_quiet_hours(channel, now):
            outbox.postpone(db, row["id"], next_attempt=stamp(quiet_end(channel, now)))
            results.append(Delivery(row["id"], name, "postponed"))
            continue
        if not outbox.claim(db, row["id"], now=stamp(now)):
            continue  # another sender has it
        attempts = row["attempts"] + 1
        try:
            note = deliver(db, name, channel, row, out)
        except DeliveryError as exc:
            error = str(exc)
            if exc.kind == TRANSIENT and attempts < MAX_ATTEMPTS:
                later = now + backoff(attempts)
                outbox.mark_retry(db, row["id"], error=error, next_attempt=stamp(later))
                results.append(Delivery(row["id"], name, "retry",
                                        f"{error}; next attempt {stamp(later)}"))
            else:
                if exc.kind == TRANSIENT:
                    error = f"gave up after {attempts} attempts: {error}"
                outbox.mark_failed(db, row["id"], error=error)
                results.append(Delivery(row["id"], name, "failed", error))
            continue
        outbox.mark_sent(db, row["id"], now=stamp(now))
        results.append(Delivery(row["id"], name, "sent", note))
    return results
