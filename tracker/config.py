"""The one place where configuration is read, validated and turned into typed objects.

`config.toml` is found from `--config PATH`, else `$CHIPWATCH_CONFIG`, else `./config.toml`.
It is parsed once, validated here, and the resulting `Config` is passed down. Secrets are
never values in the file: the file names the environment variable that holds them, and
`secret()` below is the only reader of the environment in chipwatch.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class SourceBase(_Section):
    enabled: bool = True
    base_url: HttpUrl
    max_pages: int = Field(5, ge=1)
    first_run_days: int = Field(30, ge=1)


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


class BisConfig(SourceBase):
    base_url: HttpUrl = "https://www.bis.gov"
    max_pages: int = Field(3, ge=1)


class TsmcConfig(SourceBase):
    base_url: HttpUrl = "https://pr.tsmc.com"
    languages: list[Literal["en", "zh-Hant", "zh-Hans"]] = Field(
        default_factory=lambda: ["en", "zh-Hant", "zh-Hans"], min_length=1
    )
    max_pages: int = Field(1, ge=1)


class TrendforceConfig(SourceBase):
    base_url: HttpUrl = "https://www.trendforce.com"
    base_url_zh: HttpUrl = "https://www.trendforce.cn"
    languages: list[Literal["en", "zh-Hans"]] = Field(
        default_factory=lambda: ["en", "zh-Hans"], min_length=1
    )
    sections: list[str] = Field(default_factory=lambda: ["news"], min_length=1)
    max_pages: int = Field(3, ge=1)


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
        hint = _did_you_mean(loc[-1], section.model_fields if section else [])
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
