"""Choosing, grouping and scheduling digests; urgent alerts and quiet hours; the commands."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.digest import choose
from alerts.service import deliver_due
from store import open_db, outbox
from store import runs as run_store
from store.digests import undigested
from store.tags import tags_for
from tests.alerting import add_document
from tests.conftest import chipwatch, write_config
from tracker.classify import DEFAULT_RULES
from tracker.config import ConfigError, parse
from vocab.categories import read_categories

CONFIG = Path("/tmp/config.toml")
KNOWN = read_categories(DEFAULT_RULES)


def file_config(tmp_path, **table) -> object:
    return parse({"alerts": {"file": {"directory": str(tmp_path / "out"), **table}}}, CONFIG)


def seed(db) -> None:
    add_document(db, "bis:a", title="Entity List rule", published="2026-03-01",
                 tags=[("tariff", 0.4, "Tariff note.", "Tariff"),
                       ("export_control", 0.9, "Entity List additions.", "Entity List")])
    add_document(db, "commerce:b", source="commerce", title="CHIPS award",
                 tags=[("investment_pressure", 0.7, "A CHIPS award for Arizona.", "CHIPS")])
    add_document(db, "tsmc:c", source="tsmc", lang="zh-Hant", title="Monthly revenue", tags=[])
    add_document(db, "federal_register:d", source="federal_register", title="Weak tariff",
                 tags=[("tariff", 0.2, "Duties.", "Duties")])


def test_a_document_appears_once_under_its_strongest_tag_with_the_others_named(db):
    seed(db)
    docs = undigested(db, "x")
    sections, _ = choose(docs, tags_for(db, [d["id"] for d in docs]), known=KNOWN,
                         categories=["export_control", "tariff", "investment_pressure"],
                         min_score=0.3)
    assert [(s.category, [e.document_id for e in s.entries]) for s in sections] == [
        ("export_control", ["bis:a"]), ("investment_pressure", ["commerce:b"])]
    assert sections[0].entries[0].also == ["tariff"]
    assert sections[0].entries[0].evidence == "Entity List additions."


def test_filters_by_source_language_and_untagged(db):
    seed(db)
    docs = undigested(db, "x")
    tags = tags_for(db, [d["id"] for d in docs])
    only_commerce, _ = choose(docs, tags, known=KNOWN,
                              categories=["investment_pressure", "export_control"],
                              sources=["commerce"])
    assert [e.document_id for s in only_commerce for e in s.entries] == ["commerce:b"]
    chinese_untagged, _ = choose(docs, tags, known=KNOWN, categories=["none"],
                                 languages=["zh-Hant"])
    assert [e.document_id for s in chinese_untagged for e in s.entries] == ["tsmc:c"]


def test_daily_digest_waits_for_its_time_and_is_made_once(db, tmp_path):
    seed(db)
    config = file_config(tmp_path, daily_at="09:00", timezone="Asia/Taipei")
    before = datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)  # 08:30 in Taipei
    assert deliver_due(config, db, before).made == []
    at = before + timedelta(hours=1)
    report = deliver_due(config, db, at)
    assert [m.digest_id for m in report.made] == ["file:daily:2026-03-02"]
    assert (tmp_path / "out" / "chipwatch-daily-2026-03-02.html").exists()
    add_document(db, "bis:late", title="Late rule",
                 tags=[("export_control", 0.9, "Later.", "Later")])
    later = deliver_due(config, db, at + timedelta(hours=3))
    assert [m.status for m in later.made] == ["exists"] and later.deliveries == []
    next_day = deliver_due(config, db, at + timedelta(days=1))
    assert [m.documents for m in next_day.made] == [1]


def test_urgent_alert_is_queued_at_once_and_not_repeated_in_the_daily_digest(db, tmp_path):
    seed(db)
    config = file_config(tmp_path, daily_at="18:00", urgent=["export_control"])
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    report = deliver_due(config, db, noon)
    [urgent] = report.made
    assert urgent.digest_id.startswith("file:urgent:") and urgent.documents == 1
    assert [d.status for d in report.deliveries] == ["sent"]
    evening = deliver_due(config, db, noon + timedelta(hours=7))
    [daily] = evening.made
    assert daily.digest_id == "file:daily:2026-03-02"
    assert "bis:a" not in daily.digest.document_ids
    assert daily.digest.document_ids == ["commerce:b", "federal_register:d"]


def test_quiet_hours_delay_delivery_but_not_evaluation(db, tmp_path):
    seed(db)
    config = file_config(tmp_path, daily_at="", urgent=["export_control"],
                         quiet_hours="22:00-07:00", timezone="America/New_York")
    night = datetime(2026, 3, 3, 4, 0, tzinfo=timezone.utc)  # 23:00 in New York
    report = deliver_due(config, db, night)
    urgent = next(m for m in report.made if m.digest_id.startswith("file:urgent:"))
    assert urgent.documents == 1  # evaluated and marked now
    statuses = {d.digest_id: d.status for d in report.deliveries}
    assert urgent.digest_id not in statuses  # held: its next attempt is after quiet hours
    row = outbox.get(db, urgent.digest_id)
    assert row["status"] == "pending" and row["next_attempt"] == "2026-03-03T12:00:00+00:00"
    morning = deliver_due(config, db, datetime(2026, 3, 3, 12, 5, tzinfo=timezone.utc))
    assert {d.digest_id: d.status for d in morning.deliveries}[urgent.digest_id] == "sent"


def test_digest_names_broken_sources_and_undelivered_digests(db, tmp_path):
    seed(db)
    run = run_store.start_run(db, "bis")
    run_store.finish_run(db, run, status="failed", finish_reason="finished",
                         errors=["bis: the listing yielded no items; the page changed"])
    db["outbox"].insert({"id": "file:daily:2026-03-01", "channel": "file", "kind": "daily",
                         "period": "2026-03-01", "created_at": "2026-03-01T08:00:00+00:00",
                         "status": "failed", "attempts": 3, "document_count": 4,
                         "last_error": "configuration: cannot write digests", "payload": "{}"})
    config = file_config(tmp_path, daily_at="08:00")
    deliver_due(config, db, datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    text = (tmp_path / "out" / "chipwatch-daily-2026-03-02.txt").read_text()
    assert "Broken sources" in text and "the listing yielded no items" in text
    assert "file:daily:2026-03-01 (4 documents), failed: configuration" in text


def test_alert_configuration_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError) as err:
        parse({"alerts": {"slack": {"webhook_url": "https://hooks.slack.com/x",
                                    "urgent": ["tariff"], "categories": ["export_control"]}}},
              CONFIG)
    message = str(err.value)
    assert "[alerts.slack] webhook_url: unknown key; did you mean 'webhook_url_env'?" in message
    assert "[alerts.slack] webhook_url_env: field required" in message


def test_digest_command_twice_sends_nothing_the_second_time(tmp_path):
    config_path = write_config(tmp_path, {}, extra=f"""
        [alerts.file]
        directory = "{tmp_path / 'out'}"
        """)
    db = open_db(tmp_path / "chipwatch.db")
    seed(db)
    db.close()
    first = chipwatch("digest", "--config", str(config_path))
    assert first.returncode == 0, first.stderr
    assert "made with 3 documents" in first.stderr and "delivered" in first.stderr
    assert len(list((tmp_path / "out").glob("*.txt"))) == 1
    second = chipwatch("digest", "--config", str(config_path))
    assert second.returncode == 0, second.stderr
    assert "nothing new, nothing sent" in second.stderr, second.stderr
    assert "delivered" not in second.stderr
    assert len(list((tmp_path / "out").glob("*.txt"))) == 1
    dry = chipwatch("digest", "--dry-run", "--channel", "file", "--config", str(config_path))
    assert dry.returncode == 0 and "dry run, 0 documents" in dry.stdout
    unknown = chipwatch("digest", "--channel", "slak", "--config", str(config_path))
    assert unknown.returncode == 2 and "did you mean 'slack'" in unknown.stderr


def test_run_ends_with_the_stdout_digest_and_the_file_channel_by_default(tmp_path):
    config_path = write_config(tmp_path, {})  # no source enabled, no [alerts]: the default
    db = open_db(tmp_path / "chipwatch.db")
    seed(db)
    db.close()
    result = chipwatch("run", "--config", str(config_path))
    assert result.returncode == 0, result.stderr
    assert "chipwatch digest, " in result.stdout and "Entity List rule" in result.stdout
    assert "file: file:cycle:" in result.stdout and "delivered (written to" in result.stdout
    assert list((tmp_path / "data" / "digests").glob("chipwatch-*.html"))
    again = chipwatch("run", "--config", str(config_path))
    assert "Nothing new matches" in again.stdout and "Entity List rule" not in again.stdout


def test_a_per_cycle_channel_gets_its_digest_only_after_a_cycle(db, tmp_path):
    """The daemon's periodic sender (every few minutes) must not repeat a per-cycle channel's
    digest, e.g. a broken-sources notice, between cycles."""
    seed(db)
    run = run_store.start_run(db, "bis", now="2026-03-02T00:00:00+00:00")
    run_store.finish_run(db, run, status="failed", finish_reason="finished",
                         errors=["bis: HTTP 403"], now="2026-03-02T00:01:00+00:00")
    config = file_config(tmp_path, daily_at="")
    now = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    between = deliver_due(config, db, now, after_cycle=False)
    assert between.made == [] and between.deliveries == []
    after = deliver_due(config, db, now + timedelta(minutes=10), after_cycle=True)
    assert [m.status for m in after.made] == ["pending"]
    assert [d.status for d in after.deliveries] == ["sent"]
    again = deliver_due(config, db, now + timedelta(minutes=20), after_cycle=False)
    assert again.made == [] and again.deliveries == []
