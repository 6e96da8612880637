"""Scheduling decisions, as pure functions of the configuration, the store and a clock.

State lives in the store, not in the scheduler: on start the daemon asks `first_runs` when
each source should next be crawled, from its last successful run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger

from tracker.config import Config, SourceSchedule
from tracker.cron import cron_trigger

# Crawls due at start are spread out a little, so five sources do not start at once.
STAGGER = timedelta(seconds=5)


def crawl_trigger(options: SourceSchedule, zone: ZoneInfo):
    if options.cron:
        return cron_trigger(options.cron, zone)
    return IntervalTrigger(seconds=options.every.total_seconds(), timezone=zone)


def previous_fire(trigger, now: datetime,
                  lookback: timedelta = timedelta(days=8)) -> datetime | None:
    """The last time `trigger` would have fired at or before `now`."""
    fire, last = trigger.get_next_fire_time(None, now - lookback), None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


def is_due(options: SourceSchedule, last_success: datetime | None, now: datetime,
           zone: ZoneInfo) -> bool:
    """A crawl is due when the source never succeeded, or its last success is older than
    its interval (or than the last time its crontab line fired)."""
    if last_success is None:
        return True
    if options.cron:
        fired = previous_fire(cron_trigger(options.cron, zone), now)
        return fired is not None and last_success < fired
    return now - last_success >= options.every


def first_runs(config: Config, last_successes: dict[str, datetime | None],
               now: datetime) -> dict[str, datetime]:
    """For each enabled source, when the daemon should first crawl it after starting:
    now (staggered) if it is due, else when its interval from the last success ends."""
    zone = config.daemon.timezone
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
            plan[source] = last + options.every
    return plan
