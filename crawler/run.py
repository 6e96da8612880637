"""Crawls of one or more sources, in one process of their own (a Twisted reactor cannot be
restarted), concurrently in one reactor.

    python -m crawler.run DIR [DIR ...]

Each DIR holds the `spec.json` of one source's crawl; its documents are written to
`DIR/items.jsonl` as they are scraped, and Scrapy's stats, the spider's recorded problems and
any callback errors to `DIR/stats.json` when that crawl ends. Each source has its own
crawler, settings (politeness per site), stats and time limit, so a slow or failing source
neither stalls nor breaks the others. The exit status says only whether this program itself
worked: a crawl's health is in its stats. A spec with a `capture` directory also keeps every
response its sites sent there (crawler/capture.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess

from crawler import layout
from crawler.options import CrawlSettings
from crawler.report import callback_problem, crawl_report, write_report
from crawler.settings import from_spec
from crawler.spiders import spider_class

LOG_SETTINGS = {"LOG_LEVEL": "INFO", "LOG_FORMAT": "%(name)s %(levelname)s: %(message)s"}
# Between the HTTP cache (900) and the redirect middleware (600): every response as sent.
CAPTURE_ORDER = 650


class CrawlRecorder:
    """One crawl's documents and report. Receives Scrapy's signals (bound methods: Scrapy
    holds handlers weakly)."""

    def __init__(self, directory: Path, crawler: Crawler):
        self.directory = directory
        self.crawler = crawler
        self.items = open(directory / layout.ITEMS, "w", encoding="utf-8")
        self.callback_errors: list[str] = []
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.write_report, signal=signals.engine_stopped)
        self.written = False

    def item_scraped(self, item, response, spider) -> None:
        self.items.write(json.dumps(dict(item), ensure_ascii=False) + "\n")
        self.items.flush()

    def spider_error(self, failure, response, spider) -> None:
        self.callback_errors.append(callback_problem(failure, response, spider))

    def spider_closed(self, spider, reason) -> None:
        self.items.close()

    def write_report(self) -> None:
        """Written when this crawl's engine has stopped (its stats, finish_reason included,
        are complete then), so a crawl that ended is reported even if the process is stopped
        later for another source."""
        if self.written:
            return
        self.written = True
        write_report(self.directory / layout.REPORT, crawl_report(self.crawler,
                                                                 self.callback_errors))


def capture(settings, spec: dict) -> None:
    """This crawler also keeps every response in the spec's capture directory, noting which
    of the source's configured origins each came from. Set above the process's own priority,
    which CrawlerProcess.crawl() merges into the crawler again."""
    middlewares = {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                   "crawler.capture.CaptureExchanges": CAPTURE_ORDER}
    sites = {key: value for key, value in spec["source"].items() if key.startswith("base_url")}
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")
    settings.set("CHIPWATCH_CAPTURE", spec["capture"], priority="spider")
    settings.set("CHIPWATCH_CAPTURE_SITES", sites, priority="spider")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path, metavar="DIR",
                        help="a directory holding one source's spec.json")
    args = parser.parse_args(argv)

    specs = [(d, json.loads((d / layout.SPEC).read_text(encoding="utf-8")))
             for d in args.directories]
    for noisy in ("scrapy", "twisted", "py.warnings", "protego", "filelock", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The [crawl] settings are the same for every source; each crawler gets its own copy
    # (its own downloader, delay per site, stats and close-spider timeout).
    process = CrawlerProcess({**from_spec(CrawlSettings.model_validate(specs[0][1]["crawl"])),
                              **LOG_SETTINGS})
    recorders = []
    for directory, spec in specs:
        crawler = process.create_crawler(spider_class(spec["name"]))
        if spec.get("capture"):
            capture(crawler.settings, spec)
        recorders.append(CrawlRecorder(directory, crawler))
        process.crawl(crawler, spec=spec)
    process.start()
    for recorder in recorders:
        recorder.write_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
