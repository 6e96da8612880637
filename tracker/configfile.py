"""Finding and reading the configuration file, and its [classifier] section on its own.

The part of the configuration (tracker/config.py) that needs no validation library:
`chipwatch classify` needs only the rules file and two numbers, read here in about a
millisecond, where importing pydantic and validating the whole file takes longer than the
classifying. A [classifier] section this cannot take as it stands (a wrong type, a value out
of range, an unknown key) is handed to the full validation, so that every error reads the same
whichever command meets it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from vocab.errors import ConfigError

DEFAULT_CONFIG_NAME = "config.toml"
CONFIG_ENV = "CHIPWATCH_CONFIG"

# [classifier]: a category is given when its score reaches min_score; each tag keeps up to
# max_evidence sentences (tracker.config.ClassifierConfig validates them with these).
MIN_SCORE = 3.0
MAX_EVIDENCE = 3
MAX_EVIDENCE_RANGE = (1, 20)


@dataclass(frozen=True)
class ClassifierSettings:
    """What building a classifier needs: the rules file (None: the shipped rules) and the
    two numbers of [classifier]."""
    rules_path: Path | None = None
    min_score: float = MIN_SCORE
    max_evidence: int = MAX_EVIDENCE


def config_path(explicit: str | os.PathLike | None = None) -> tuple[Path, bool]:
    """Where to read the configuration from, and whether the user named it."""
    if explicit:
        return Path(explicit), True
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env), True
    return Path(DEFAULT_CONFIG_NAME), False


def read_file(explicit: str | os.PathLike | None = None) -> tuple[dict | None, Path]:
    """The parsed TOML of the configuration and where it was found; None when no file was
    named and ./config.toml is absent (the defaults apply). ConfigError names a file that
    was named but is missing, unreadable, not UTF-8 or not TOML."""
    path, named = config_path(explicit)
    if not path.exists():
        if named:
            raise ConfigError(
                f"{path}: configuration file not found (named by "
                f"{'--config' if explicit else '$' + CONFIG_ENV}); "
                f"check the path, or copy config.toml from the chipwatch repository"
            )
        return None, path
    try:
        with open(path, "rb") as fh:  # tomllib insists on binary mode
            return tomllib.load(fh), path
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start + 1} cannot be read); "
                          f"save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def classifier_settings(explicit: str | os.PathLike | None = None) -> ClassifierSettings | None:
    """The [classifier] section read without validating the rest of the file, or None when
    it needs the full validation to be accepted or explained (tracker.config.load)."""
    raw, path = read_file(explicit)
    if raw is None:
        return ClassifierSettings()
    section = raw.get("classifier", {})
    if not isinstance(section, dict) or set(section) - {"rules", "min_score", "max_evidence"}:
        return None
    rules = section.get("rules")
    min_score = section.get("min_score", MIN_SCORE)
    max_evidence = section.get("max_evidence", MAX_EVIDENCE)
    low, high = MAX_EVIDENCE_RANGE
    if (rules is not None and not (isinstance(rules, str) and rules.strip())) \
            or isinstance(min_score, bool) or not isinstance(min_score, (int, float)) \
            or not min_score > 0 \
            or isinstance(max_evidence, bool) or not isinstance(max_evidence, int) \
            or not low <= max_evidence <= high:
        return None
    rules_path = None
    if rules is not None:
        rules_path = Path(rules).expanduser()
        if not rules_path.is_absolute():  # relative to the file, as tracker.config resolves it
            rules_path = (path.resolve().parent / rules_path).resolve()
    return ClassifierSettings(rules_path, float(min_score), max_evidence)
