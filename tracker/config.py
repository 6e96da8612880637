"""The one place where configuration is read, validated and turned into typed objects.

`config.toml` is found from `--config PATH`, else `$CHIPWATCH_CONFIG`, else `./config.toml`.
It is parsed once, validated here, and the resulting `Config` is passed down. Secrets are
never values in the file: the file names the environment variable that holds them, and
`secret()` below is the only reader of the environment in chipwatch.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

DEFAULT_CONFIG_NAME = "config.toml"
CONFIG_ENV = "CHIPWATCH_CONFIG"

# Federal Register agency slugs verified against the API's agencies.json (SOURCES.md §1).
KNOWN_FR_AGENCIES = {
    "commerce-department": "Commerce Department",
    "industry-and-security-bureau": "Bureau of Industry and Security",
    "international-trade-administration": "International Trade Administration",
    "national-institute-of-standards-and-technology": "NIST (home of the CHIPS program office)",
    "trade-representative-office-of-united-states": "Office of the US Trade Representative",
    "executive-office-of-the-president": "Executive Office of the President",
    "foreign-assets-control-office": "Office of Foreign Assets Control",
    "international-trade-commission": "US International Trade Commission",
}
FR_DOCUMENT_TYPES = ("RULE", "PRORULE", "NOTICE", "PRESDOCU")
LANGUAGES = ("en", "zh-Hant", "zh-Hans")


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


HttpUrl = Annotated[str, Field(pattern=r"^https?://[^/\s]+(:\d+)?/?$")]


class StoreConfig(_Section):
    path: Path = Path("data/chipwatch.db")


class CrawlConfig(_Section):
    user_agent: str = (
        "chipwatch/0.1 (US-Taiwan semiconductor policy tracker; "
        "+https://github.com/chipwatch/chipwatch)"
    )
    download_delay: float = Field(1.0, ge=0)
    download_timeout: int = Field(30, ge=1)
    max_response_mb: int = Field(20, ge=1)
    retry_times: int = Field(3, ge=0)
    crawl_timeout: int = Field(900, ge=5)
    obey_robots: bool = True
    http_cache: bool = True
    cache_dir: Path = Path("data/httpcache")
    overlap_days: int = Field(3, ge=0)


Duration = Annotated[str, Field(pattern=r"^\s*\d+(\.\d+)?\s*[smhd]\s*$")]


def duration(text: str) -> timedelta:
    """'90s', '30m', '6h', '1.5d' -> timedelta (validated by the Duration pattern)."""
    text = text.strip()
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[text[-1]]
    return timedelta(**{unit: float(text[:-1])})


class SourceBase(_Section):
    enabled: bool = True
    base_url: HttpUrl
    max_pages: int = Field(5, ge=1)
    first_run_days: int = Field(30, ge=1)
    # How often the daemon crawls (a duration such as "6h"), or a crontab line instead.
    every: Duration = "6h"
    cron: str | None = None
    # Health: with nothing new for longer than this, a source that still answers is "stale".
    stale_after_days: float = Field(14, gt=0)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            from zoneinfo import ZoneInfo

            from tracker.schedule import cron_trigger
            try:
                cron_trigger(value, ZoneInfo("UTC"))
            except ValueError as exc:
                raise ValueError(f"'{value}' is not a crontab line "
                                 f"(minute hour day month weekday): {exc}") from None
        return value

    @property
    def interval(self) -> timedelta:
        return duration(self.every)


class FederalRegisterConfig(SourceBase):
    base_url: HttpUrl = "https://www.federalregister.gov"
    agencies: list[str] = Field(
        default_factory=lambda: [
            "commerce-department",
            "industry-and-security-bureau",
            "international-trade-administration",
            "national-institute-of-standards-and-technology",
            "trade-representative-office-of-united-states",
            "executive-office-of-the-president",
        ],
        min_length=1,
    )
    terms: list[str] = Field(
        default_factory=lambda: [
            "semiconductor*",
            "microelectronic*",
            "integrated circuit*",
            "chip",
            "chips",
            "Taiwan",
            "export administration regulations",
            "entity list",
            "section 232",
            "section 301",
            "reciprocal tariff*",
        ]
    )
    types: list[Literal["RULE", "PRORULE", "NOTICE", "PRESDOCU"]] = Field(
        default_factory=lambda: list(FR_DOCUMENT_TYPES), min_length=1
    )
    per_page: int = Field(100, ge=1, le=1000)
    max_pages: int = Field(20, ge=1)
    every: Duration = "3h"
    stale_after_days: float = Field(4, gt=0)  # publishes every business day

    @field_validator("agencies")
    @classmethod
    def _known_agencies(cls, slugs: list[str]) -> list[str]:
        for slug in slugs:
            if slug not in KNOWN_FR_AGENCIES:
                hint = _closest_slug(slug)
                meant = f"; did you mean '{hint}'?" if hint else ""
                raise ValueError(
                    f"unknown Federal Register agency slug '{slug}'{meant} "
                    f"Known slugs: {', '.join(sorted(KNOWN_FR_AGENCIES))}"
                )
        return slugs


class CommerceConfig(SourceBase):
    base_url: HttpUrl = "https://www.commerce.gov"
    sections: list[str] = Field(default_factory=lambda: ["press-releases"], min_length=1)
    max_pages: int = Field(3, ge=1)
    stale_after_days: float = Field(14, gt=0)


class BisConfig(SourceBase):
    base_url: HttpUrl = "https://www.bis.gov"
    max_pages: int = Field(3, ge=1)
    stale_after_days: float = Field(30, gt=0)


class TsmcConfig(SourceBase):
    base_url: HttpUrl = "https://pr.tsmc.com"
    languages: list[Literal["en", "zh-Hant", "zh-Hans"]] = Field(
        default_factory=lambda: ["en", "zh-Hant", "zh-Hans"], min_length=1
    )
    max_pages: int = Field(1, ge=1)
    stale_after_days: float = Field(21, gt=0)  # several releases a month


class TrendforceConfig(SourceBase):
    base_url: HttpUrl = "https://www.trendforce.com"
    base_url_zh: HttpUrl = "https://www.trendforce.cn"
    languages: list[Literal["en", "zh-Hans"]] = Field(
        default_factory=lambda: ["en", "zh-Hans"], min_length=1
    )
    sections: list[str] = Field(default_factory=lambda: ["news"], min_length=1)
    max_pages: int = Field(3, ge=1)
    stale_after_days: float = Field(7, gt=0)


class SourcesConfig(_Section):
    federal_register: FederalRegisterConfig = FederalRegisterConfig()
    commerce: CommerceConfig = CommerceConfig()
    bis: BisConfig = BisConfig()
    tsmc: TsmcConfig = TsmcConfig()
    trendforce: TrendforceConfig = TrendforceConfig()

    def items(self) -> list[tuple[str, SourceBase]]:
        return [(name, getattr(self, name)) for name in type(self).model_fields]

    def enabled(self) -> list[str]:
        return [name for name, source in self.items() if source.enabled]


class DaemonConfig(_Section):
    # The zone in which crontab lines and digest times are read.
    timezone: str = "America/New_York"
    # How often the outbox sender retries pending deliveries.
    outbox_every: Duration = "10m"
    # Seconds a running crawl gets to finish after SIGTERM before it is interrupted.
    stop_grace_seconds: int = Field(20, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a time zone name such as "
                             f"America/New_York or Asia/Taipei") from None
        return value

# -- alerts ------------------------------------------------------------------------------

CATEGORIES = ("investment_pressure", "export_control", "alliance", "tariff")
# "none" in a channel's categories admits documents the classifier gave no tag (or has not
# classified yet).
DigestCategory = Literal["investment_pressure", "export_control", "alliance", "tariff", "none"]
UrgentCategory = Literal["investment_pressure", "export_control", "alliance", "tariff"]
SourceName = Literal["federal_register", "commerce", "bis", "tsmc", "trendforce"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _clock(value: str, what: str) -> time:
    match = _CLOCK.match(value.strip())
    if not match:
        raise ValueError(f"{what} '{value}' is not a time of day; write it as HH:MM, e.g. 08:00")
    return time(int(match.group(1)), int(match.group(2)))


class ChannelBase(_Section):
    """What every channel shares: its filter, its schedule, urgent categories, quiet hours."""

    enabled: bool = True
    # Filter. Categories in order of importance (the digest shows them in this order).
    categories: list[DigestCategory] = Field(default_factory=lambda: list(CATEGORIES),
                                             min_length=1)
    sources: list[SourceName] = Field(default_factory=list)  # empty: every source
    languages: list[Literal["en", "zh-Hant", "zh-Hans"]] = Field(default_factory=list)
    min_score: float = Field(0.0, ge=0)
    # Schedule: the daily digest is made once a day when this local time has passed.
    # Empty: a digest after every cycle.
    daily_at: str = "08:00"
    timezone: str = "UTC"
    # Categories sent at once, right after the cycle that found them.
    urgent: list[UrgentCategory] = Field(default_factory=list)
    # Urgent alerts found in these hours ("22:00-07:00", local time) wait until they end.
    quiet_hours: str = ""
    send_empty: bool = False

    @field_validator("daily_at")
    @classmethod
    def _daily_at(cls, value: str) -> str:
        if value.strip():
            _clock(value, "daily_at")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'; write an IANA name such as "
                             f"America/New_York, Asia/Taipei or UTC") from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if value.strip():
            parts = value.split("-")
            if len(parts) != 2:
                raise ValueError(f"quiet_hours '{value}' should be two times, e.g. 22:00-07:00")
            for part in parts:
                _clock(part, "quiet_hours")
        return value.strip()

    @model_validator(mode="after")
    def _urgent_within_filter(self):
        outside = [c for c in self.urgent if c not in self.categories]
        if outside:
            raise ValueError(f"urgent categories {outside} are not among this channel's "
                             f"categories {self.categories}; add them there too")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def daily_time(self) -> time | None:
        return _clock(self.daily_at, "daily_at") if self.daily_at else None

    @property
    def quiet(self) -> tuple[time, time] | None:
        if not self.quiet_hours:
            return None
        start, end = self.quiet_hours.split("-")
        return _clock(start, "quiet_hours"), _clock(end, "quiet_hours")


class EmailChannel(ChannelBase):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    smtp_host: str
    smtp_port: int | None = Field(None, ge=1, le=65535)  # default: 587, 465 or 25
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password_env: str = ""  # the environment variable holding the SMTP password
    ca_file: Path | None = None  # trust this CA bundle too (a self-hosted server)
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "chipwatch"
    timeout: float = Field(30, gt=0)

    @property
    def port(self) -> int:
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]

    @model_validator(mode="after")
    def _password_needs_user(self):
        if self.password_env and not self.username:
            raise ValueError("password_env is set but username is empty; set username too")
        return self


class SlackChannel(ChannelBase):
    webhook_url_env: str  # the environment variable holding the incoming-webhook URL
    timeout: float = Field(30, gt=0)


class FileChannel(ChannelBase):
    directory: Path = Path("data/digests")
    daily_at: str = ""  # by default a file after every cycle that found something


class StdoutChannel(ChannelBase):
    """Printed on standard output at the end of `chipwatch run` and `chipwatch digest`:
    everything new, tagged documents first, then the others."""
    categories: list[DigestCategory] = Field(
        default_factory=lambda: [*CATEGORIES, "none"], min_length=1)
    daily_at: str = ""
    send_empty: bool = True


class AlertsConfig(_Section):
    email: EmailChannel | None = None
    slack: SlackChannel | None = None
    file: FileChannel | None = None
    stdout: StdoutChannel | None = None

    def channels(self) -> dict[str, ChannelBase]:
        """Every configured channel; with none configured, the file channel and stdout."""
        configured = {name: getattr(self, name) for name in type(self).model_fields
                      if getattr(self, name) is not None}
        return configured or {"file": FileChannel(), "stdout": StdoutChannel()}

    def enabled(self) -> dict[str, ChannelBase]:
        return {name: ch for name, ch in self.channels().items() if ch.enabled}
class ClassifierConfig(_Section):
    # An analyst's own rules file (TOML); None: the rules shipped with chipwatch.
    rules: Path | None = None
    # A category is given when its score reaches this (a rules file may set a category's own
    # `threshold`).
    min_score: float = Field(3.0, gt=0)
    # How many sentences of evidence each tag keeps.
    max_evidence: int = Field(3, ge=1, le=20)


class Config(_Section):
    store: StoreConfig = StoreConfig()
    crawl: CrawlConfig = CrawlConfig()
    sources: SourcesConfig = SourcesConfig()
    daemon: DaemonConfig = DaemonConfig()
    alerts: AlertsConfig = AlertsConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    # Where the file was read from; relative paths in it are taken from its directory.
    origin: Path = Field(default=Path(DEFAULT_CONFIG_NAME), exclude=True)

    def resolve(self, path: Path) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else (self.origin.parent / path).resolve()

    @property
    def db_path(self) -> Path:
        return self.resolve(self.store.path)

    @property
    def cache_dir(self) -> Path:
        return self.resolve(self.crawl.cache_dir)

    def channels(self, *, enabled_only: bool = True) -> dict[str, ChannelBase]:
        """Alert channels (embedded default: file and stdout), with their paths taken
        from the configuration file's directory."""
        channels = self.alerts.enabled() if enabled_only else self.alerts.channels()
        resolved = {}
        for name, channel in channels.items():
            if isinstance(channel, FileChannel):
                channel = channel.model_copy(update={"directory": self.resolve(channel.directory)})
            elif isinstance(channel, EmailChannel) and channel.ca_file:
                channel = channel.model_copy(update={"ca_file": self.resolve(channel.ca_file)})
            resolved[name] = channel
        return resolved

    def channel(self, name: str) -> ChannelBase:
        channels = self.channels(enabled_only=False)
        if name not in channels:
            known = AlertsConfig.model_fields
            hint = _did_you_mean(name, known) if name not in known else ""
            raise ConfigError(
                f"no alert channel '{name}'{hint}; configured channels are: "
                f"{', '.join(channels)} (add an [alerts.{name}] table to config.toml)"
                if name in known else
                f"unknown alert channel '{name}'{hint}; channels are: {', '.join(known)}")
        return channels[name]
    @property
    def rules_path(self) -> Path | None:
        return self.resolve(self.classifier.rules) if self.classifier.rules else None

    def source(self, name: str) -> SourceBase:
        if name not in SourcesConfig.model_fields:
            raise ConfigError(
                f"unknown source '{name}'{_did_you_mean(name, SourcesConfig.model_fields)}; "
                f"sources are: {', '.join(SourcesConfig.model_fields)}"
            )
        return getattr(self.sources, name)


def config_path(explicit: str | os.PathLike | None = None) -> tuple[Path, bool]:
    """Where to read the configuration from, and whether the user named it."""
    if explicit:
        return Path(explicit), True
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env), True
    return Path(DEFAULT_CONFIG_NAME), False


def load(explicit: str | os.PathLike | None = None) -> Config:
    """Read and validate the configuration; raise ConfigError with a readable message."""
    path, named = config_path(explicit)
    if not path.exists():
        if named:
            raise ConfigError(
                f"{path}: configuration file not found (named by "
                f"{'--config' if explicit else '$' + CONFIG_ENV}); "
                f"check the path, or copy config.toml from the chipwatch repository"
            )
        return Config(origin=Path.cwd() / DEFAULT_CONFIG_NAME)
    try:
        with open(path, "rb") as fh:  # tomllib insists on binary mode
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    return parse(raw, origin=path)


def parse(raw: dict, origin: Path) -> Config:
    if "origin" in raw:  # set by chipwatch from where the file was found, never by the file
        raise ConfigError(f"{origin}: invalid configuration\n  origin: unknown key; relative "
                          f"paths are always taken from the file's own directory")
    try:
        return Config(**raw, origin=origin.resolve())
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from None


def secret(env_name: str | None) -> str | None:
    """The value of the environment variable a configuration key names, if set."""
    if not env_name:
        return None
    return os.environ.get(env_name) or None


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{what}: '{value}' is not a date; write it as YYYY-MM-DD") from None


# -- error wording -------------------------------------------------------------------------


def _describe(exc: ValidationError, origin: Path) -> str:
    lines = [f"{origin}: invalid configuration"]
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        lines.append(f"  {_key(loc)}: {_reason(err, loc)}")
    return "\n".join(lines)


def _key(loc: list[str]) -> str:
    """Render a location as the TOML reader sees it: [sources.bis] max_pages, agencies[1]."""
    parts, index = [], ""
    for part in loc:
        if part.isdigit():
            index += f"[{part}]"
        else:
            parts.append(part)
    if len(parts) <= 1:
        return (parts[0] if parts else "(top level)") + index
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}{index}"


def _reason(err: dict, loc: list[str]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        section = _model_at(loc[:-1])
        keys = [f.alias or n for n, f in section.model_fields.items()] if section else []
        hint = _did_you_mean(loc[-1], keys)
        return f"unknown key{hint}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "string_pattern_mismatch" and loc and loc[-1].startswith("base_url"):
        return f"'{err['input']}' is not a site origin; write it like https://www.example.gov"
    if kind == "literal_error":
        return f"'{err['input']}' is not allowed; choose one of {err['ctx']['expected']}"
    got = err.get("input")
    shown = f" (got {got!r})" if not isinstance(got, dict) else ""
    return f"{err['msg'].lower()}{shown}"


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    for part in loc:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        # An optional table (`EmailChannel | None`) is looked into as its model.
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _closest_slug(slug: str) -> str | None:
    """Match slugs on their words, so 'bureau-of-industry-and-security' finds
    'industry-and-security-bureau' although the order differs."""
    words = set(slug.lower().split("-")) - {"of", "the", "and", "u", "s"}
    best, best_score = None, 0.0
    for known in KNOWN_FR_AGENCIES:
        known_words = set(known.split("-")) - {"of", "the", "and", "u", "s"}
        score = len(words & known_words) / max(len(words | known_words), 1)
        if score > best_score:
            best, best_score = known, score
    if best_score >= 0.5:
        return best
    close = difflib.get_close_matches(slug, list(KNOWN_FR_AGENCIES), n=1, cutoff=0.6)
    return close[0] if close else None
