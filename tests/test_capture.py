"""`chipwatch capture`: the real command against the replay keeps every response with a
README; the replay serves the capture back; the same crawl on it gives the same documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from replay.server import ReplayServer
from replay.sites import replayed_sites
from tests.conftest import FIXTURES, chipwatch, write_config

pytestmark = pytest.mark.timeout(240)


def configure(tmp_path, source: str, base_urls: dict[str, str]):
    sites = {key: base_urls[site] for site, (name, key) in replayed_sites().items()
             if name == source}
    path = write_config(tmp_path, {source: {**sites, "first_run_days": 4000}})
    # No HTTP cache: the second crawl must read what the capture serves, not a cached copy.
    path.write_text(path.read_text(encoding="utf-8").replace(
        f'cache_dir = "{tmp_path / "httpcache"}"', "http_cache = false"), encoding="utf-8")
    return path


def documents(result) -> list[dict]:
    assert result.returncode == 0, result.stderr[-3000:]
    return sorted((json.loads(line) for line in result.stdout.splitlines()),
                  key=lambda d: d["id"])


@pytest.mark.parametrize("source", ["tw_president", "federal_register"])
def test_a_capture_served_back_gives_the_same_documents(tmp_path, source):
    out = tmp_path / "capture"
    with ReplayServer() as replay:
        ports = replay.ports
        config = configure(tmp_path, source, replay.base_urls)
        before = documents(chipwatch("crawl", source, "--config", str(config)))
        taken = chipwatch("capture", source, "--config", str(config), "--out", str(out))
    assert taken.returncode == 0, taken.stderr[-3000:]
    assert f"{source}: " in taken.stdout and f"responses kept in {out}" in taken.stdout
    wanted = {site: port for site, port in ports.items() if replayed_sites()[site][0] == source}
    with ReplayServer(ports=wanted, capture=out) as again:
        assert set(again.sites) <= set(wanted)
        after = documents(chipwatch("crawl", source, "--config", str(config)))
        served = again.take_traffic()
    assert before and after == before
    assert served.count("captured") >= 2 and served.count("missing") == 0


def test_the_capture_keeps_requests_statuses_headers_bodies_and_says_when_and_where(tmp_path):
    out = tmp_path / "capture"
    with ReplayServer() as replay:
        config = configure(tmp_path, "tw_president", replay.base_urls)
        taken = chipwatch("capture", "tw_president", "--config", str(config), "--out", str(out))
        origin = replay.base_urls["tw_president"]
    assert taken.returncode == 0, taken.stderr
    exchanges = [json.loads(line) for line in
                 (out / "exchanges.jsonl").read_text(encoding="utf-8").splitlines()]
    urls = [e["url"] for e in exchanges]
    assert f"{origin}/robots.txt" in urls and f"{origin}/RSSNEWS.aspx" in urls
    page = next(e for e in exchanges if e["url"] == f"{origin}/NEWS/40403")
    assert page["status"] == 200 and page["site"] == "base_url" and page["method"] == "GET"
    assert page["headers"]["Content-Type"] == ["text/html"]  # as sent: no charset
    assert "總統接見" in (out / page["body"]).read_text(encoding="utf-8")
    english = [e["url"] for e in exchanges if e["site"] == "base_url_en"]
    assert any(url.endswith("/RSSNEWS.aspx") for url in english)
    readme = (out / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((out / "capture.json").read_text(encoding="utf-8"))
    assert datetime.fromisoformat(manifest["taken"]).utcoffset() == timedelta(0)
    assert f"Taken {manifest['taken']} (UTC) on the machine" in readme
    assert f"`base_url` = {origin} (not the real site: a mirror or a replay)" in readme
    assert f"| {page['n']} | GET | {origin}/NEWS/40403 | 200 | text/html |" in readme
    assert manifest["documents"] == 5 and manifest["status"] == "ok"


def test_a_capture_never_writes_into_a_directory_with_files(tmp_path):
    out = tmp_path / "capture"
    out.mkdir()
    (out / "keep.txt").write_text("an analyst's notes", encoding="utf-8")
    config = write_config(tmp_path, {"ustr": "http://127.0.0.1:9"})
    result = chipwatch("capture", "ustr", "--config", str(config), "--out", str(out))
    assert result.returncode == 2
    assert "already exists and is not an empty directory" in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


COMMITTED = sorted(FIXTURES.glob("*/capture-*/capture.json"))


@pytest.mark.skipif(not COMMITTED, reason="no capture of a real site is kept in tests/fixtures "
                                          "yet (chipwatch capture SOURCE --out "
                                          "tests/fixtures/SOURCE/capture-DATE)")
@pytest.mark.parametrize("manifest", COMMITTED, ids=lambda p: p.parent.name)
def test_the_spiders_read_every_capture_kept_in_the_fixtures(tmp_path, manifest):
    taken = json.loads(manifest.read_text(encoding="utf-8"))
    source = taken["source"]
    with ReplayServer(capture=manifest.parent) as replay:
        config = configure(tmp_path, source, replay.base_urls)
        # the capture's own window: an API's query names the day it starts from
        found = documents(chipwatch("crawl", source, "--config", str(config), "--since",
                                    taken["since"], "--max-pages", str(taken["max_pages"])))
    assert found, f"{manifest.parent}: the spider found no document in the capture"
