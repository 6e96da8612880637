"""What the cycle, the CLI and the daemon call: make the digests that are due and deliver
what the outbox holds. Every entry point takes `now` (an aware datetime)."""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TextIO

from sqlite_utils import Database

from store import digests as digest_store
from store import facts as fact_store
from store import outbox
from store import runs as run_store
from store import tags as tag_store
from vocab.categories import UNTAGGED

from .bound import fit, full_list_link
from .changes import changes_for
from .clock import daily_period, in_quiet_hours, instant, quiet_end, stamp, weekly_period
from .deadlines import upcoming
from .digest import Digest, choose
from .email import new_message_id
from .html import render_html
from .reminders import queue_reminders
from .select import event_filter
from .sender import Delivery, send_due
from .settings import (
    AlertConfig,
    ChannelBase,
    EmailChannel,
    FileChannel,
    SlackChannel,
    WebhookChannel,
)
from .slack import render_slack
from .text import render_text
from .webhook import render_body

# A digest considers the documents first seen in this window (and not yet in one of the
# channel's digests): a daemon digests at least daily, so nothing is missed, and a large store
# is not read in full for every digest. A channel added later starts with this much history.
LOOKBACK = timedelta(days=30)


@dataclass
class Made:
    digest_id: str
    channel: str
    documents: int
    status: str  # pending | empty | exists | dry-run | error | reminder
    digest: Digest | None = None
    payload: dict = field(default_factory=dict)
    events: int = 0  # entries: one per event
    detail: str = ""

    def line(self) -> str:
        if self.status == "error":
            return f"{self.channel}: {self.digest_id} could not be made: {self.detail}"
        if self.status == "reminder":
            return f"{self.channel}: {self.digest_id} queued"
        if self.status == "empty":
            return f"{self.channel}: {self.digest_id}: nothing new, nothing sent"
        if self.status == "exists":
            return f"{self.channel}: {self.digest_id} was already made"
        return (f"{self.channel}: {self.digest_id} made with {self.documents} documents in "
                f"{self.events} event{'s' if self.events != 1 else ''}")


@dataclass
class Report:
    made: list[Made] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (all(d.status in ("sent", "postponed") for d in self.deliveries)
                and all(m.status != "error" for m in self.made))

    def lines(self, *, skip: tuple[str, ...] = (), existing: bool = False) -> list[str]:
        made = [m.line() for m in self.made if m.channel not in skip
                and (existing or m.status != "exists")]
        sent = [d.line() for d in self.deliveries if d.channel not in skip]
        return made + sent


def _title(config: AlertConfig, kind: str, period: str, channel: ChannelBase, now: datetime,
           only: list[str] | None) -> str:
    if kind == "urgent":
        return "chipwatch alert: " + ", ".join(config.categories.title(c) for c in only or [])
    if kind == "daily":
        day = datetime.fromisoformat(period)
        return f"chipwatch daily digest, {day.day} {day:%B %Y}"
    if kind == "weekly":
        day = datetime.fromisoformat(period)
        return f"chipwatch weekly digest, week of {day.day} {day:%B %Y}"
    local = now.astimezone(channel.zone)
    return f"chipwatch digest, {local:%Y-%m-%d %H:%M} ({channel.timezone.key})"


def build(config: AlertConfig, db: Database, name: str, channel: ChannelBase, now: datetime, *,
          kind: str, period: str, only: list[str] | None = None) -> Digest:
    """The digest of `channel` as it would be made now (nothing is written)."""
    wanted = channel.wanted(config.categories)
    documents = digest_store.undigested(db, name, since=stamp(now - LOOKBACK),
                                        untagged=UNTAGGED in wanted)
    events = digest_store.event_context(db, name, {d["event_id"] for d in documents})
    members = {d["id"] for d in documents} | {
        d["id"] for event in events.values() for d in event["documents"]}
    tags = tag_store.tags_for(db, sorted(members))
    facts = fact_store.facts_for(db, sorted(members))
    sections, wider = choose(documents, tags, categories=wanted, known=config.categories,
                             sources=channel.sources, languages=channel.languages,
                             min_score=channel.min_score, only=only, events=events,
                             include_wider=channel.include_wider and channel.relevance != "core",
                             facts=facts, prefer=channel.language,
                             keep=event_filter(db, channel, sorted(members), facts))
    if channel.relevance == "wider":
        sections = []  # only the events whose subject is not chips or Taiwan
    changes, changes_left_out, changes_marked = ([], 0, {}) if kind == "urgent" else \
        changes_for(db, name, channel, since=stamp(now - LOOKBACK))
    broken = [] if kind == "urgent" else run_store.broken_sources(
        db, channel.sources or config.enabled_sources())
    days = 0 if kind == "urgent" else channel.deadline_days
    deadlines = upcoming(db, channel, wanted, now.astimezone(channel.zone).date(), days)
    return Digest(channel=name, kind=kind, period=period,
                  title=_title(config, kind, period, channel, now, only), sections=sections,
                  categories=config.categories, wider=wider,
                  broken_sources=broken,
                  undelivered=[] if kind == "urgent" else outbox.undelivered(db, name),
                  deadlines=deadlines, deadline_days=days, changes=changes,
                  changes_left_out=changes_left_out, changes_marked=changes_marked)


def render(digest_id: str, channel: ChannelBase, digest: Digest, browse_url: str = "") -> dict:
    """Everything the channel will send, rendered once and kept in the outbox."""
    payload = {"title": digest.title, "text": render_text(digest)}
    if isinstance(channel, WebhookChannel):
        payload["webhook"] = render_body(digest_id, digest, browse_url=browse_url)
    if isinstance(channel, (EmailChannel, FileChannel)):
        payload["html"] = render_html(digest)
    if isinstance(channel, EmailChannel):
        payload["subject"] = f"[{channel.subject_prefix}] {digest.title}: {digest.summary()}"
        payload["message_id"] = new_message_id(digest_id, channel.sender)
    if isinstance(channel, SlackChannel):
        payload["slack"] = render_slack(digest, max_bytes=channel.max_bytes)
    return payload


def worth_sending(digest: Digest, channel: ChannelBase) -> bool:
    if digest.kind == "urgent":
        return not digest.empty
    if digest.kind == "cycle":
        # After every cycle only what is new: a broken source or an undelivered digest rides
        # along but does not make a digest of its own each time (health notices announce a
        # break once; the daily and on-demand digests always show both).
        return not digest.empty or channel.send_empty
    return (not digest.empty or channel.send_empty or bool(digest.broken_sources)
            or bool(digest.undelivered))


def make(config: AlertConfig, db: Database, name: str, channel: ChannelBase, now: datetime, *,
         kind: str, period: str, only: list[str] | None = None,
         dry_run: bool = False) -> Made:
    """Make one digest and queue it, marking its documents, in one transaction."""
    digest_id = f"{name}:{kind}:{period}"
    if not dry_run and outbox.exists(db, digest_id):
        return Made(digest_id, name, 0, "exists")
    digest = build(config, db, name, channel, now, kind=kind, period=period, only=only)
    digest, payload = fit(digest, channel,
                          lambda cut: render(digest_id, channel, cut, config.browse_url),
                          link=full_list_link(config.browse_url, digest_id))
    wanted = worth_sending(digest, channel)
    if dry_run:
        return Made(digest_id, name, len(digest.document_ids), "dry-run", digest, payload,
                    len(digest.entries))
    if not wanted and kind == "urgent":
        return Made(digest_id, name, 0, "empty", digest)
    next_attempt = now
    if kind == "urgent" and in_quiet_hours(channel, now):
        next_attempt = quiet_end(channel, now)  # evaluated now, delivered after quiet hours
    status = "pending" if wanted else "empty"
    created = outbox.create_digest(db, digest_id=digest_id, channel=name, kind=kind,
                                   period=period, document_ids=digest.document_ids,
                                   payload=payload, status=status,
                                   next_attempt=stamp(next_attempt), now=stamp(now),
                                   changed=digest.changes_marked)
    if not created:
        return Made(digest_id, name, 0, "exists")
    return Made(digest_id, name, len(digest.document_ids), status, digest, payload,
                len(digest.entries))


def queue_due(config: AlertConfig, db: Database, now: datetime,
              channels: dict[str, ChannelBase] | None = None, *,
              after_cycle: bool = True) -> list[Made]:
    """Urgent alerts for every channel that has urgent categories, then each channel's
    scheduled digest if its time has come and it was not made yet, then reminders of
    deadlines for channels that ask for them. A channel without a daily
    time gets its digest only `after_cycle` (not from the daemon's periodic sender, which
    would otherwise repeat a broken-sources notice every few minutes). One channel that
    cannot make its digest does not keep the others from theirs."""
    made = []
    for name, channel in (channels or config.channels()).items():
        try:
            made += _queue_channel(config, db, name, channel, now, after_cycle)
        except sqlite3.DatabaseError:
            raise  # the store itself is in trouble: the command says so, with the file
        except Exception as exc:
            made.append(Made(f"{name}:?:{instant(now)}", name, 0, "error",
                             detail=f"{type(exc).__name__}: {exc}"))
    for digest_id in queue_reminders(config, db, now):
        made.append(Made(digest_id, digest_id.split(":", 1)[0], 0, "reminder"))
    return made


def _queue_channel(config: AlertConfig, db: Database, name: str, channel: ChannelBase,
                   now: datetime, after_cycle: bool) -> list[Made]:
    made = []
    if channel.urgent:
        result = make(config, db, name, channel, now, kind="urgent", period=instant(now),
                      only=channel.urgent)
        if result.status != "empty":
            made.append(result)
    if channel.send_at is None:
        if after_cycle:
            made.append(make(config, db, name, channel, now, kind="cycle", period=instant(now)))
    elif channel.weekly_on:
        period = weekly_period(channel, now)
        if period:
            made.append(make(config, db, name, channel, now, kind="weekly", period=period))
    else:
        period = daily_period(channel, now)
        if period:
            made.append(make(config, db, name, channel, now, kind="daily", period=period))
    return made


def deliver_due(config: AlertConfig, db: Database, now: datetime | None = None, *,
                out: TextIO | None = None, after_cycle: bool = True) -> Report:
    """The one call for the end of a cycle and for the daemon: queue urgent alerts and due
    daily digests (and, `after_cycle`, the digests of channels that have one per cycle),
    then deliver everything pending whose time has come."""
    now = now or datetime.now(timezone.utc)
    report = Report(made=queue_due(config, db, now, after_cycle=after_cycle))
    report.deliveries = send_due(config, db, now, out=out or sys.stdout)
    return report


def digest_now(config: AlertConfig, db: Database, now: datetime, names: list[str], *,
               dry_run: bool = False, out: TextIO | None = None) -> Report:
    """`chipwatch digest`: a digest now for each named channel from the documents not yet in
    one of its digests, then delivery of that channel's pending rows."""
    channels = config.channels()
    report = Report()
    for name in names:
        report.made.append(make(config, db, name, channels[name], now, kind="manual",
                                period=instant(now), dry_run=dry_run))
    if not dry_run:
        report.deliveries = send_due(config, db, now, out=out or sys.stdout, channels=names)
    return report
