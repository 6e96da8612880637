"""Scheduling decisions, as pure functions of the configuration, the store and a clock.

State lives in the store, not in the scheduler: on start the daemon asks `first_runs` when
each source should next be crawled, from its last successful run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker.config import Config, SourceBase

# Crawls due at start are spread out a little, so five sources do not start at once.
STAGGER = timedelta(seconds=5)


CRON_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def cron_trigger(line: str, zone: ZoneInfo) -> CronTrigger:
    """A crontab line read as cron reads it. APScheduler 3's own from_crontab counts
    weekdays from Monday = 0, so '1-5' would mean Tuesday to Saturday; we translate the
    weekday field into day names first."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekdays = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_weekday_names(weekdays), timezone=zone)


def _weekday_names(field: str) -> str:
    if not any(ch.isdigit() for ch in field):
        return field  # '*' or day names mean the same to both
    if any(ch.isalpha() for ch in field):
        raise ValueError("write the weekday field with numbers or with names, not both")
    names: list[str] = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (int(x) for x in span.split("-"))
        else:
            first = last = int(span)
        if not (0 <= first <= 7 and 0 <= last <= 7):
            raise ValueError(f"weekday '{part}' is outside 0-7")
        for number in range(first, last + 1, int(step or 1)):
            if CRON_DAYS[number] not in names:
                names.append(CRON_DAYS[number])
    return ",".join(names)


def crawl_trigger(options: SourceBase, zone: ZoneInfo):
    if options.cron:
        return cron_trigger(options.cron, zone)
    return IntervalTrigger(seconds=options.interval.total_seconds(), timezone=zone)


def previous_fire(trigger, now: datetime, lookback: timedelta = timedelta(days=8)) -> datetime | None:
    """The last time `trigger` would have fired at or before `now`."""
    fire, last = trigger.get_next_fire_time(None, now - lookback), None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


def is_due(options: SourceBase, last_success: datetime | None, now: datetime,
           zone: ZoneInfo) -> bool:
    """A crawl is due when the source never succeeded, or its last success is older than
    its interval (or than the last time its crontab line fired)."""
    if last_success is None:
        return True
    if options.cron:
        fired = previous_fire(cron_trigger(options.cron, zone), now)
        return fired is not None and last_success < fired
    return now - last_success >= options.interval


def first_runs(config: Config, last_successes: dict[str, datetime | None],
               now: datetime) -> dict[str, datetime]:
    """For each enabled source, when the daemon should first crawl it after starting:
    now (staggered) if it is due, else when its interval from the last success ends."""
    zone = ZoneInfo(config.daemon.timezone)
    plan: dict[str, datetime] = {}
    due = 0
    for source in config.sources.enabled():
        options = config.source(source)
        last = last_successes.get(source)
        if is_due(options, last, now, zone):
            plan[source] = now + due * STAGGER
            due += 1
        elif options.cron:
            plan[source] = crawl_trigger(options, zone).get_next_fire_time(
                None, now + timedelta(seconds=1))
        else:
            plan[source] = last + options.interval
    return plan
