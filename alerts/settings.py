"""What the alerts read of the configuration: each channel's settings, typed, and the small
interface of the whole configuration they use. The configuration module validates the
`[alerts.*]` tables into these and resolves each channel's secret from the environment once;
nothing in alerts/ reads the environment or the configuration file."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Protocol, Union
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    RootModel,
    SecretStr,
    ValidationInfo,
    model_validator,
)

from vocab import actors as actor_table
from vocab.categories import UNTAGGED, Categories
from vocab.values import ClockTime, LanguageCode, QuietHours, SourceName, TimeZone, WebUrl

# What a channel can be; an [alerts.<name>] table named after one of these needs no `kind`.
KINDS = ("email", "slack", "webhook", "file", "stdout")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A channel's name is part of its digests' ids (`name:kind:period`) and file names.
CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _tagged_category(name: str, info: ValidationInfo) -> str:
    """A category of the rules file in use (known from the validation context)."""
    known: Categories | None = (info.context or {}).get("categories")
    if known is not None and name not in known:
        raise ValueError(f"'{name}' is not allowed; choose one of {known.names} (the "
                         f"categories of the rules file)")
    return name


def _listed_category(name: str, info: ValidationInfo) -> str:
    return name if name == UNTAGGED else _tagged_category(name, info)


def _instrument(name: str, info: ValidationInfo) -> str:
    """An instrument the rules file in use declares."""
    known: Categories | None = (info.context or {}).get("categories")
    if known is not None and name not in known.instrument_names:
        raise ValueError(f"'{name}' is not an instrument of the rules file; choose among "
                         f"{known.instrument_names}")
    return name


def _actor(name: str) -> str:
    """An actor of chipwatch's table (vocab/actors.toml), by key, name or Chinese name: its
    canonical name, as the store keeps it."""
    table = actor_table.actors()
    for key, actor in table.items():
        if name in (key, actor.name, actor.name_zh):
            return actor.name
    raise ValueError(f"'{name}' is not an actor of vocab/actors.toml; use a name such as "
                     f"{[a.name for a in list(table.values())[:6]]} (or its key)")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))  # "TSMC" and "台積電" are one actor


def _weekday(value) -> str:
    text = str(value).strip().lower()
    for day in WEEKDAYS:
        if text in (day, day[:3]):
            return day
    raise ValueError(f"{value!r} is not a day of the week; write one of {list(WEEKDAYS)}")


def _keyword(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a keyword cannot be empty")
    return value.strip()


TaggedCategory = Annotated[str, AfterValidator(_tagged_category)]
InstrumentName = Annotated[str, AfterValidator(_instrument)]
ActorName = Annotated[str, AfterValidator(_actor)]
Weekday = Annotated[str, BeforeValidator(_weekday)]
Keyword = Annotated[str, BeforeValidator(_keyword)]
# In a channel's filter, "none" stands for documents without any tag.
ListedCategory = Annotated[str, AfterValidator(_listed_category)]


class ChannelBase(_Section):
    """What every channel shares: its filter, its schedule, urgent categories, quiet hours."""

    enabled: bool = True
    # Filter. Categories in order of importance (the digest shows them in this order);
    # None: every category of the rules file, in the file's order.
    categories: list[ListedCategory] | None = Field(None, min_length=1)
    sources: list[SourceName] = Field(default_factory=list)  # empty: every source
    languages: list[LanguageCode] = Field(default_factory=list)  # empty: every language
    min_score: float = Field(0.0, ge=0)
    # Events with one of these instruments, or naming one of these actors (empty: any).
    instruments: list[InstrumentName] = Field(default_factory=list)
    actors: Annotated[list[ActorName], AfterValidator(_unique)] = Field(default_factory=list)
    # "core": only events whose subject is chips or Taiwan; "wider": only the others;
    # "any": both (the wider ones in a section of their own, see include_wider).
    relevance: Literal["any", "core", "wider"] = "any"
    # Events whose documents (title, summary or text) contain one of `keywords` (empty:
    # any), and none of `exclude_keywords`. Case does not matter; Chinese matches in either
    # script (and the other side of the Strait's word: 晶片 finds 芯片).
    keywords: list[Keyword] = Field(default_factory=list)
    exclude_keywords: list[Keyword] = Field(default_factory=list)
    # Titles: an event with editions in English and Chinese shows both; the title of this
    # language comes first (None: English first, unless the channel lists only Chinese).
    language: Literal["en", "zh"] | None = None
    # Schedule: the daily digest is made once a day when this local time has passed.
    # None (written ""): a digest after every cycle. With `weekly_on`, once a week instead,
    # on that day when `daily_at` has passed.
    daily_at: ClockTime = time(8, 0)
    weekly_on: Weekday | None = None
    timezone: TimeZone = ZoneInfo("UTC")
    # Categories sent at once, right after the cycle that found them.
    urgent: list[TaggedCategory] = Field(default_factory=list)
    # Urgent alerts found in these hours ("22:00-07:00", local time) wait until they end.
    quiet_hours: QuietHours = None
    send_empty: bool = False
    # Events whose tags are all of wider relevance (a tariff on copper: the category, but not
    # chips or Taiwan) are listed in a short section at the end; false leaves them out.
    include_wider: bool = True
    # Size: at most this many documents are listed in one digest, the most important first
    # (the rest are counted, with a link to the digest's full list in Datasette)...
    max_entries: int = Field(200, ge=1, le=100_000)
    # ...and no message is larger than this many bytes (email: the whole message; Slack:
    # each post; file: each file; stdout: the text): entries are left out until it fits.
    max_bytes: int = Field(2_000_000, ge=10_000)
    # Deadlines (a rule taking effect, comments closing) in the next this many days are
    # listed in each digest (0: no such section).
    deadline_days: int = Field(14, ge=0, le=366)
    # A reminder is sent this many days before each deadline, once (0: no reminders).
    remind_days: int = Field(0, ge=0, le=366)
    # Untagged documents are listed too when `categories` is left to its default.
    untagged_by_default: ClassVar[bool] = False

    @model_validator(mode="after")
    def _weekly_needs_a_time(self):
        if self.weekly_on and self.daily_at is None and "daily_at" in self.model_fields_set:
            raise ValueError("weekly_on needs a time of day: set daily_at (e.g. \"08:00\")")
        return self

    @property
    def send_at(self) -> time | None:
        """When on its day the scheduled digest is made (None: after every cycle)."""
        if self.weekly_on:
            return self.daily_at or time(8, 0)
        return self.daily_at

    @property
    def schedule(self) -> str:
        """'after each cycle', 'daily at 08:00 UTC', 'weekly on monday at 08:00 UTC'."""
        at = self.send_at
        if at is None:
            return "after each cycle"
        when = f"at {at:%H:%M} {self.timezone.key}"
        return f"weekly on {self.weekly_on} {when}" if self.weekly_on else f"daily {when}"

    @model_validator(mode="after")
    def _urgent_within_filter(self):
        if self.categories is not None:
            outside = [c for c in self.urgent if c not in self.categories]
            if outside:
                raise ValueError(f"urgent categories {outside} are not among this channel's "
                                 f"categories {self.categories}; add them there too")
        return self

    def wanted(self, known: Categories) -> list[str]:
        """The categories this channel lists, most important first: urgent ones, then the
        channel's own order (or the rules file's)."""
        listed = self.categories if self.categories is not None else (
            known.names + ([UNTAGGED] if self.untagged_by_default else []))
        return self.urgent + [c for c in listed if c not in self.urgent]

    @property
    def zone(self) -> ZoneInfo:
        return self.timezone


class _SecretHolder(_Section):
    """A channel whose secret lives in an environment variable the file names. The value is
    resolved once, when the configuration is loaded, and never printed."""

    _secret: SecretStr | None = PrivateAttr(None)

    def with_secret(self, value: str | None):
        copy = self.model_copy()
        copy._secret = SecretStr(value) if value else None
        return copy

    def secret_value(self) -> str | None:
        return self._secret.get_secret_value() if self._secret else None


class EmailChannel(ChannelBase, _SecretHolder):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["email"] = "email"
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

    @property
    def secret_env(self) -> str:
        return self.password_env

    @model_validator(mode="after")
    def _password_needs_user(self):
        if self.password_env and not self.username:
            raise ValueError("password_env is set but username is empty; set username too")
        return self


class SlackChannel(ChannelBase, _SecretHolder):
    kind: Literal["slack"] = "slack"
    webhook_url_env: str  # the environment variable holding the incoming-webhook URL
    timeout: float = Field(30, gt=0)
    max_entries: int = Field(50, ge=1, le=100_000)  # about two posts
    max_bytes: int = Field(40_000, ge=10_000)  # each post, as JSON

    @property
    def secret_env(self) -> str:
        return self.webhook_url_env


class FileChannel(ChannelBase):
    kind: Literal["file"] = "file"
    directory: Path = Path("data/digests")
    daily_at: ClockTime = None  # by default a file after every cycle that found something
    max_entries: int = Field(1000, ge=1, le=100_000)
    max_bytes: int = Field(5_000_000, ge=10_000)


class StdoutChannel(ChannelBase):
    """Printed on standard output at the end of `chipwatch run` and `chipwatch digest`:
    everything new, tagged documents first, then the others."""
    kind: Literal["stdout"] = "stdout"
    daily_at: ClockTime = None
    send_empty: bool = True
    untagged_by_default: ClassVar[bool] = True


class WebhookChannel(ChannelBase, _SecretHolder):
    """A JSON body POSTed per digest (docs/webhook.md), signed with HMAC-SHA256 of the body
    under the secret in `secret_env` (header X-Chipwatch-Signature: sha256=<hex>)."""
    kind: Literal["webhook"] = "webhook"
    url: WebUrl | None = None  # where to POST; or, when the address is itself a secret,
    url_env: str = ""  # the environment variable holding it
    secret_env: str  # the environment variable holding the signing secret
    timeout: float = Field(30, gt=0)
    daily_at: ClockTime = None  # by default a POST after every cycle that found something
    max_entries: int = Field(200, ge=1, le=100_000)
    max_bytes: int = Field(1_000_000, ge=10_000)  # the body
    _url: SecretStr | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _one_address(self):
        if bool(self.url) == bool(self.url_env):
            raise ValueError("give the address to POST to as url = \"https://...\" or, "
                             "when it is a secret, url_env = \"VARIABLE\" (one of the two)")
        return self

    def with_url(self, value: str | None):
        copy = self.model_copy()
        copy._url = SecretStr(value) if value else None
        return copy

    def address(self) -> str | None:
        if self.url:
            return self.url
        return self._url.get_secret_value() if self._url else None


AnyChannel = Annotated[Union[EmailChannel, SlackChannel, WebhookChannel, FileChannel,
                             StdoutChannel], Field(discriminator="kind")]


class AlertsConfig(RootModel[dict[str, AnyChannel]]):
    """The [alerts.<name>] tables: any number of channels of each kind. A table named after
    a kind ([alerts.email]) is of that kind; any other name says its `kind`."""

    model_config = ConfigDict(frozen=True)
    root: dict[str, AnyChannel] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _kinds(cls, data):
        if not isinstance(data, dict):
            return data
        tables = {}
        for name, table in data.items():
            if not CHANNEL_NAME.match(str(name)):
                raise ValueError(f"[alerts.{name}]: a channel's name is lower-case letters, "
                                 f"digits, _ and -, starting with a letter (at most 40)")
            if isinstance(table, dict):
                if "kind" not in table:
                    if name not in KINDS:
                        raise ValueError(
                            f"[alerts.{name}] kind: missing; a channel not named after its "
                            f"kind says which it is: kind = one of {list(KINDS)}")
                    table = {**table, "kind": name}
                elif name in KINDS and table["kind"] != name:
                    raise ValueError(f"[alerts.{name}] kind: a table named after a kind is "
                                     f"that kind ({name!r}); name the channel otherwise, "
                                     f"e.g. [alerts.my-{table['kind']}]")
            tables[name] = table
        return tables

    @staticmethod
    def kind_model(kind: str) -> type[ChannelBase]:
        return {"email": EmailChannel, "slack": SlackChannel, "webhook": WebhookChannel,
                "file": FileChannel, "stdout": StdoutChannel}[kind]

    def channels(self) -> dict[str, ChannelBase]:
        """Every configured channel; with none configured, the file channel and stdout."""
        return dict(self.root) or {"file": FileChannel(), "stdout": StdoutChannel()}


class AlertConfig(Protocol):
    """What alerts/ uses of the whole configuration (tracker.config.Config provides it)."""

    @property
    def categories(self) -> Categories: ...

    @property
    def browse_url(self) -> str: ...

    def channels(self, *, enabled_only: bool = True) -> dict[str, ChannelBase]: ...

    def enabled_sources(self) -> list[str]: ...
