"""Events through the real cycle: BIS's release is crawled and digested; a week later the
Federal Register publishes the rules it announced; the next crawl links them into the
release's event and the next digest has one update entry for it, not a new story.

The replay serves bis.gov and the Federal Register API on 127.0.0.1 (replay/server.py); the
crawls run through Scrapy's own downloader in child processes, as `chipwatch run` does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from alerts.service import deliver_due
from replay.server import ReplayServer
from store import events as event_store
from store import open_db
from tests.conftest import write_config
from tracker import config as config_module
from tracker.cycle import run_cycle

pytestmark = pytest.mark.timeout(240)

# The release of 17 October 2023 (on bis.gov) announced two rules and 13 Entity List
# additions; the Federal Register published them on the 19th and the 25th.
RELEASE = "commerce-strengthens-restrictions-advanced-computing-semiconductors-semiconductor"
RULES = ("2023-23048", "2023-23049", "2023-23055")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def configure(tmp_path, replay):
    urls = replay.base_urls
    path = write_config(tmp_path, {
        "bis": {"base_url": urls["bis"], "first_run_days": 4000},
        "federal_register": {"base_url": urls["federal_register"], "first_run_days": 4000,
                             "agencies": []},
    }, extra=f"""
        [alerts.file]
        directory = "{tmp_path / 'digests'}"
        """)
    return config_module.load(path)


def test_a_rule_published_after_its_release_is_an_update_of_the_release(tmp_path):
    with ReplayServer() as replay:
        rules = [r for r in replay.fr_results if r["document_number"] in RULES]
        assert len(rules) == len(RULES)
        replay.fr_results = []  # the rules are not published yet
        config = configure(tmp_path, replay)
        db = open_db(config.db_path)
        first = run_cycle(config, db)
        assert [o.status for o in first] == ["ok", "ok"], [o.errors for o in first]
        sent = deliver_due(config, db, NOW)
        [made] = sent.made
        release = next(e for e in made.digest.entries
                       if any(RELEASE in item.url for item in e.items))
        assert not release.update and [i.source for i in release.items] == ["bis"]

        replay.fr_results = rules  # a week later: the Federal Register publishes them
        second = run_cycle(config, db)
        assert [o.status for o in second] == ["ok", "ok"], [o.errors for o in second]
        assert next(o for o in second if o.source == "federal_register").new == 3
        update = deliver_due(config, db, NOW + timedelta(hours=1))
        [made] = update.made
        digest = made.digest
        entries = [e for e in digest.entries if e.event_id == release.event_id]
        assert len(entries) == 1 and len(digest.entries) == 1  # one update, no new story
        [entry] = entries
        assert entry.update and entry.title == release.title
        assert sorted(item.document_id for item in entry.items) == [
            f"federal_register:{n}" for n in RULES]  # only what is new
        assert [item.source for item in entry.earlier] == ["bis"]  # named, not repeated
        assert "Federal Register: rule published" in entry.news
        text = (tmp_path / "digests").glob("*.txt")
        latest = max(text, key=lambda p: p.stat().st_mtime).read_text(encoding="utf-8")
        assert f"UPDATE: {release.title[:40]}" in " ".join(latest.split())
        assert "New: Federal Register: rule published" in latest
        assert "Sent before: BIS" in latest
        assert RELEASE not in latest  # the release itself is not listed again

        event = event_store.get_event(db, release.event_id)
        assert event["document_count"] == 4 and event["sources"] == ["bis", "federal_register"]
        reasons = {d["id"]: d["reason"] for d in event_store.event_documents(db, event["id"])}
        assert set(reasons.values()) == {"lead", "describes_rule"}
        db.close()
