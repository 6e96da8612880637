"""What Datasette shows of the store: metadata (facets, descriptions, canned queries, feeds,
the timeline) and a small plugin (bilingual search, titles as links). The Datasette app itself
is put together by `tracker.browse`."""

from __future__ import annotations

import copy
from importlib import resources

import yaml
from sqlite_utils import Database

DATABASE_NAME = "chipwatch"


def load_metadata(db: Database | None = None) -> dict:
    """The shipped metadata. With `db`, canned queries that need a table the store does not
    have yet (key `requires`) are replaced by a query saying so, so their pages still work."""
    text = resources.files(__package__).joinpath("metadata.yml").read_text(encoding="utf-8")
    metadata = yaml.safe_load(text)
    tables = set(db.table_names()) | set(db.view_names()) if db is not None else None
    queries = metadata["databases"][DATABASE_NAME]["queries"]
    for name, query in queries.items():
        needed = query.pop("requires", None)
        if needed and tables is not None and needed not in tables:
            query["sql"] = (f"select 'This store has no {needed} table yet: it appears "
                            f"once digests are sent through the outbox.' as note")
    return copy.deepcopy(metadata)


def canned_queries() -> dict[str, dict]:
    """name -> {"title", "sql", ...} of every canned query."""
    return load_metadata()["databases"][DATABASE_NAME]["queries"]
