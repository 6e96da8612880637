"""The Scrapyd keys of [crawl]: mistakes named by key with exit status 2, the password read
from the environment once and never written anywhere, and the crawl spec carried as spider
arguments whatever its size."""

from __future__ import annotations

import json

import pytest

from crawler.jobs import (
    ARGUMENT_CHARS,
    SpecTooLarge,
    decode_spec,
    encode_spec,
    job_spider,
    report_path,
)
from tests.conftest import chipwatch, write_config
from tracker import config as config_module
from tracker.crawl import build_spec

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("crawl, key, message", [
    ('backend = "scrapyd"', "[crawl] scrapyd_urls",
     'backend is "scrapyd" but no server is listed'),
    ('backend = "remote"', "[crawl] backend", "'remote' is not allowed; choose one of"),
    ('scrapyd_urls = ["crawler-1:6800"]', "[crawl] scrapyd_urls[0]",
     "is not the address of a Scrapyd server"),
    ('scrapyd_password_env = "SCRAPYD_PW"', "[crawl] scrapyd_password_env",
     "scrapyd_username is empty"),
    ('scrapyd_project = "my project"', "[crawl] scrapyd_project",
     "is not a Scrapyd project name"),
    ("scrapyd_unreachable_seconds = 0", "[crawl] scrapyd_unreachable_seconds",
     "greater than or equal to 1"),
])
def test_a_mistake_names_the_key_with_status_2(tmp_path, crawl, key, message):
    path = write_config(tmp_path, {})
    path.write_text(path.read_text().replace("[crawl]\n", f"[crawl]\n{crawl}\n"))
    result = chipwatch("status", "--config", str(path), timeout=60)
    assert result.returncode == 2
    assert f"  {key}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_password_comes_from_the_environment_and_stays_private(tmp_path, monkeypatch):
    password = "scrapyd-SECRET-41e7"
    monkeypatch.setenv("CHIPWATCH_TEST_SCRAPYD_PW", password)
    path = write_config(tmp_path, {"bis": "http://127.0.0.1:9"})
    path.write_text(path.read_text().replace("[crawl]\n", (
        '[crawl]\nbackend = "scrapyd"\nscrapyd_urls = ["http://127.0.0.1:9/"]\n'
        'scrapyd_username = "chipwatch"\n'
        'scrapyd_password_env = "CHIPWATCH_TEST_SCRAPYD_PW"\n')))
    config = config_module.load(path)
    assert config.crawl.scrapyd_urls == ["http://127.0.0.1:9"]
    assert config.crawl.scrapyd_password() == password
    spec = build_spec(config, "bis")
    assert password not in json.dumps(spec) and password not in repr(config)
    assert spec["crawl"]["scrapyd_password_env"] == "CHIPWATCH_TEST_SCRAPYD_PW"
    monkeypatch.delenv("CHIPWATCH_TEST_SCRAPYD_PW")
    assert config_module.load(path).crawl.scrapyd_password() is None


def test_a_spec_travels_in_arguments_of_bounded_size():
    known = {f"bis:https://www.bis.gov/press-release/{n}-{'x' * (n % 40)}":
             {"url": f"https://www.bis.gov/press-release/{n}", "title": f"Release {n} " * 3,
              "published": f"20{n % 30:02d}-01-01"} for n in range(30000)}
    spec = {"name": "bis", "since": "2026-01-01", "known": known}
    arguments = encode_spec(spec)
    assert len(arguments) > 1  # cut into several arguments
    assert all(len(value) <= ARGUMENT_CHARS for value in arguments.values())
    assert list(arguments) == ["spec"] + [f"spec_{n}" for n in range(1, len(arguments))]
    assert decode_spec(dict(arguments)) == spec
    small = encode_spec({"name": "bis", "known": {}})
    assert list(small) == ["spec"] and decode_spec(small) == {"name": "bis", "known": {}}
    with pytest.raises(SpecTooLarge, match="more than a Scrapyd job's command line can carry"):
        encode_spec({"name": "bis", "noise": [str(n * 7919 % 104729) * 9
                                              for n in range(400000)]})


def test_a_job_spider_decodes_its_spec_and_names_its_report(tmp_path):
    from scrapy.settings import Settings

    spec = {"name": "bis", "source": {"base_url": "http://127.0.0.1:9"}, "mode": "routine",
            "since": "2026-01-01", "max_pages": 2, "known": {"bis:x": {"title": "t"}}}
    spider = job_spider("bis")(**encode_spec(spec), _job="bis-1")
    assert spider.name == "bis" and spider.since == "2026-01-01" and spider.max_pages == 2
    assert spider.known == {"bis:x": {"title": "t"}}
    feed = tmp_path / "items" / "chipwatch" / "bis" / "bis-1.jl"
    settings = Settings({"FEEDS": json.dumps({feed.as_uri(): {"format": "jsonlines"}})})
    assert report_path(settings) == feed.with_name("bis-1.report.json")
    assert report_path(Settings({})) is None
