"""One cycle: crawl each enabled source (in a child process, or as Scrapyd jobs), store what
came back, record the run. The tracker is the only place where crawler and store meet."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from sqlite_utils import Database

from store import documents as doc_store
from store import runs as run_store
from store import statistics as planner_statistics
from tracker.classify import Classifier, build_classifier
from tracker.classify.apply import tag_documents
from tracker.config import Config
from tracker.crawl import CrawlResult, build_spec, run_crawls
from tracker.editions import link_editions
from tracker.events import link_pending

_classifiers: dict[tuple, Classifier] = {}


def classifier_for(config: Config) -> Classifier:
    """The classifier the configuration asks for, loaded once per process (a daemon runs
    many cycles); a changed rules file is read again."""
    path = config.rules_path
    try:
        stamp = path.stat().st_mtime_ns if path else None
    except OSError:
        stamp = None
    key = (path, stamp, config.classifier.min_score, config.classifier.max_evidence)
    if key not in _classifiers:
        _classifiers.clear()
        _classifiers[key] = build_classifier(config)
    return _classifiers[key]


@dataclass
class SourceOutcome:
    source: str
    status: str
    seconds: float = 0.0
    pages: int = 0
    requests: int = 0
    bytes: int = 0
    seen: int = 0
    new: int = 0
    changed: int = 0
    errors: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    run_id: int | None = None
    tagged: int = 0  # new and changed documents classified

    def line(self) -> str:
        n = len(self.errors)
        text = (f"{self.source}: {self.seen} fetched, {self.new} new, {self.changed} changed, "
                f"{n} error{'s' if n != 1 else ''} in {self.seconds:.1f} s")
        if self.errors:
            first = self.errors[0]
            prefix = f"{self.source}: "
            text += f" ({first[len(prefix):] if first.startswith(prefix) else first})"
        return text


def since_for(config: Config, db: Database, source: str, today: date) -> str:
    """Where a routine crawl starts: the newest stored publication date less the overlap,
    or `first_run_days` back for a source never crawled."""
    latest = doc_store.latest_published(db, source)
    if latest:
        overlap = timedelta(days=config.crawl.overlap_days)
        return (date.fromisoformat(latest[:10]) - overlap).isoformat()
    return first_run_since(config, source, today)


def first_run_since(config: Config, source: str, today: date) -> str:
    """How far back a source's first crawl (or a one-off `chipwatch crawl`) looks."""
    return (today - timedelta(days=config.source(source).first_run_days)).isoformat()


def crawl_source(config: Config, db: Database, source: str, *, mode: str = "routine",
                 since: str | None = None, max_pages: int | None = None,
                 today: date | None = None,
                 on_log: Callable[[str], None] | None = None) -> SourceOutcome:
    """Crawl one source and store its documents; the run is recorded whatever happens."""
    return crawl_sources(config, db, [source], mode=mode, since=since, max_pages=max_pages,
                         today=today, on_log=on_log)[0]


def crawl_sources(config: Config, db: Database, sources: list[str], *,
                  mode: str = "routine", since: str | None = None,
                  max_pages: int | None = None, today: date | None = None,
                  on_log: Callable[[str], None] | None = None,
                  on_stored: Callable[[SourceOutcome], None] | None = None,
                  ) -> list[SourceOutcome]:
    """Crawl sources at once, in one child process, and store, link and tag what each
    brought as soon as its crawl ends, while the others go on (`on_stored` hears of each
    then); every source's run is recorded whatever happens."""
    today = today or date.today()
    classifier = classifier_for(config)  # a broken rules file stops us before crawling
    runs, specs = [], []
    for source in sources:
        runs.append(run_store.start_run(db, source, mode))
        specs.append(build_spec(config, source, mode=mode,
                                since=since or since_for(config, db, source, today),
                                max_pages=max_pages,
                                known=doc_store.known_documents(db, source)))
    outcomes: dict[int, SourceOutcome] = {}

    def store(index: int, result: CrawlResult) -> None:
        outcome = outcomes[index] = store_result(db, runs[index], result)  # run recorded
        link_editions(db, result.source, outcome.changed_ids)  # editions with different ids
        outcome.tagged = tag_documents(db, classifier, outcome.changed_ids).documents
        if on_stored:
            on_stored(outcome)

    try:
        run_crawls(specs, timeout=config.crawl.crawl_timeout, on_log=on_log,
                   backend=crawl_backend(config), on_result=store)
    except BaseException:
        # stopped, or the store failed: the sources not yet stored say so
        with contextlib.suppress(sqlite3.Error):  # a store that cannot be written: next start
            for index, run_id in enumerate(runs):
                if index not in outcomes:
                    run_store.finish_run(db, run_id, status="interrupted",
                                         finish_reason="chipwatch stopped before this source "
                                                       "was stored")
        raise
    # Events: after classification, so they show tags; once for every source crawled.
    link_pending(db)
    return [outcomes[index] for index in range(len(sources))]


def crawl_backend(config: Config):
    """Where crawls run: None for a child process here ([crawl] backend = "local"), else the
    configured Scrapyd servers."""
    if config.crawl.backend == "scrapyd":
        from tracker.scrapyd_crawls import ScrapydBackend

        return ScrapydBackend(config.crawl)
    return None


def store_result(db: Database, run_id: int, result: CrawlResult) -> SourceOutcome:
    changed_ids: list[str] = []
    counts = doc_store.upsert_documents(db, result.documents, changed_ids=changed_ids)
    run_store.finish_run(
        db, run_id, status=result.status, finish_reason=result.finish_reason,
        pages_fetched=result.pages_fetched, bytes_received=result.bytes_received,
        documents_seen=counts.seen, documents_new=counts.new,
        documents_changed=counts.changed, errors=result.problems, stats=result.stats)
    return SourceOutcome(
        source=result.source, status=result.status, seconds=result.seconds,
        pages=result.pages_fetched, requests=result.requests_sent, bytes=result.bytes_received,
        seen=counts.seen, new=counts.new, changed=counts.changed, errors=result.problems,
        changed_ids=changed_ids, run_id=run_id)


def run_cycle(config: Config, db: Database, *, sources: list[str] | None = None,
              on_outcome: Callable[[SourceOutcome], None] | None = None,
              on_log: Callable[[str], None] | None = None) -> list[SourceOutcome]:
    """Crawl (all at once) and store every enabled source (or those named); one failing
    source never stops the others. `on_outcome` hears of each source as it is stored."""
    run_store.mark_abandoned_runs(db)  # left 'running' by a chipwatch that was killed
    outcomes = crawl_sources(config, db, sources or config.sources.enabled(), on_log=on_log,
                             on_stored=on_outcome)
    planner_statistics.refresh(db)  # the store may have grown many times over
    return outcomes
