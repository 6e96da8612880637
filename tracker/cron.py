"""Crontab lines, read as cron reads them, for the daemon's schedule and for validating
`cron = "..."` in the configuration."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

CRON_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def cron_trigger(line: str, zone: ZoneInfo):
    """A crontab line as an APScheduler trigger. APScheduler 3's own from_crontab counts
    weekdays from Monday = 0, so '1-5' would mean Tuesday to Saturday; the weekday field is
    translated into day names first."""
    from apscheduler.triggers.cron import CronTrigger  # the scheduler is needed only here

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


def _check(line: str) -> str:
    try:
        cron_trigger(line, ZoneInfo("UTC"))
    except ValueError as exc:
        raise ValueError(f"'{line}' is not a crontab line (minute hour day month weekday): "
                         f"{exc}") from None
    return line


CronLine = Annotated[str, AfterValidator(_check)]
