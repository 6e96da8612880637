"""The source registry: `sources.toml` read once into `Source` records.

A source is declared in one place; configuration validation, the crawler, digests, Datasette,
`chipwatch status` and the replay all ask this module about it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .languages import LANGUAGES

REGISTRY = "sources.toml"
EDITION_LINKS = ("", "shared_id", "day_and_title", "page_link")
KEYS = {"title", "spider", "languages", "timezone", "sites", "editions", "every",
        "stale_after_days", "max_pages", "first_run_days"}
# Keys a source may leave out, and what it then gets (see sources.toml): whether it is crawled
# unless the configuration says otherwise; how a declared source reads each edition (its feed
# or listing, item ids, article pages; crawler/declared.py gives these tables their meaning);
# how a compact list names it; the role its documents play in an event; whose government
# speaks through it (a Taiwan-government statement may answer a US action: see
# tracker/events/reactions.py); how footnotes name it as an outlet, per citation language
# (vocab/citations.py).
OPTIONAL_KEYS = {"enabled": True, "read": {}, "short": None, "role": "document",
                 "government": "", "cite": {}}
CITATION_LANGUAGES = ("en", "zh")
ROLES = ("announcement", "publication", "statement", "analysis", "reaction", "document")
# government code -> how a digest names it ("Taiwan's response")
GOVERNMENTS = {"US": "the United States", "TW": "Taiwan"}


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    spider: str  # "module:Class"
    languages: tuple[str, ...]
    timezone: str
    sites: dict[str, str]  # configuration key -> default origin; base_url first
    editions: str
    every: str
    stale_after_days: float
    max_pages: int
    first_run_days: int
    enabled: bool = True
    read: dict = field(default_factory=dict)  # language -> how that edition is read
    short: str = ""  # how a compact list names it ("BIS"); the title when not given
    role: str = "document"  # the role its documents play in an event (vocab/events.py)
    government: str = ""  # "US", "TW": the government it speaks for ("" for others)
    cite: dict = field(default_factory=dict)  # "en"/"zh" -> the outlet's name in footnotes

    @property
    def base_url(self) -> str:
        return self.sites["base_url"]

    def outlet(self, language: str) -> str:
        """How a footnote in `language` ("en" or "zh") names this source."""
        return self.cite.get(language) or self.title

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    """Every declared source, in the registry's order."""
    text = resources.files(__package__).joinpath(REGISTRY).read_text(encoding="utf-8")
    return {name: _source(name, table) for name, table in tomllib.loads(text).items()}


def source_names() -> list[str]:
    return list(sources())


def get_source(name: str) -> Source:
    try:
        return sources()[name]
    except KeyError:
        raise KeyError(f"unknown source '{name}'; sources are: "
                       f"{', '.join(sources())}") from None


def government_of(name: str) -> str:
    """The government a source speaks for ("US", "TW"), or ""."""
    found = sources().get(name)
    return found.government if found else ""


def source_title(name: str) -> str:
    found = sources().get(name)
    return found.title if found else name


def _source(name: str, table: dict) -> Source:
    where = f"vocab/{REGISTRY} [{name}]"
    unknown = set(table) - KEYS - set(OPTIONAL_KEYS)
    missing = KEYS - set(table)
    if unknown or missing:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}" if unknown
                          else f"{where}: missing keys {sorted(missing)}")
    languages = tuple(table["languages"])
    if not languages or any(code not in LANGUAGES for code in languages):
        raise ConfigError(f"{where}: languages must be some of {list(LANGUAGES)}")
    if "base_url" not in table["sites"]:
        raise ConfigError(f"{where}: sites needs a base_url")
    if table["editions"] not in EDITION_LINKS:
        raise ConfigError(f"{where}: editions must be one of {list(EDITION_LINKS)}")
    read = table.get("read", OPTIONAL_KEYS["read"])
    if not isinstance(read, dict) or set(read) - set(languages):
        raise ConfigError(f"{where}: read must be a table per language, of {list(languages)}")
    if not isinstance(table.get("enabled", True), bool):
        raise ConfigError(f"{where}: enabled must be true or false")
    try:
        ZoneInfo(table["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {table['timezone']!r}") from None
    role = table.get("role", OPTIONAL_KEYS["role"])
    if role not in ROLES:
        raise ConfigError(f"{where}: role must be one of {list(ROLES)}")
    government = table.get("government", OPTIONAL_KEYS["government"])
    if government and government not in GOVERNMENTS:
        raise ConfigError(f"{where}: government must be one of {list(GOVERNMENTS)} or left out")
    cite = table.get("cite", OPTIONAL_KEYS["cite"])
    if not isinstance(cite, dict) or set(cite) - set(CITATION_LANGUAGES) or \
            not all(isinstance(v, str) and v.strip() for v in cite.values()):
        raise ConfigError(f"{where}: cite must be a table of outlet names, keys of "
                          f"{list(CITATION_LANGUAGES)}")
    return Source(name=name, title=table["title"], spider=table["spider"],
                  languages=languages, timezone=table["timezone"], sites=dict(table["sites"]),
                  editions=table["editions"], every=table["every"],
                  stale_after_days=float(table["stale_after_days"]),
                  max_pages=int(table["max_pages"]),
                  first_run_days=int(table["first_run_days"]),
                  enabled=table.get("enabled", OPTIONAL_KEYS["enabled"]), read=dict(read),
                  short=table.get("short") or table["title"], role=role,
                  government=government, cite=dict(cite))
