"""Time for alerts: the store's UTC strings, channel-local schedules and quiet hours.
Every function takes `now` (an aware datetime) so schedules are tested with an injected clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from .settings import WEEKDAYS, ChannelBase


def stamp(now: datetime) -> str:
    """The store's timestamp format (see store.clock.utcnow)."""
    return now.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def instant(now: datetime) -> str:
    """The period of a digest made at a moment (per cycle, on demand, urgent): UTC to the
    microsecond, so two runs within one second still make two digests."""
    return now.astimezone(timezone.utc).isoformat(timespec="microseconds")


def in_quiet_hours(channel: ChannelBase, now: datetime) -> bool:
    quiet = channel.quiet_hours
    if not quiet:
        return False
    start, end = quiet
    t = now.astimezone(channel.zone).time()
    return start <= t < end if start < end else (t >= start or t < end)


def quiet_end(channel: ChannelBase, now: datetime) -> datetime:
    """When the quiet hours that contain `now` end."""
    _, end = channel.quiet_hours
    local = now.astimezone(channel.zone)
    candidate = _at(local, end)
    if candidate <= local:
        candidate = _at(local + timedelta(days=1), end)
    return candidate.astimezone(timezone.utc)


def _at(local: datetime, clock: time) -> datetime:
    return datetime.combine(local.date(), clock, tzinfo=local.tzinfo)


def daily_period(channel: ChannelBase, now: datetime) -> str | None:
    """The local date whose daily digest is due at `now`, or None before its time."""
    clock = channel.daily_at
    local = now.astimezone(channel.zone)
    if clock is None or local.time() < clock:
        return None
    return local.date().isoformat()


def weekly_period(channel: ChannelBase, now: datetime) -> str | None:
    """The local date of this week's `weekly_on` day once its digest is due at `now` (from
    that day's `send_at` to the end of the week, Monday to Sunday), else None: a run
    later in the week still makes the week's digest, and only one."""
    local = now.astimezone(channel.zone)
    day = WEEKDAYS.index(channel.weekly_on)
    target = local.date() - timedelta(days=local.weekday() - day)
    if (local.date(), local.time()) < (target, channel.send_at):
        return None
    return target.isoformat()
