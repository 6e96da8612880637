"""What a crawl is told: the [crawl] settings and each source's own options, as typed models.

The configuration module validates config.toml into these (adding each source's schedule,
which is the tracker's business); the crawl child validates its spec into them again, so a
spider reads `self.options.agencies`, never a dict with restated defaults. Defaults that
belong to a source (its site, its page limit) come from the source registry.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    create_model,
    field_validator,
)

from vocab.sources import get_source
from vocab.values import HttpOrigin

PositiveInt = Annotated[int, Field(ge=1)]
_SERVICE_URL = re.compile(r"^https?://[^/\s:]+(:\d+)?(/[^\s]*)?$")
_PROJECT = re.compile(r"^[A-Za-z0-9_-]+$")


def _service_url(value) -> str:
    if not isinstance(value, str) or not _SERVICE_URL.match(value):
        raise ValueError(f"{value!r} is not the address of a Scrapyd server; write it like "
                         f"http://crawler-1.internal:6800")
    return value.rstrip("/")


def _project_name(value: str) -> str:
    if not _PROJECT.match(value):
        raise ValueError(f"{value!r} is not a Scrapyd project name; use letters, digits, "
                         f"'-' and '_'")
    return value


ServiceUrl = Annotated[str, AfterValidator(_service_url)]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlSettings(_Options):
    user_agent: str = (
        "chipwatch/0.1 (US-Taiwan semiconductor policy tracker; "
        "+https://github.com/chipwatch/chipwatch)"
    )
    download_delay: float = Field(1.0, ge=0)
    download_timeout: int = Field(30, ge=1)
    max_response_mb: int = Field(20, ge=1)
    retry_times: int = Field(3, ge=0, le=20)
    crawl_timeout: int = Field(900, ge=5)
    obey_robots: bool = True
    http_cache: bool = True
    cache_dir: Path = Path("data/httpcache")
    overlap_days: int = Field(3, ge=0)
    # Where crawls run: "local" (a child process of chipwatch) or "scrapyd" (a job per source
    # on the Scrapyd servers below, least busy first).
    backend: Literal["local", "scrapyd"] = "local"
    scrapyd_urls: list[ServiceUrl] = Field(default_factory=list, validate_default=True)
    scrapyd_project: Annotated[str, AfterValidator(_project_name)] = "chipwatch"
    # A server that does not answer for this long loses its running jobs (failed runs).
    scrapyd_unreachable_seconds: int = Field(30, ge=1, le=3600)
    # HTTP basic authentication, when the servers ask for it: the user, and the environment
    # variable holding the password (resolved by the configuration module, kept private).
    scrapyd_username: str = ""
    scrapyd_password_env: str = ""
    _scrapyd_password: SecretStr | None = PrivateAttr(None)

    @field_validator("scrapyd_urls")
    @classmethod
    def _servers_for_backend(cls, urls: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("backend") == "scrapyd" and not urls:
            raise ValueError("backend is \"scrapyd\" but no server is listed; write e.g. "
                             "scrapyd_urls = [\"http://127.0.0.1:6800\"]")
        return urls

    @field_validator("scrapyd_password_env")
    @classmethod
    def _password_needs_user(cls, name: str, info: ValidationInfo) -> str:
        if name and not info.data.get("scrapyd_username"):
            raise ValueError("a password is named but scrapyd_username is empty; set "
                             "scrapyd_username too")
        return name

    def with_scrapyd_password(self, value: str | None) -> "CrawlSettings":
        copy = self.model_copy()
        copy._scrapyd_password = SecretStr(value) if value else None
        return copy

    def scrapyd_password(self) -> str | None:
        return self._scrapyd_password.get_secret_value() if self._scrapyd_password else None


class SourceOptions(_Options):
    """What every source has; a source without options of its own uses this."""
    base_url: HttpOrigin
    max_pages: PositiveInt = 5
    first_run_days: PositiveInt = 30


# -- Federal Register ---------------------------------------------------------------------

# Agency slugs verified against the API's agencies.json (SOURCES.md §1), and others the API
# is known to use. A slug outside this list is still used, with a warning.
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
AGENCY_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FILLER = {"of", "the", "and", "u", "s", "for", "on"}


class FederalRegisterOptions(SourceOptions):
    agencies: list[str] = Field(
        default_factory=lambda: [
            "commerce-department",
            "industry-and-security-bureau",
            "international-trade-administration",
            "national-institute-of-standards-and-technology",
            "trade-representative-office-of-united-states",
            "executive-office-of-the-president",
        ],
    )  # empty: documents of any agency that match the terms
    terms: list[str] = Field(
        default_factory=lambda: [
            "semiconductor*", "microelectronic*", "integrated circuit*", "chip", "chips",
            "Taiwan", "export administration regulations", "entity list", "section 232",
            "section 301", "reciprocal tariff*",
        ]
    )
    types: list[Literal["RULE", "PRORULE", "NOTICE", "PRESDOCU"]] = Field(
        default_factory=lambda: list(FR_DOCUMENT_TYPES), min_length=1)
    per_page: int = Field(100, ge=1, le=1000)

    @field_validator("agencies")
    @classmethod
    def _slugs(cls, slugs: list[str], info: ValidationInfo) -> list[str]:
        warnings = (info.context or {}).get("warnings")
        for slug in slugs:
            if not AGENCY_SLUG.match(slug):
                raise ValueError(f"'{slug}' is not an agency slug: the Federal Register writes "
                                 f"them in lower case with hyphens, e.g. "
                                 f"industry-and-security-bureau")
            if slug not in KNOWN_FR_AGENCIES and warnings is not None:
                hint = closest_agency(slug)
                warnings.append(
                    f"[sources.federal_register] agencies: '{slug}' is not among the agency "
                    f"slugs chipwatch knows"
                    + (f" (did you mean '{hint}'?)" if hint else "")
                    + "; it is searched as written, and if the API ignores it the crawl "
                      "reports results from other agencies. The API lists its slugs at "
                      "https://www.federalregister.gov/api/v1/agencies.json")
        return slugs


def closest_agency(slug: str) -> str | None:
    """A known slug with the same words in another order, or a near spelling."""
    words = set(slug.split("-")) - _FILLER
    best, best_score = None, 0.0
    for known in KNOWN_FR_AGENCIES:
        known_words = set(known.split("-")) - _FILLER
        score = len(words & known_words) / max(len(words | known_words), 1)
        if score > best_score:
            best, best_score = known, score
    if best_score >= 0.5:
        return best
    close = difflib.get_close_matches(slug, list(KNOWN_FR_AGENCIES), n=1, cutoff=0.85)
    return close[0] if close else None


# -- press-release sites ----------------------------------------------------------------------


def _edition_of(source: str):
    """A language code that must be one of the editions `source` publishes."""
    def check(code: str) -> str:
        offered = get_source(source).languages
        if code not in offered:
            raise ValueError(f"'{code}' is not allowed; choose one of {list(offered)}")
        return code
    return Annotated[str, AfterValidator(check)]


class CommerceOptions(SourceOptions):
    # Listing sections under /news/ to follow.
    sections: list[str] = Field(default_factory=lambda: ["press-releases"], min_length=1)


class TsmcOptions(SourceOptions):
    languages: list[_edition_of("tsmc")] = Field(
        default_factory=lambda: ["en", "zh-Hant", "zh-Hans"], min_length=1)


class TrendforceOptions(SourceOptions):
    base_url_zh: HttpOrigin
    languages: list[_edition_of("trendforce")] = Field(
        default_factory=lambda: ["en", "zh-Hans"], min_length=1)
    sections: list[str] = Field(default_factory=lambda: ["news"], min_length=1)


# A source whose options are only those every source has is not listed.
OPTIONS: dict[str, type[SourceOptions]] = {
    "federal_register": FederalRegisterOptions,
    "commerce": CommerceOptions,
    "tsmc": TsmcOptions,
    "trendforce": TrendforceOptions,
}


def options_class(source: str) -> type[SourceOptions]:
    if source in OPTIONS:
        return OPTIONS[source]
    return declared_options(source) if get_source(source).read else SourceOptions


@lru_cache(maxsize=None)
def declared_options(source: str) -> type[SourceOptions]:
    """The options of a declared source (see crawler/declared.py): an origin per site it
    has, and which of its editions to read."""
    entry = get_source(source)
    fields: dict = {key: (HttpOrigin, ...) for key in entry.sites if key != "base_url"}
    fields["languages"] = (list[_edition_of(source)],
                           Field(default_factory=lambda: list(entry.read), min_length=1))
    name = "".join(part.title() for part in source.split("_")) + "Options"
    return create_model(name, __base__=SourceOptions, **fields)


def registry_defaults(source: str) -> dict:
    """The option values a source's registry entry gives: its sites and its limits."""
    entry = get_source(source)
    return {**entry.sites, "max_pages": entry.max_pages, "first_run_days": entry.first_run_days}


def load_options(source: str, raw: dict | None = None) -> SourceOptions:
    """A source's options from a dict (a crawl spec, a test): registry defaults first."""
    cls = options_class(source)
    defaults = {k: v for k, v in registry_defaults(source).items() if k in cls.model_fields}
    return cls.model_validate({**defaults, **(raw or {})})
