"""What Datasette shows of the store: metadata (facets, descriptions, canned queries, feeds,
the timeline) and a small plugin (bilingual search, titles as links). The Datasette app itself
is put together by `tracker.browse`.

`metadata.yml` holds what is the same for every store; what derives from the vocabulary is
filled in here: one canned query (and Atom feed) per category of the rules file in use, the
names of sources, categories and instruments in descriptions, and the query for amounts over
time for an actor (store/facts.py, which asks the same).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from html import escape
from importlib import resources

import yaml

from store.facts import AMOUNTS_NAMING
from store.week import WEEK_AGO_SQL
from vocab.categories import Categories
from vocab.sources import sources

DATABASE_NAME = "chipwatch"
# The plugin configuration (metadata "plugins") under which the pages find the display
# names of the categories and instruments of the rules file in use.
NAMES_PLUGIN = "chipwatch"

# One feed per category, one entry per event: the columns datasette-atom turns into entries
# (an event that gains a document moves its atom_updated). The category name is a validated
# identifier (lower-case letters, digits and _), quoted as an SQL string.
CATEGORY_QUERY = """select latest as date, atom_title as title, sources, documents, score,
  evidence, relevance, event_id, atom_link as url, atom_id, atom_title, atom_updated,
  atom_content_html, atom_link
from event_feed_entries
where category = {literal}
order by latest desc, event_id desc
limit 200"""


@lru_cache(maxsize=1)
def _shipped() -> dict:
    text = resources.files(__package__).joinpath("metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_metadata(categories: Categories) -> dict:
    """The metadata for a store classified with `categories` (a fresh copy each call)."""
    from .facets import for_scale

    metadata = copy.deepcopy(_shipped())
    for_scale(metadata["databases"][DATABASE_NAME]["tables"])
    queries = metadata["databases"][DATABASE_NAME]["queries"]
    for category in categories.items:
        queries[category.name] = {
            "title": f"{category.title}, newest first",
            "description": (f"Events tagged {category.name}"
                            + (f": {category.description}" if category.description else "")
                            + " Also an Atom feed."),
            "sql": CATEGORY_QUERY.format(literal=_sql_string(category.name)),
            "hide_sql": True,
        }
    words = {
        "{category_links}": "".join(
            f' · <a href="/{DATABASE_NAME}/{c.name}">{escape(c.title.lower())}</a>'
            for c in categories.items),
        "{category_names}": ", ".join(categories.names),
        "{instrument_names}": ", ".join(f"{i.name} ({i.title})" for i in categories.instruments),
        "{actor_amounts}": AMOUNTS_NAMING,
        "{week_ago}": WEEK_AGO_SQL,
        "{source_names}": ", ".join(sources()),
        "{source_titles}": ", ".join(entry.title for entry in sources().values()),
    }
    metadata = _fill(metadata, words)
    metadata.setdefault("plugins", {})[NAMES_PLUGIN] = {
        "category_titles": {c.name: c.title for c in categories.items},
        "instrument_titles": {i.name: i.title for i in categories.instruments},
    }
    return metadata


def canned_queries(categories: Categories) -> dict[str, dict]:
    """name -> {"title", "sql", ...} of every canned query."""
    return load_metadata(categories)["databases"][DATABASE_NAME]["queries"]


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fill(value, words: dict[str, str]):
    if isinstance(value, dict):
        return {key: _fill(item, words) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, words) for item in value]
    if isinstance(value, str):
        for placeholder, text in words.items():
            value = value.replace(placeholder, text)
    return value
