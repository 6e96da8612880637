"""Datasette over the live store: read-only, with chipwatch's metadata and plugin."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

from store import StoreError, open_db
from store.browse import DATABASE_NAME, load_metadata
from tracker.classify.defaults import DEFAULT_RULES
from vocab.categories import Categories, read_categories

PLUGIN_NAME = "chipwatch"
SCALE_PLUGIN_NAME = "chipwatch-scale"  # facets, counts and search of the large views
PREFIX_PLUGIN_NAME = "chipwatch-prefixes"  # a day or month of publication found by index


def register_plugin() -> None:
    """Register chipwatch's Datasette plugin once per process."""
    from datasette.plugins import pm

    from store.browse import facets, plugin, prefixes

    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(plugin, name=PLUGIN_NAME)
    if pm.get_plugin(SCALE_PLUGIN_NAME) is None:
        pm.register(facets, name=SCALE_PLUGIN_NAME)
    if pm.get_plugin(PREFIX_PLUGIN_NAME) is None:
        pm.register(prefixes, name=PREFIX_PLUGIN_NAME)


def make_datasette(db_path: str | Path, categories: Categories | None = None, *,
                   replica: bool = False):
    """A Datasette serving the store at `db_path` (migrated first) as /chipwatch, in mutable
    mode so documents written by the daemon appear at once; `categories` are those of the
    rules file in use (default: the shipped rules). Reads go through read-only connections;
    no canned query writes and no write plugin is installed. A `replica` (a copy restored
    from Litestream) is served as it is: immutable, never migrated or written, no WAL files
    beside it, so several readers can share it and a newer copy can replace it."""
    from datasette.app import Datasette
    from datasette.database import Database as DatasetteDatabase

    db_path = Path(db_path)
    if replica:
        if not db_path.is_file():
            raise StoreError(f"{db_path}: no replica here; restore one first (litestream "
                             f"restore -o {db_path} REPLICA_URL)")
    else:
        open_db(db_path).close()  # creates and migrates: search table, views and outbox exist
    metadata = load_metadata(categories or read_categories(DEFAULT_RULES))
    register_plugin()
    # No suggested facets: Datasette would run one query per column over every match of a
    # search to suggest them (about 25 queries a page); the useful facets are configured.
    # A facet reads kept counts or at most 1,000 rows (store/browse/facets.py): one that
    # takes longer than 100 ms is scanning for a rare filter value and is given up.
    ds = Datasette([], metadata=metadata, settings={"default_page_size": 50,
                                                    "suggest_facets": False,
                                                    "facet_time_limit_ms": 100})
    ds.add_database(DatasetteDatabase(ds, path=str(db_path), is_mutable=not replica),
                    name=DATABASE_NAME)
    if "_memory" in ds.databases:  # Datasette adds it when started without files
        ds.remove_database("_memory")
    return ds


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001,
          categories: Categories | None = None, *, replica: bool = False) -> None:
    import uvicorn

    ds = make_datasette(db_path, categories, replica=replica)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on",
                workers=1)
