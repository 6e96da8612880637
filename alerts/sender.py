"""The sender: delivers pending digests from the outbox, retries transient failures with
back-off and marks permanent ones failed.

Delivery is at least once. A row is marked `sending` (and committed, its attempt counted)
before the send and `sent` after it. If the process dies between the two, or the send went
out and no answer came, the row stays `sending`; once it is older than LEASE it is taken up
again. Those windows are the only ways a digest can arrive twice, never sooner than the
lease; an email repeat carries the same Message-ID, and a Slack digest resumes from the
first message Slack had not accepted. Every path that sends (a cycle, `chipwatch digest`,
`chipwatch outbox retry`, the daemon) goes through `send_due`, so each honours the lease and
the attempt limit, and one channel's failure never stops another's."""

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
from .failures import unexpected
from .files import write_files
from .settings import (
    AlertConfig,
    ChannelBase,
    EmailChannel,
    FileChannel,
    SlackChannel,
    StdoutChannel,
    WebhookChannel,
)
from .slack_webhook import send_slack
from .webhook import send_webhook

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 12  # about seven hours of trying
LEASE = timedelta(minutes=15)  # longer than any send (timeouts x messages)


@dataclass
class Delivery:
    digest_id: str
    channel: str
    status: str  # sent | retry | held | failed | postponed | leased
    detail: str = ""

    def line(self) -> str:
        words = {"sent": "delivered", "retry": "not delivered, will retry",
                 "held": "no answer, may have arrived",
                 "failed": "FAILED", "postponed": "held for quiet hours",
                 "leased": "left alone: another process is sending it"}
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
    if isinstance(channel, WebhookChannel):
        return send_webhook(channel, name, row["id"], payload["webhook"])
    if isinstance(channel, FileChannel):
        return write_files(channel.directory, row["id"], payload)
    if isinstance(channel, StdoutChannel):
        out.write(payload["text"])
        out.flush()
        return ""
    raise TypeError(f"no deliverer for channel {name}")


def next_wait(error: DeliveryError, attempts: int) -> timedelta:
    """Back-off, or longer when the server asked for it (Retry-After, already capped)."""
    wait = backoff(attempts)
    if error.retry_after is not None:
        wait = max(wait, error.retry_after)
    return wait


def send_due(config: AlertConfig, db: Database, now: datetime, *, out: TextIO | None = None,
             channels: list[str] | None = None) -> list[Delivery]:
    """Deliver every pending digest whose time has come (of `channels`, default all)."""
    out = out or sys.stdout
    outbox.recover_stale(db, before=stamp(now - LEASE), now=stamp(now),
                         max_attempts=MAX_ATTEMPTS)
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
        results.append(_attempt(db, name, channel, row, now, out))
    return results


def _attempt(db: Database, name: str, channel: ChannelBase, row: dict, now: datetime,
             out: TextIO) -> Delivery:
    """One claimed row: sent, or recorded as what its failure means (nothing escapes)."""
    attempts = row["attempts"] + 1
    try:
        note = deliver(db, name, channel, row, out)
    except DeliveryError as exc:
        error = exc
    except Exception as exc:  # a failure no rule foresaw is still a failed delivery
        error = unexpected(exc, name)
    else:
        outbox.mark_sent(db, row["id"], now=stamp(now))
        return Delivery(row["id"], name, "sent", note)
    # The failure rules name a channel's keys by its kind's table ("[alerts.email] to"); a
    # channel of another name is named by its own.
    text = str(error).replace(f"[alerts.{channel.kind}]", f"[alerts.{name}]")
    if error.kind == TRANSIENT and error.maybe_delivered:
        again = now + LEASE
        outbox.hold(db, row["id"], error=f"{text}; not sent again before {stamp(again)}",
                    until=stamp(again))
        return Delivery(row["id"], name, "held", f"{text}; not sent again before {stamp(again)}")
    if error.kind == TRANSIENT and attempts < MAX_ATTEMPTS:
        later = now + next_wait(error, attempts)
        outbox.mark_retry(db, row["id"], error=text, next_attempt=stamp(later))
        return Delivery(row["id"], name, "retry", f"{text}; next attempt {stamp(later)}")
    if error.kind == TRANSIENT:
        text = f"gave up after {attempts} attempts: {text}"
    outbox.mark_failed(db, row["id"], error=text)
    return Delivery(row["id"], name, "failed", text)


def retry_now(config: AlertConfig, db: Database, now: datetime, *,
              channels: list[str] | None = None, out: TextIO | None = None
              ) -> tuple[list[str], list[Delivery]]:
    """`chipwatch outbox retry`: rows left sending past their lease are taken up, failed and
    waiting rows become due now and are sent; a row within its lease is left alone (it is
    being sent, or went out without an answer) and reported. Returns (ids made due,
    deliveries)."""
    outbox.recover_stale(db, before=stamp(now - LEASE), now=stamp(now),
                         max_attempts=None)  # a person asked: one more attempt each
    ids = outbox.retry_failed(db, now=stamp(now), channels=channels)
    deliveries = send_due(config, db, now, out=out, channels=channels) if ids else []
    for row in outbox.leased(db, since=stamp(now - LEASE), channels=channels):
        if any(d.digest_id == row["id"] for d in deliveries):
            continue
        until = stamp(datetime.fromisoformat(row["sending_since"]) + LEASE)
        why = row["last_error"] or f"being sent since {row['sending_since']}"
        deliveries.append(Delivery(row["id"], row["channel"], "leased",
                                   f"{why}; taken up after {until}"))
    return ids, deliveries
