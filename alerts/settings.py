"""What the alerts read of the configuration: each channel's settings, typed, and the small
interface of the whole configuration they use. The configuration module validates the
`[alerts.*]` tables into these and resolves each channel's secret from the environment once;
nothing in alerts/ reads the environment or the configuration file."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, ClassVar, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    model_validator,
)

from vocab.categories import UNTAGGED, Categories
from vocab.values import ClockTime, LanguageCode, QuietHours, SourceName, TimeZone


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


TaggedCategory = Annotated[str, AfterValidator(_tagged_category)]
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
    # Schedule: the daily digest is made once a day when this local time has passed.
    # None (written ""): a digest after every cycle.
    daily_at: ClockTime = time(8, 0)
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
    webhook_url_env: str  # the environment variable holding the incoming-webhook URL
    timeout: float = Field(30, gt=0)
    max_entries: int = Field(50, ge=1, le=100_000)  # about two posts
    max_bytes: int = Field(40_000, ge=10_000)  # each post, as JSON

    @property
    def secret_env(self) -> str:
        return self.webhook_url_env


class FileChannel(ChannelBase):
    directory: Path = Path("data/digests")
    daily_at: ClockTime = None  # by default a file after every cycle that found something
    max_entries: int = Field(1000, ge=1, le=100_000)
    max_bytes: int = Field(5_000_000, ge=10_000)


class StdoutChannel(ChannelBase):
    """Printed on standard output at the end of `chipwatch run` and `chipwatch digest`:
    everything new, tagged documents first, then the others."""
    daily_at: ClockTime = None
    send_empty: bool = True
    untagged_by_default: ClassVar[bool] = True


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


class AlertConfig(Protocol):
    """What alerts/ uses of the whole configuration (tracker.config.Config provides it)."""

    @property
    def categories(self) -> Categories: ...

    @property
    def browse_url(self) -> str: ...

    def channels(self, *, enabled_only: bool = True) -> dict[str, ChannelBase]: ...

    def enabled_sources(self) -> list[str]: ...
