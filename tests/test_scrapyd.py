"""Crawls through real Scrapyd servers on 127.0.0.1: `chipwatch scrapyd deploy` uploads the
spiders' egg, `chipwatch run` with [crawl] backend = "scrapyd" spreads the sources over two
servers and stores exactly what the local backend stores from the same replay."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import pytest

from replay import demo_config
from replay.server import ReplayServer
from store import open_db
from tests.alerting import free_port
from tests.conftest import ALL_SOURCES, chipwatch
from tests.scrapyd_servers import ScrapydProcess
from tracker.scrapyd_deploy import egg_version

pytestmark = pytest.mark.timeout(300)

PROJECT = "chipwatch"
# What a document is, whoever crawled it; first_seen, last_seen and changed_at are when.
DOCUMENT_COLUMNS = ("id", "source", "external_id", "lang", "url", "title", "text", "summary",
                    "dateline", "published", "date_precision", "timezone", "doc_type",
                    "group_key", "metadata", "content_hash", "revision", "categories",
                    "classifier_version")
RUN_COLUMNS = ("source", "kind", "status", "finish_reason", "pages_fetched", "bytes_received",
               "documents_seen", "documents_new", "documents_changed", "error_count", "errors")


def write_config(directory, replay, *, urls=(), crawl: str = "", name="config.toml"):
    """The demo's configuration (every source at the replay), crawling through `urls`."""
    directory.mkdir(parents=True, exist_ok=True)
    text = demo_config.render(replay.base_urls, directory / "chipwatch.db",
                              directory / "httpcache")
    lines = []
    if urls:
        lines += ['backend = "scrapyd"',
                  "scrapyd_urls = [" + ", ".join(f'"{url}"' for url in urls) + "]"]
    lines += [line for line in crawl.strip().splitlines() if line.strip()]
    text = text.replace("[crawl]\n", "[crawl]\n" + "".join(f"{line}\n" for line in lines), 1)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(db_path, sql: str) -> list[dict]:
    db = open_db(db_path)
    try:
        return list(db.query(sql))
    finally:
        db.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("scrapyd")
    with ScrapydProcess(root / "a") as a, ScrapydProcess(root / "b") as b:
        yield a, b


@pytest.fixture(scope="module")
def deployed(servers, tmp_path_factory):
    """`chipwatch scrapyd deploy`, the real command, to both servers."""
    directory = tmp_path_factory.mktemp("deploy")
    with ReplayServer() as replay:
        config = write_config(directory, replay, urls=[s.url for s in servers])
    result = chipwatch("scrapyd", "deploy", "--config", str(config), timeout=240)
    return servers, result


def test_deploy_uploads_the_spiders_to_every_server(deployed):
    servers, result = deployed
    assert result.returncode == 0, result.stderr + result.stdout
    version = egg_version()
    for server in servers:
        assert (f"deployed {server.url}: project {PROJECT} version {version}, "
                f"{len(ALL_SOURCES)} spiders") in result.stdout
        api = server.api()
        assert version in api.list_versions(PROJECT)
        assert sorted(api.list_spiders(PROJECT, version)) == sorted(ALL_SOURCES)


def test_the_egg_is_a_scrapy_project_that_imports_on_its_own(tmp_path):
    """Built with setuptools' bdist_egg; its `scrapy` entry point names the settings module;
    imported from the egg alone (outside the checkout), it finds every source's spider and
    its registry file inside the zip."""
    result = chipwatch("scrapyd", "deploy", "--egg", str(tmp_path), timeout=240)
    assert result.returncode == 0, result.stderr
    [egg] = tmp_path.glob("*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "settings = crawler.scrapyd_settings" in entry_points
    assert {"crawler/scrapyd_settings.py", "crawler/jobs.py", "crawler/spiders/bis.py",
            "vocab/sources.toml"} <= names
    assert not any(name.startswith(("tracker/", "store/", "alerts/")) for name in names)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); "
             "import crawler.jobs as jobs, crawler.scrapyd_settings as s; "
             "print(jobs.__file__); print(s.SPIDER_LOADER_CLASS); "
             "print(','.join(jobs.JobSpiderLoader().list())); "
             "print(jobs.JobSpiderLoader().load('bis').name)")
    done = subprocess.run([sys.executable, "-I", "-c", probe, str(egg)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    where, loader, names_listed, bis = done.stdout.split()
    assert where.startswith(str(egg))  # imported from the zip, not from the checkout
    assert loader == "crawler.jobs.JobSpiderLoader"
    assert names_listed.split(",") == list(ALL_SOURCES) and bis == "bis"


def test_scrapyd_stores_exactly_what_the_local_backend_stores(deployed, tmp_path):
    servers, deploy = deployed
    assert deploy.returncode == 0, deploy.stderr + deploy.stdout
    with ReplayServer() as replay:
        local = write_config(tmp_path / "local", replay)
        remote = write_config(tmp_path / "scrapyd", replay, urls=[s.url for s in servers])
        by_local = chipwatch("run", "--config", str(local), timeout=200)
        local_traffic = replay.take_traffic()
        by_scrapyd = chipwatch("run", "--config", str(remote), timeout=200)
        scrapyd_traffic = replay.take_traffic()
        again = chipwatch("run", "--config", str(remote), timeout=200)
        again_traffic = replay.take_traffic()
    for result in (by_local, by_scrapyd, again):
        assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    for source in ALL_SOURCES:
        line = next(line for line in by_local.stdout.splitlines()
                    if line.startswith(f"{source}: "))
        assert line.split(" in ")[0] in by_scrapyd.stdout  # same counts, same errors
    assert "job " in by_scrapyd.stderr and servers[1].url in by_scrapyd.stderr  # progress

    columns = ", ".join(DOCUMENT_COLUMNS)
    local_db = tmp_path / "local" / "chipwatch.db"
    scrapyd_db = tmp_path / "scrapyd" / "chipwatch.db"
    documents = rows(local_db, f"select {columns} from documents order by id")
    assert len(documents) >= 60
    assert rows(scrapyd_db, f"select {columns} from documents order by id") == documents
    tags = "select document_id, category, score, relevance from document_tags order by 1, 2"
    assert rows(scrapyd_db, tags) == rows(local_db, tags)

    run_columns = ", ".join(RUN_COLUMNS)
    local_runs = rows(local_db, f"select {run_columns} from crawl_runs order by source")
    scrapyd_runs = rows(scrapyd_db, f"select {run_columns}, stats from crawl_runs "
                                    f"order by id")
    first = sorted(scrapyd_runs[:len(ALL_SOURCES)], key=lambda r: r["source"])
    assert [{k: r[k] for k in RUN_COLUMNS} for r in first] == local_runs
    assert all(r["status"] == "ok" for r in local_runs)
    # Spread least busy first (both idle: in turn, the first listed first), each job named
    # in its run's stats.
    where = {r["source"]: json.loads(r["stats"])["scrapyd/server"]
             for r in scrapyd_runs[:len(ALL_SOURCES)]}
    assert [where[source] for source in ALL_SOURCES] == [
        servers[n % 2].url for n in range(len(ALL_SOURCES))]
    finished = {job["id"] for s in servers for job in s.api().list_jobs(PROJECT)["finished"]}
    assert {json.loads(r["stats"])["scrapyd/job"] for r in first} <= finished

    # The next cycle through Scrapyd finds nothing new and fetches no article again.
    second = scrapyd_runs[len(ALL_SOURCES):]
    assert len(second) == len(ALL_SOURCES)
    assert all(r["status"] == "ok" and r["documents_new"] == 0 for r in second), second
    assert scrapyd_traffic.count("article") == local_traffic.count("article") > 30
    assert again_traffic.count("article") == 0


def test_an_undeployed_project_fails_each_run_saying_what_to_do(servers, tmp_path):
    with ReplayServer() as replay:
        config = write_config(tmp_path, replay, urls=[s.url for s in servers],
                              crawl='scrapyd_project = "not-deployed"')
        result = chipwatch("run", "--config", str(config), "--source", "bis", timeout=120)
    assert result.returncode == 1
    assert "bis: 0 fetched, 0 new, 0 changed, 1 error" in result.stdout
    assert "project 'not-deployed' not found" in result.stdout
    assert "run `chipwatch scrapyd deploy`" in result.stdout
    [run] = rows(tmp_path / "chipwatch.db", "select status, finish_reason from crawl_runs")
    assert run == {"status": "failed", "finish_reason": "not scheduled"}


def test_a_server_that_is_down_is_skipped_and_shown_by_status(deployed, tmp_path):
    servers, deploy = deployed
    assert deploy.returncode == 0, deploy.stderr + deploy.stdout
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with ReplayServer() as replay:
        config = write_config(tmp_path, replay, urls=[down, servers[1].url])
        result = chipwatch("run", "--config", str(config), "--source", "bis",
                           "--source", "commerce", timeout=120)
        status = chipwatch("status", "--config", str(config), timeout=60)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert f"{down} is down, skipped ({down}: cannot be reached (connection refused))" \
        in result.stderr
    runs = rows(tmp_path / "chipwatch.db", "select status, stats from crawl_runs")
    assert len(runs) == 2 and all(r["status"] == "ok" for r in runs)
    assert {json.loads(r["stats"])["scrapyd/server"] for r in runs} == {servers[1].url}
    assert status.returncode == 0, status.stderr
    assert re.search(rf"^  {re.escape(down)}\s+DOWN: cannot be reached \(connection refused\)",
                     status.stdout, re.M), status.stdout
    assert re.search(rf"^  {re.escape(servers[1].url)}\s+up: 0 jobs running or pending; "
                     rf"spiders deployed$", status.stdout, re.M), status.stdout


def test_a_server_that_asks_for_a_login_gets_the_password_from_the_environment(tmp_path):
    password = "scrapyd-SECRET-9c2b"
    with ScrapydProcess(tmp_path / "guarded", username="chipwatch", password=password) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[crawl]\nbackend = "scrapyd"\nscrapyd_urls = ["{server.url}"]\n'
            f'scrapyd_username = "chipwatch"\nscrapyd_password_env = "TEST_SCRAPYD_PW"\n',
            encoding="utf-8")
        without = chipwatch("scrapyd", "deploy", "--config", str(config), timeout=240)
        wrong = chipwatch("scrapyd", "deploy", "--config", str(config), timeout=240,
                          env={"TEST_SCRAPYD_PW": "not-it"})
        right = chipwatch("scrapyd", "deploy", "--config", str(config), timeout=240,
                          env={"TEST_SCRAPYD_PW": password})
        open_db(tmp_path / "chipwatch.db").close()  # status reads a store; it makes none
        status = chipwatch("status", "--config", str(config), "--db",
                           str(tmp_path / "chipwatch.db"), timeout=60,
                           env={"TEST_SCRAPYD_PW": password})
    assert without.returncode == 1
    assert "HTTP 401: the login was refused and no password was given (the environment " \
           "variable named by scrapyd_password_env is not set)" in without.stdout
    assert wrong.returncode == 1
    assert "HTTP 401: the login was refused; check scrapyd_username" in wrong.stdout
    assert right.returncode == 0, right.stdout + right.stderr
    assert re.search(rf"^  {re.escape(server.url)}\s+up: .*spiders deployed$", status.stdout,
                     re.M), status.stdout
    for result in (without, wrong, right, status):
        assert password not in result.stdout + result.stderr
