"""The crawler as a Scrapyd job: how a crawl spec travels as spider arguments, how Scrapy finds
chipwatch's spiders there, and the report each job leaves beside its items.

Scrapyd starts `scrapy crawl SOURCE -a spec=... -s KEY=VALUE` in a process of its own, with
the project's settings module (crawler/scrapyd_settings.py) and a FEEDS setting that writes
the job's items as JSON lines into its `items_dir`. Spider arguments are text on a command
line, so the spec is compressed and, when large (a source with thousands of stored documents),
cut into several arguments: Linux takes at most 128 KiB in one argument.
"""

from __future__ import annotations

import base64
import json
import zlib
from functools import lru_cache
from pathlib import Path

from scrapy import signals
from w3lib.url import file_uri_to_path

from crawler.report import callback_problem, crawl_report, write_report
from crawler.spiders import spider_class
from vocab.sources import source_names

SPEC_PREFIX = "z1:"  # zlib-compressed JSON, base64 (URL-safe)
ARGUMENT_CHARS = 100_000  # below Linux's 128 KiB for one command-line argument
SPEC_LIMIT_CHARS = 1_000_000  # below the 2 MiB a whole command line (and environment) may use
REPORT_SUFFIX = ".report.json"


class SpecTooLarge(ValueError):
    """A crawl spec that no command line could carry."""


def encode_spec(spec: dict) -> dict[str, str]:
    """Spider arguments carrying `spec`: `spec`, then `spec_1`, `spec_2`... when long."""
    raw = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text = SPEC_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")
    if len(text) > SPEC_LIMIT_CHARS:
        raise SpecTooLarge(f"the crawl spec is {len(text) // 1024} KiB even compressed, more "
                           f"than a Scrapyd job's command line can carry "
                           f"({SPEC_LIMIT_CHARS // 1024} KiB)")
    parts = [text[i:i + ARGUMENT_CHARS] for i in range(0, len(text), ARGUMENT_CHARS)]
    return {("spec" if n == 0 else f"spec_{n}"): part for n, part in enumerate(parts)}


def decode_spec(arguments: dict) -> dict:
    """The spec back from spider arguments (removed from `arguments`)."""
    text = arguments.pop("spec", "")
    n = 1
    while f"spec_{n}" in arguments:
        text += arguments.pop(f"spec_{n}")
        n += 1
    if not text:
        return {}
    if not text.startswith(SPEC_PREFIX):
        raise ValueError("the spec argument was not written by chipwatch (no 'z1:' prefix)")
    raw = zlib.decompress(base64.urlsafe_b64decode(text[len(SPEC_PREFIX):]))
    return json.loads(raw.decode("utf-8"))


@lru_cache(maxsize=None)
def job_spider(source: str) -> type:
    """The source's spider, taking its spec as spider arguments (text) instead of a dict."""
    base = spider_class(source)

    def __init__(self, *args, **kwargs):
        spec = decode_spec(kwargs)
        base.__init__(self, *args, spec=spec, **kwargs)

    def update_settings(cls, settings) -> None:
        base.update_settings.__func__(cls, settings)
        # The worker's own HTTP cache, under its working directory: the daemon's path means
        # nothing on another machine, and outside a scrapy.cfg project Scrapy would switch a
        # relative cache directory off.
        cache = settings.get("HTTPCACHE_DIR") or "httpcache"
        if not Path(cache).is_absolute():
            settings.set("HTTPCACHE_DIR", str(Path(".scrapy", cache).resolve()),
                         priority="cmdline")

    return type(base.__name__, (base,), {"name": source, "__init__": __init__,
                                         "update_settings": classmethod(update_settings),
                                         "__module__": __name__,
                                         "__doc__": base.__doc__})


class JobSpiderLoader:
    """Scrapy's spider loader for a Scrapyd job (SPIDER_LOADER_CLASS): a spider per source of
    the registry (vocab/sources.toml), under the source's name."""

    def __init__(self, settings=None):
        self.settings = settings

    @classmethod
    def from_settings(cls, settings):
        return cls(settings)

    def list(self) -> list[str]:
        return list(source_names())

    def load(self, spider_name: str) -> type:
        if spider_name not in source_names():
            raise KeyError(f"Spider not found: {spider_name}")
        return job_spider(spider_name)

    def find_by_request(self, request) -> list[str]:
        return []


class JobReport:
    """An extension that writes the job's report (crawler/report.py) beside its JSON-lines
    item feed: items in JOB.jl, the report in JOB.report.json, both served by Scrapyd under
    /items/. Written when the engine stops, after the feed is closed, so a report that exists
    means the items are complete."""

    def __init__(self, crawler, path: Path | None):
        self.crawler = crawler
        self.path = path
        self.callback_errors: list[str] = []
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, report_path(crawler.settings))

    def spider_error(self, failure, response, spider) -> None:
        self.callback_errors.append(callback_problem(failure, response, spider))

    def engine_stopped(self) -> None:
        if self.path is not None:
            write_report(self.path, crawl_report(self.crawler, self.callback_errors))


def report_path(settings) -> Path | None:
    """Where the report goes: the CHIPWATCH_REPORT_FILE setting, else beside the one local
    JSON-lines feed Scrapyd gave the job (None without either)."""
    named = settings.get("CHIPWATCH_REPORT_FILE")
    if named:
        return Path(named)
    local = [uri for uri in settings.getdict("FEEDS") if str(uri).startswith("file://")]
    if len(local) != 1:
        return None
    feed = Path(file_uri_to_path(str(local[0])))
    return feed.with_name(feed.stem + REPORT_SUFFIX)
