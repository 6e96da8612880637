"""What Datasette shows of the store: metadata (facets, descriptions, canned queries, feeds,
the timeline) and a small plugin (bilingual search, titles as links). The Datasette app itself
is put together by `tracker.browse`."""

from __future__ import annotations

import copy
from importlib import resources

import yaml

DATABASE_NAME = "chipwatch"


def load_metadata() -> dict:
    """The shipped metadata (a fresh copy each call)."""
    text = resources.files(__package__).joinpath("metadata.yml").read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text))


def canned_queries() -> dict[str, dict]:
    """name -> {"title", "sql", ...} of every canned query."""
    return load_metadata()["databases"][DATABASE_NAME]["queries"]
