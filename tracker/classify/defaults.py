"""Where the rules shipped with chipwatch are."""

from pathlib import Path

DEFAULT_RULES = Path(__file__).with_name("rules.toml")
