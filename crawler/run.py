"""One crawl of one source, in its own process (a Twisted reactor cannot be restarted).

    python -m crawler.run --spec SPEC.json --items ITEMS.jsonl --stats STATS.json [--capture DIR]

Documents are written as JSON lines as they are scraped; Scrapy's stats, the spider's
recorded problems and any callback errors are written to STATS.json when the crawl ends.
With --capture, every response the sites sent is also kept in DIR (crawler/capture.py).
The exit status says only whether this program itself worked: a crawl's health is in its
stats.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from crawler.options import CrawlSettings
from crawler.settings import from_spec
from crawler.spiders import spider_class
from crawler.spiders.base import PROBLEMS_STAT

# Between the HTTP cache (900) and the redirect middleware (600): every response as sent.
CAPTURE_ORDER = 650


class CrawlRecorder:
    """Receives Scrapy's signals (bound methods: Scrapy holds handlers weakly)."""

    def __init__(self, items_path: str):
        self.items = open(items_path, "w", encoding="utf-8")
        self.callback_errors: list[str] = []

    def item_scraped(self, item, response, spider) -> None:
        self.items.write(json.dumps(dict(item), ensure_ascii=False) + "\n")
        self.items.flush()

    def spider_error(self, failure, response, spider) -> None:
        self.callback_errors.append(
            f"{spider.name}: {response.url}: the page could not be parsed "
            f"({failure.type.__name__}: {failure.value}); the layout may have changed")

    def spider_closed(self, spider, reason) -> None:
        self.items.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, help="crawl specification (JSON)")
    parser.add_argument("--items", required=True, help="where to write documents (JSON lines)")
    parser.add_argument("--stats", required=True, help="where to write the crawl's stats (JSON)")
    parser.add_argument("--capture", metavar="DIR",
                        help="also keep every response the sites sent in DIR")
    args = parser.parse_args(argv)

    with open(args.spec, encoding="utf-8") as fh:
        spec = json.load(fh)
    settings = from_spec(CrawlSettings.model_validate(spec["crawl"]))
    settings.update({"LOG_LEVEL": "INFO",
                     "LOG_FORMAT": "%(name)s %(levelname)s: %(message)s"})
    if args.capture:
        settings["DOWNLOADER_MIDDLEWARES"] = {**settings["DOWNLOADER_MIDDLEWARES"],
                                              "crawler.capture.CaptureExchanges": CAPTURE_ORDER}
        settings["CHIPWATCH_CAPTURE"] = args.capture
        settings["CHIPWATCH_CAPTURE_SITES"] = {key: value for key, value in spec["source"].items()
                                               if key.startswith("base_url")}
    for noisy in ("scrapy", "twisted", "py.warnings", "protego", "filelock", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    process = CrawlerProcess(settings)

    recorder = CrawlRecorder(args.items)
    crawler = process.create_crawler(spider_class(spec["name"]))
    crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
    crawler.signals.connect(recorder.spider_error, signal=signals.spider_error)
    crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
    process.crawl(crawler, spec=spec)
    process.start()

    # Read after the reactor stops: finish_reason is only set once the spider has closed.
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    report = {
        "stats": stats,
        "problems": list(stats.get(PROBLEMS_STAT, [])) + recorder.callback_errors,
    }
    report["stats"].pop(PROBLEMS_STAT, None)
    with open(args.stats, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, default=str, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
