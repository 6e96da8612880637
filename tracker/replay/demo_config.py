"""The demo's configuration file: every source pointed at the replay, a crawl tuned for
loopback, stdout as the only alert channel. Written as TOML text (it is read back, and
validated, by tracker.config like any other configuration)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

MARKER = "# chipwatch demo configuration"
# Far enough back that the first crawl of each source reads every replayed document.
FIRST_RUN_DAYS = 4000


def _q(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(base_urls: dict[str, str], db_path: Path, cache_dir: Path) -> str:
    def source(name: str, url_key: str = "base_url", **keys) -> list[str]:
        lines = [f"[sources.{name}]", "enabled = true", f"{url_key} = {_q(base_urls[name])}"]
        lines += [f"{key} = {value}" for key, value in keys.items()]
        lines.append(f"first_run_days = {FIRST_RUN_DAYS}")
        return lines + [""]

    lines = [
        MARKER,
        "# Written by `chipwatch demo`: every source points at the replay on 127.0.0.1.",
        "# It is rewritten by each demo run; edit config.toml for your own crawls.",
        "",
        "[store]", f"path = {_q(db_path)}", "",
        "[crawl]", "download_delay = 0", "download_timeout = 10", "retry_times = 1",
        "crawl_timeout = 120", "http_cache = true", f"cache_dir = {_q(cache_dir)}", "",
        *source("federal_register", per_page=25),
        *source("commerce"),
        *source("bis"),
        *source("tsmc"),
        *source("trendforce")[:-2],
        f"base_url_zh = {_q(base_urls['trendforce_zh'])}",
        f"first_run_days = {FIRST_RUN_DAYS}", "",
        "[alerts.stdout]", "",
    ]
    return "\n".join(lines)


def is_demo_config(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").startswith(MARKER)
    except OSError:
        return False


def ports_of(config) -> dict[str, int]:
    """The replay ports a demo configuration points at (to serve a second run there)."""
    sources = config.sources
    urls = {"federal_register": sources.federal_register.base_url,
            "commerce": sources.commerce.base_url, "bis": sources.bis.base_url,
            "tsmc": sources.tsmc.base_url, "trendforce": sources.trendforce.base_url,
            "trendforce_zh": sources.trendforce.base_url_zh}
    return {site: urlsplit(url).port for site, url in urls.items() if urlsplit(url).port}
