"""The one place where configuration is read, validated and turned into typed objects.

`config.toml` is found from `--config PATH`, else `$CHIPWATCH_CONFIG`, else `./config.toml`.
It is parsed once, validated here, and the resulting `Config` is passed down. Each package
owns the settings types it reads (crawl and source options in crawler/options.py, alert
channels in alerts/settings.py); this module composes them with the tracker's own (store,
schedule, daemon, classifier). Which sources exist comes from the source registry
(vocab/sources.toml), which categories exist from the rules file. Secrets are never values in
the file: the file names the environment variable that holds them, and this module (with
tracker/configfile.py, which finds and reads the file, and reads [classifier] alone for
`chipwatch classify`) is the only reader of the environment in chipwatch; each secret is
resolved once, here.
"""

from __future__ import annotations

import difflib
import getpass
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, create_model
from pydantic.fields import FieldInfo

from alerts.settings import (
    KINDS,
    AlertsConfig,
    ChannelBase,
    EmailChannel,
    FileChannel,
    WebhookChannel,
)
from crawler.options import CrawlSettings, options_class, registry_defaults
from tracker.classify.defaults import DEFAULT_RULES
from tracker.configfile import (
    DEFAULT_CONFIG_NAME,
    MAX_EVIDENCE,
    MAX_EVIDENCE_RANGE,
    MIN_SCORE,
    ClassifierSettings,
    read_file,
)
from tracker.cron import CronLine
from vocab.categories import Categories, read_categories
from vocab.errors import ConfigError
from vocab.sources import Source, sources
from vocab.values import Duration, TimeZone, WebUrl, parse_duration

__all__ = ["Config", "ConfigError", "load", "parse", "defaults", "secret", "parse_date",
           "analyst"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    path: Path = Path("data/chipwatch.db")


class SourceSchedule(_Section):
    """The tracker's part of a [sources.<name>] table: whether and when it is crawled, and
    when its silence becomes a worry."""
    enabled: bool = True
    # How often the daemon crawls (a duration such as "6h"), or a crontab line instead.
    every: Duration = parse_duration("6h")
    cron: CronLine | None = None
    # Health: with nothing new for longer than this, a source that still answers is "stale".
    stale_after_days: float = Field(14, gt=0)


class SourcesBase(_Section):
    """The [sources] table: one field per registered source (see `config_model`)."""

    def items(self) -> list[tuple[str, SourceSchedule]]:
        return [(name, getattr(self, name)) for name in type(self).model_fields]

    def enabled(self) -> list[str]:
        return [name for name, source in self.items() if source.enabled]


class DaemonConfig(_Section):
    # The zone in which crontab lines and digest times are read.
    timezone: TimeZone = ZoneInfo("America/New_York")
    # How often the outbox sender retries pending deliveries.
    outbox_every: Duration = parse_duration("10m")
    # Seconds a running crawl gets to finish after SIGTERM before it is interrupted.
    stop_grace_seconds: int = Field(20, ge=0, le=3600)
    # At most one health notice (a source broke, went stale or recovered) per source in
    # this time; a source that flaps is announced once, then as it stands when it has passed.
    health_notice_interval: Duration = parse_duration("6h")


class BrowseConfig(_Section):
    # The address at which analysts open chipwatch's Datasette (`chipwatch browse`, or a
    # Datasette serving the store elsewhere). Digests link to it: a digest too large for one
    # message links to its full list there.
    url: WebUrl = "http://127.0.0.1:8001"


class ClassifierConfig(_Section):
    # An analyst's own rules file (TOML); None: the rules shipped with chipwatch.
    rules: Path | None = None
    # A category is given when its score reaches this (a rules file may set a category's own
    # `threshold`).
    min_score: float = Field(MIN_SCORE, gt=0)
    # How many sentences of evidence each tag keeps.
    max_evidence: int = Field(MAX_EVIDENCE, ge=MAX_EVIDENCE_RANGE[0], le=MAX_EVIDENCE_RANGE[1])


class Config(_Section):
    store: StoreConfig = StoreConfig()
    crawl: CrawlSettings = CrawlSettings()
    sources: SourcesBase
    daemon: DaemonConfig = DaemonConfig()
    alerts: AlertsConfig = AlertsConfig()
    browse: BrowseConfig = BrowseConfig()
    classifier: ClassifierConfig = ClassifierConfig()
    # Where the file was read from; relative paths in it are taken from its directory.
    origin: Path = Field(default=Path(DEFAULT_CONFIG_NAME), exclude=True)
    _categories: Categories | None = PrivateAttr(None)
    _warnings: tuple[str, ...] = PrivateAttr(())

    def resolve(self, path: Path) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else (self.origin.parent / path).resolve()

    @property
    def db_path(self) -> Path:
        return self.resolve(self.store.path)

    @property
    def cache_dir(self) -> Path:
        return self.resolve(self.crawl.cache_dir)

    @property
    def rules_path(self) -> Path | None:
        return self.resolve(self.classifier.rules) if self.classifier.rules else None

    @property
    def classifier_settings(self) -> ClassifierSettings:
        """What building a classifier needs of this configuration."""
        return ClassifierSettings(self.rules_path, self.classifier.min_score,
                                  self.classifier.max_evidence)

    @property
    def categories(self) -> Categories:
        """The categories of the rules file in use, in its order."""
        if self._categories is None:
            self._categories = read_categories(self.rules_path or DEFAULT_RULES)
        return self._categories

    @property
    def warnings(self) -> tuple[str, ...]:
        """What was accepted but looks wrong (printed by the command line)."""
        return self._warnings

    def enabled_sources(self) -> list[str]:
        return self.sources.enabled()

    def writable_paths(self, db_path: Path | None = None) -> list[tuple[str, Path]]:
        """Every directory chipwatch writes to, with the key that names it: the database's
        (the file, its WAL and the daemon's lock), the HTTP cache, each file channel's."""
        paths = [("[store] path", Path(db_path or self.db_path).parent)]
        if self.crawl.http_cache:
            paths.append(("[crawl] cache_dir", self.cache_dir))
        for name, channel in self.channels().items():
            if isinstance(channel, FileChannel):
                paths.append((f"[alerts.{name}] directory", channel.directory))
        return paths

    @property
    def browse_url(self) -> str:
        return self.browse.url

    def channels(self, *, enabled_only: bool = True) -> dict[str, ChannelBase]:
        """Alert channels (embedded default: file and stdout), paths resolved."""
        channels = self.alerts.channels()
        return {name: channel for name, channel in channels.items()
                if channel.enabled or not enabled_only}

    def channel(self, name: str) -> ChannelBase:
        channels = self.channels(enabled_only=False)
        if name not in channels:
            hint = _did_you_mean(name, [*channels, *KINDS])
            raise ConfigError(
                f"no alert channel '{name}'{hint}; configured channels are: "
                f"{', '.join(channels)} (add an [alerts.{name}] table to config.toml"
                f"{'' if name in KINDS else ', with its kind'})")
        return channels[name]

    def channels_of_kind(self, kind: str) -> list[str]:
        """The names of the enabled channels of one kind ("stdout", "email"...)."""
        return [name for name, channel in self.channels().items() if channel.kind == kind]

    def source(self, name: str) -> SourceSchedule:
        names = type(self.sources).model_fields
        if name not in names:
            raise ConfigError(f"unknown source '{name}'{_did_you_mean(name, names)}; "
                              f"sources are: {', '.join(names)}")
        return getattr(self.sources, name)


# -- the model, derived from the source registry ---------------------------------------------


def _source_model(entry: Source) -> type[SourceSchedule]:
    """A source's table: its crawler options and its schedule, with the registry's defaults
    (only the defaults change: each option keeps its type and constraints)."""
    options = options_class(entry.name)
    defaults = {key: value for key, value in registry_defaults(entry.name).items()
                if key in options.model_fields}
    fields = {key: _with_default(options.model_fields[key], value)
              for key, value in defaults.items()}
    fields["enabled"] = _with_default(SourceSchedule.model_fields["enabled"], entry.enabled)
    fields["every"] = _with_default(SourceSchedule.model_fields["every"],
                                    parse_duration(entry.every))
    fields["stale_after_days"] = _with_default(SourceSchedule.model_fields["stale_after_days"],
                                               entry.stale_after_days)
    name = "".join(part.title() for part in entry.name.split("_")) + "Config"
    return create_model(name, __base__=(options, SourceSchedule), **fields)


def _with_default(field: FieldInfo, value) -> tuple:
    if not field.metadata:
        return (field.annotation, Field(value))
    return (Annotated[field.annotation, *field.metadata], Field(value))


@lru_cache(maxsize=1)
def config_model() -> type[Config]:
    fields = {}
    for name, entry in sources().items():
        model = _source_model(entry)
        fields[name] = (model, model())
    sources_model = create_model("SourcesConfig", __base__=SourcesBase, **fields)
    return create_model("ChipwatchConfig", __base__=Config,
                        sources=(sources_model, sources_model()))


# -- loading ---------------------------------------------------------------------------------


def load(explicit: str | os.PathLike | None = None) -> Config:
    """Read and validate the configuration; raise ConfigError with a readable message."""
    raw, path = read_file(explicit)
    if raw is None:
        return defaults()
    return parse(raw, origin=path)


def defaults() -> Config:
    """The configuration chipwatch uses without a file (relative paths from here)."""
    return parse({}, origin=Path.cwd() / DEFAULT_CONFIG_NAME)


def parse(raw: dict, origin: Path) -> Config:
    if "origin" in raw:  # set by chipwatch from where the file was found, never by the file
        raise ConfigError(f"{origin}: invalid configuration\n  origin: unknown key; relative "
                          f"paths are always taken from the file's own directory")
    origin = Path(origin).resolve()
    model = config_model()
    categories = _categories_for(raw, origin)
    warnings: list[str] = []
    try:
        config = model.model_validate({**raw, "origin": origin},
                                      context={"categories": categories, "warnings": warnings})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin, model)) from None
    config = _resolved(config)
    config._categories = categories
    config._warnings = tuple(warnings)
    return config


def _categories_for(raw: dict, origin: Path) -> Categories:
    """The categories channels may name: those of the configured rules file."""
    rules = (raw.get("classifier") or {}).get("rules") if isinstance(raw.get("classifier"),
                                                                      dict) else None
    if not isinstance(rules, str):
        return read_categories(DEFAULT_RULES)
    path = Path(rules).expanduser()
    path = path if path.is_absolute() else (origin.parent / path).resolve()
    try:
        return read_categories(path)
    except ConfigError as exc:
        raise ConfigError(f"{origin}: [classifier] rules: {exc}") from None


def _resolved(config: Config) -> Config:
    """Channel paths taken from the file's directory, secrets (alert channels', Scrapyd's
    password) read from the environment."""
    update = {}
    for name, channel in config.alerts.channels().items():  # the defaults when none is given
        if isinstance(channel, FileChannel):
            channel = channel.model_copy(update={"directory": config.resolve(channel.directory)})
        if isinstance(channel, EmailChannel) and channel.ca_file:
            channel = channel.model_copy(update={"ca_file": config.resolve(channel.ca_file)})
        if hasattr(channel, "with_secret"):
            channel = channel.with_secret(secret(channel.secret_env))
        if isinstance(channel, WebhookChannel) and channel.url_env:
            channel = channel.with_url(secret(channel.url_env))
        update[name] = channel
    crawl = config.crawl.with_scrapyd_password(secret(config.crawl.scrapyd_password_env))
    return config.model_copy(update={"alerts": AlertsConfig.model_construct(root=update),
                                     "crawl": crawl})


def secret(env_name: str | None) -> str | None:
    """The value of the environment variable a configuration key names, if set."""
    if not env_name:
        return None
    return os.environ.get(env_name) or None


def analyst() -> str:
    """Who makes a correction, for its audit row when `--by` is not given: the login name
    (from the environment, as the system gives it)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{what}: '{value}' is not a date; write it as YYYY-MM-DD") from None


# -- error wording -------------------------------------------------------------------------


def _describe(exc: ValidationError, origin: Path, model: type[BaseModel]) -> str:
    lines = [f"{origin}: invalid configuration"]
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        kind = None
        if len(loc) >= 3 and loc[0] == "alerts" and loc[2] in KINDS:
            kind = loc[2]
            loc = loc[:2] + loc[3:]  # the channel's kind is not a key of the file
        reason = _reason(err, loc, model, kind)
        if reason.startswith("[alerts."):  # said by the [alerts] table itself, key and all
            lines.append(f"  {reason}")
            continue
        lines.append(f"  {_key(loc)}: {reason}")
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
    if len(parts) == 2 and parts[0] == "alerts":  # a whole channel
        return f"[alerts.{parts[1]}]" + index
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}{index}"


def _reason(err: dict, loc: list[str], model: type[BaseModel],
            channel_kind: str | None = None) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        section = (AlertsConfig.kind_model(channel_kind) if channel_kind
                   else _model_at(model, loc[:-1]))
        keys = [f.alias or n for n, f in section.model_fields.items()] if section else []
        hint = _did_you_mean(loc[-1], keys)
        return f"unknown key{hint}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "union_tag_invalid":
        return (f"[alerts.{loc[-1]}] kind: '{err['ctx']['tag']}' is not a kind of channel; "
                f"choose one of {list(KINDS)}")
    if kind == "literal_error":
        return f"'{err['input']}' is not allowed; choose one of {err['ctx']['expected']}"
    got = err.get("input")
    shown = f" (got {got!r})" if not isinstance(got, dict) else ""
    return f"{err['msg'].lower()}{shown}"


def _model_at(model: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    if len(loc) == 2 and loc[0] == "alerts":  # a channel: its model is its kind's
        return None
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
