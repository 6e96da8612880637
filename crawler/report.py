"""What a finished crawl reports back: Scrapy's stats, the problems the spider recorded and
the callbacks that raised, as one JSON object ({"stats": {...}, "problems": [...]}). The
local crawl child (crawler/run.py) and a Scrapyd job (crawler/jobs.py) write the same report,
so the tracker judges both the same way."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.crawler import Crawler

from crawler.spiders.base import PROBLEMS_STAT


def callback_problem(failure, response, spider) -> str:
    """A spider callback that raised, as a sentence naming the page."""
    return (f"{spider.name}: {response.url}: the page could not be parsed "
            f"({failure.type.__name__}: {failure.value}); the layout may have changed")


def crawl_report(crawler: Crawler, callback_errors: list[str]) -> dict:
    """The report of a crawl whose engine has stopped (its stats, finish_reason included,
    are complete then)."""
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    problems = list(stats.pop(PROBLEMS_STAT, [])) + list(callback_errors)
    return {"stats": stats, "problems": problems}


def write_report(path: Path, report: dict) -> None:
    """Written whole under a temporary name, then renamed: a reader never sees half of it."""
    partial = path.with_name(path.name + ".part")
    with open(partial, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, default=str, indent=1)
    partial.replace(path)
