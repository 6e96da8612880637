"""Source health from the run records: ok, quiet, stale, broken or disabled.

- broken: the last finished crawl failed (errors, a zero-item listing, blocked).
- stale: crawls succeed but nothing new for longer than `stale_after_days`.
- quiet: crawls succeed, nothing new in the last one, and the cadence allows it.
- ok: the last crawl succeeded and brought something new.
Only a change into or out of broken/stale is announced: once per change, and at most once
per source per `[daemon] health_notice_interval` (a source that flaps gets one notice, and
the state it settles in is announced when the interval has passed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from store import health as health_store
from store.week import week_ago
from tracker.config import Config

ALARMING = {"broken", "stale"}


@dataclass
class Health:
    source: str
    health: str
    detail: str
    facts: dict


@dataclass
class Transition:
    source: str
    before: str | None
    after: str
    detail: str

    def message(self) -> str:
        if self.after in ALARMING:
            return f"{self.source} is {self.after}: {self.detail}"
        return f"{self.source} has recovered ({self.before} → {self.after}): {self.detail}"


def _parse(ts: str | None) -> datetime | None:
    return datetime.fromisoformat(ts) if ts else None


def assess(config: Config, db: Database, source: str, now: datetime) -> Health:
    options = config.source(source)
    facts = health_store.source_facts(db, source, week_ago(now))
    if not options.enabled:
        return Health(source, "disabled", "disabled in the configuration", facts)
    last = facts["last_finished"]
    if last is None:
        return Health(source, "quiet", "not crawled yet", facts)
    if last["status"] == "failed":
        reason = last["errors"][0] if last["errors"] else (last["finish_reason"] or "failed")
        return Health(source, "broken", reason, facts)
    newest = _parse(facts["newest_first_seen"])
    limit = timedelta(days=options.stale_after_days)
    if newest is None or now - newest > limit:
        since = f"since {newest.date().isoformat()}" if newest else "ever"
        return Health(source, "stale", f"nothing new {since}; expected something within "
                                       f"{options.stale_after_days:g} days", facts)
    if last["documents_new"]:
        return Health(source, "ok", f"{last['documents_new']} new in the last crawl", facts)
    return Health(source, "quiet", "nothing new in the last crawl, within the expected cadence",
                  facts)


def update(config: Config, db: Database, now: datetime) -> list[Transition]:
    """Assess every source, record the verdicts, and return the changes worth announcing."""
    recorded = health_store.recorded_health(db)
    transitions = []
    stamp = now.isoformat()
    for source, _ in config.sources.items():
        verdict = assess(config, db, source, now)
        before = recorded.get(source, {}).get("health")
        changed = before != verdict.health
        health_store.record_health(db, source, verdict.health, verdict.detail, stamp, changed)
        if changed and (verdict.health in ALARMING or before in ALARMING):
            transitions.append(Transition(source, before, verdict.health, verdict.detail))
    return transitions


def _alarm(health: str | None) -> str:
    """What a notice is about: broken, stale, or neither (ok and quiet read the same)."""
    return health if health in ALARMING else "fine"


def notices_due(config: Config, db: Database, now: datetime) -> list[Transition]:
    """The health changes to announce now: a source whose recorded verdict differs (broken,
    stale or fine) from what was last announced of it, unless it was announced less than
    `[daemon] health_notice_interval` ago. Record each with `announced` once queued."""
    interval = config.daemon.health_notice_interval
    due = []
    for source, row in health_store.recorded_health(db).items():
        if row["health"] == "disabled":
            continue
        said = row.get("announced")
        if _alarm(row["health"]) == _alarm(said):
            continue
        last = _parse(row.get("announced_at"))
        if last is not None and now - last < interval:
            continue  # too soon after the last notice; announced later if it still holds
        due.append(Transition(source, said or "ok", row["health"], row["detail"]))
    return due


def announced(db: Database, transition: Transition, now: datetime) -> None:
    health_store.record_announced(db, transition.source, transition.after,
                                  now.astimezone(timezone.utc).isoformat())
