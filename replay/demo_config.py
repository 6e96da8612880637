"""The demo's configuration file: every source pointed at the replay, a crawl tuned for
loopback, stdout as the only alert channel. Written as TOML text (it is read back, and
validated, by tracker.config like any other configuration)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from replay.sites import replayed_sites
from vocab.sources import sources

MARKER = "# chipwatch demo configuration"
# Far enough back that the first crawl of each source reads every replayed document.
FIRST_RUN_DAYS = 4000


def _q(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# Keys a source gets in the demo beyond its origins (smaller API pages: more paging shown).
EXTRA = {"federal_register": {"per_page": 25}}


def render(base_urls: dict[str, str], db_path: Path, cache_dir: Path) -> str:
    """`base_urls`: replay site id -> its origin on 127.0.0.1 (see replay.sites)."""
    lines = [
        MARKER,
        "# Written by `chipwatch demo`: every source points at the replay on 127.0.0.1.",
        "# It is rewritten by each demo run; edit config.toml for your own crawls.",
        "",
        "[store]", f"path = {_q(db_path)}", "",
        "[crawl]", "download_delay = 0", "download_timeout = 10", "retry_times = 1",
        "crawl_timeout = 120", "http_cache = true", f"cache_dir = {_q(cache_dir)}", "",
    ]
    for name in sources():
        lines += [f"[sources.{name}]", "enabled = true"]
        lines += [f"{key} = {_q(base_urls[site])}" for site, (source, key)
                  in replayed_sites().items() if source == name]
        lines += [f"{key} = {value}" for key, value in EXTRA.get(name, {}).items()]
        lines += [f"first_run_days = {FIRST_RUN_DAYS}", ""]
    lines += ["[alerts.stdout]", ""]
    return "\n".join(lines)


def is_demo_config(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").startswith(MARKER)
    except OSError:
        return False


def ports_of(config) -> dict[str, int]:
    """The replay ports a demo configuration points at (to serve a second run there)."""
    ports = {}
    for site, (source, key) in replayed_sites().items():
        port = urlsplit(getattr(config.source(source), key)).port
        if port:
            ports[site] = port
    return ports
