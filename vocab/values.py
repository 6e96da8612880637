"""The typed values configuration is written in. Each is parsed once, when the file is
loaded, into what the code uses (a timedelta, a time of day, a ZoneInfo), with an error that
says how to write it; each serialises back to the form the file uses."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

from .languages import LANGUAGES
from .links import is_web_url
from .sources import source_names

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ORIGIN = re.compile(r"^https?://[^/\s:]+(:\d+)?/?$")


def parse_duration(value) -> timedelta:
    """'90s', '30m', '6h', '1.5d' -> timedelta; a duration must be longer than nothing."""
    if isinstance(value, timedelta):
        length = value
    else:
        match = _DURATION.match(str(value)) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"{value!r} is not a duration; write a number and a unit: "
                             f"'90s', '30m', '6h' or '1d'")
        length = timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    if length <= timedelta(0):
        raise ValueError(f"{value!r} is no time at all; give a duration longer than zero")
    return length


def format_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_clock(value, what: str = "time") -> time:
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{what} {value!r} is not a time of day; write it as HH:MM, "
                         f"e.g. 08:00")
    return time(int(match.group(1)), int(match.group(2)))


def _optional_clock(value) -> time | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_clock(value)


def _quiet_hours(value) -> tuple[time, time] | None:
    if value is None or isinstance(value, tuple):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} should be two times, e.g. \"22:00-07:00\"")
    if not value.strip():
        return None
    parts = value.split("-")
    if len(parts) != 2:
        raise ValueError(f"quiet hours {value!r} should be two times, e.g. 22:00-07:00")
    start, end = (parse_clock(part, "quiet hours") for part in parts)
    return start, end


def parse_zone(value) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; write an IANA name such as "
                         f"America/New_York, Asia/Taipei or UTC") from None


def _origin(value) -> str:
    if not isinstance(value, str) or not _ORIGIN.match(value):
        raise ValueError(f"{value!r} is not a site origin; write it like https://www.example.gov")
    return value.rstrip("/")


def _web_url(value) -> str:
    if not is_web_url(value):
        raise ValueError(f"{value!r} is not an http(s) address; write it like "
                         f"http://127.0.0.1:8001 or https://chipwatch.example.org/browse")
    return value.rstrip("/")


def _clock_text(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


Duration = Annotated[timedelta, BeforeValidator(parse_duration),
                     PlainSerializer(format_duration, return_type=str)]
ClockTime = Annotated[time | None, BeforeValidator(_optional_clock),
                      PlainSerializer(_clock_text, return_type=str)]
QuietHours = Annotated[tuple[time, time] | None, BeforeValidator(_quiet_hours),
                       PlainSerializer(lambda v: "-".join(_clock_text(t) for t in v) if v else "",
                                       return_type=str)]
TimeZone = Annotated[ZoneInfo, BeforeValidator(parse_zone),
                     PlainSerializer(lambda z: z.key, return_type=str)]
HttpOrigin = Annotated[str, BeforeValidator(_origin)]
WebUrl = Annotated[str, BeforeValidator(_web_url)]


def _source_name(value: str) -> str:
    if value not in source_names():
        raise ValueError(f"'{value}' is not allowed; choose one of {source_names()}")
    return value


def _language_code(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"'{value}' is not allowed; choose one of {list(LANGUAGES)}")
    return value


SourceName = Annotated[str, AfterValidator(_source_name)]
LanguageCode = Annotated[str, AfterValidator(_language_code)]
