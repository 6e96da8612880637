"""Scheduling decisions with an injected clock: no sleeping."""

from datetime import datetime, timedelta, timezone

from tests.conftest import write_config
from tracker import config as config_module
from tracker.schedule import STAGGER, first_runs, is_due

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)  # a Friday


def config_with(tmp_path, **sources):
    return config_module.load(write_config(tmp_path, sources))


def test_after_two_days_down_every_source_is_crawled_at_start_staggered(tmp_path):
    config = config_with(tmp_path,
                         federal_register={"base_url": "http://127.0.0.1:1", "every": "3h"},
                         bis={"base_url": "http://127.0.0.1:1", "every": "6h"})
    two_days_ago = NOW - timedelta(days=2)
    plan = first_runs(config, {"federal_register": two_days_ago, "bis": two_days_ago}, NOW)
    assert plan == {"federal_register": NOW, "bis": NOW + STAGGER}


def test_a_recent_success_waits_for_the_rest_of_its_interval(tmp_path):
    config = config_with(tmp_path, bis={"base_url": "http://127.0.0.1:1", "every": "6h"})
    plan = first_runs(config, {"bis": NOW - timedelta(hours=2)}, NOW)
    assert plan == {"bis": NOW + timedelta(hours=4)}


def test_a_never_crawled_source_is_due(tmp_path):
    config = config_with(tmp_path, tsmc={"base_url": "http://127.0.0.1:1"})
    assert first_runs(config, {}, NOW) == {"tsmc": NOW}


def test_disabled_sources_are_not_planned(tmp_path):
    config = config_with(tmp_path)
    assert first_runs(config, {}, NOW) == {}


def test_cron_source_is_due_when_its_last_fire_time_passed_without_a_success(tmp_path):
    config = config_with(tmp_path, federal_register={
        "base_url": "http://127.0.0.1:1", "cron": "0 7 * * 1-5"})
    options = config.source("federal_register")
    from zoneinfo import ZoneInfo
    zone = ZoneInfo("America/New_York")
    # Friday 07:00 New York = 12:00 UTC: the line fired at NOW.
    assert is_due(options, NOW - timedelta(days=1), NOW, zone)
    assert is_due(options, NOW - timedelta(seconds=30), NOW, zone)
    later = NOW + timedelta(hours=1)
    assert not is_due(options, NOW + timedelta(minutes=10), later, zone)
    plan = first_runs(config, {"federal_register": NOW}, NOW)
    # next fire after Friday 07:00 is Monday 07:00 New York (12:00 UTC)
    assert plan["federal_register"].astimezone(timezone.utc) == datetime(
        2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_bad_cron_line_and_duration_are_configuration_errors(tmp_path):
    import pytest

    from tracker.config import ConfigError
    path = write_config(tmp_path, {"bis": {"base_url": "http://127.0.0.1:1", "cron": "every day"}})
    with pytest.raises(ConfigError, match="is not a crontab line"):
        config_module.load(path)
    path = write_config(tmp_path, {"bis": {"base_url": "http://127.0.0.1:1", "every": "6 hours"}})
    with pytest.raises(ConfigError, match=r"\[sources.bis\] every"):
        config_module.load(path)


def test_crontab_weekdays_count_from_sunday_as_cron_does():
    from zoneinfo import ZoneInfo

    from tracker.schedule import cron_trigger
    zone = ZoneInfo("UTC")
    saturday = datetime(2026, 11, 21, 0, 0, tzinfo=zone)
    weekdays = cron_trigger("0 7 * * 1-5", zone)
    assert weekdays.get_next_fire_time(None, saturday).weekday() == 0  # Monday
    sundays = cron_trigger("0 7 * * 0", zone)
    assert sundays.get_next_fire_time(None, saturday).weekday() == 6
    assert cron_trigger("0 7 * * 7", zone).get_next_fire_time(None, saturday).weekday() == 6
    named = cron_trigger("0 7 * * mon-fri", zone)
    assert named.get_next_fire_time(None, saturday).weekday() == 0
