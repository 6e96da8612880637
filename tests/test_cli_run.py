"""`chipwatch run`, `crawl` and `backfill` end to end, as a user runs them, against loopback."""

import json
import socket

from store import open_db
from tests.conftest import chipwatch, write_config
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fr_config(tmp_path, server, **more):
    return write_config(tmp_path, {"federal_register": {
        "base_url": server.url, "agencies": AGENCIES, "per_page": 4,
        "first_run_days": 3650}, **more})


def test_run_stores_prints_a_line_per_source_and_a_digest(tmp_path):
    with LoopbackServer(two_pages()) as server:
        config = fr_config(tmp_path, server)
        first = chipwatch("run", "--config", str(config))
        second = chipwatch("run", "--config", str(config))
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("federal_register: 7 fetched, 7 new, 0 changed, 0 errors in ")
    # the correction C1-2026-16628 joins its rule: 7 documents, 6 events
    assert "\n6 events (7 documents): " in first.stdout
    assert "Revisions to the Entity List" in first.stdout  # every new document is listed
    assert "By source: Federal Register 7." in first.stdout
    assert "Federal Register 2026-20058 | 2026-09-30" in first.stdout
    assert "Streamlining Export Controls for Drone Exports (Federal Register 2026-16628 · " \
        "Federal Register C1-2026-16628, 2026-08-14 to 2026-08-28" in " ".join(
            first.stdout.split())  # a rule of wider relevance, with its correction
    assert "https://www.federalregister.gov/documents/2026/09/30/2026-20058/" in first.stdout
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0].startswith(
        "federal_register: 7 fetched, 0 new, 0 changed, 0 errors")
    assert "Nothing new matches this channel's filter." in second.stdout
    db = open_db(tmp_path / "chipwatch.db")
    assert db["documents"].count == 7
    assert [r["status"] for r in db["crawl_runs"].rows] == ["ok", "ok"]
    # the cycle analysed what it stored for the query planner (store/statistics.py)
    assert db.execute("select count(*) from sqlite_stat1 where tbl = 'documents'"
                      ).fetchone()[0] > 0


def test_one_failing_source_gives_status_1_and_the_others_are_still_stored(tmp_path):
    with LoopbackServer(two_pages()) as server:
        config = fr_config(tmp_path, server, bis=f"http://127.0.0.1:{dead_port()}")
        result = chipwatch("run", "--config", str(config), "--db", str(tmp_path / "other.db"))
    assert result.returncode == 1
    assert "federal_register: 7 fetched, 7 new" in result.stdout
    bis_line = next(line for line in result.stdout.splitlines()
                    if line.startswith("bis:"))
    assert "1 error" in bis_line or "errors" in bis_line
    assert "Traceback" not in result.stdout + result.stderr
    db = open_db(tmp_path / "other.db")
    assert db["documents"].count == 7
    statuses = {r["source"]: r["status"] for r in db["crawl_runs"].rows}
    assert statuses == {"federal_register": "ok", "bis": "failed"}


def test_unreachable_site_ends_with_a_one_line_reason(tmp_path):
    config = write_config(tmp_path, {"federal_register": f"http://127.0.0.1:{dead_port()}"})
    result = chipwatch("run", "--config", str(config))
    assert result.returncode == 1
    line = result.stdout.splitlines()[0]
    assert line.startswith("federal_register: 0 fetched, 0 new, 0 changed, 1 error in ")
    assert "connection refused" in line
    assert "Traceback" not in result.stderr


def test_crawl_prints_json_lines_and_stores_nothing(tmp_path):
    with LoopbackServer(two_pages()) as server:
        config = fr_config(tmp_path, server)
        result = chipwatch("crawl", "federal_register", "--config", str(config),
                           "--since", "2026-01-01")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(docs) == 7
    for d in docs:
        assert {"source", "id", "url", "lang", "title", "published", "text"} <= d.keys()
    assert not (tmp_path / "chipwatch.db").exists()


def test_backfill_pages_back_with_progress(tmp_path):
    with LoopbackServer(two_pages()) as server:
        config = fr_config(tmp_path, server)
        result = chipwatch("backfill", "federal_register", "--since", "2019-01-01",
                           "--config", str(config))
        first = server.requests_for("/api/v1/documents.json")[0]
    assert result.returncode == 0, result.stderr
    assert "conditions%5Bpublication_date%5D%5Bgte%5D=2019-01-01" in first.path
    assert "page 1: 4 documents (4 of 7)" in result.stderr
    assert "page 2: 3 documents (7 of 7)" in result.stderr
    assert result.stdout.startswith("federal_register: 7 fetched, 7 new")


def test_backfill_rejects_a_bad_date(tmp_path):
    config = write_config(tmp_path, {})
    result = chipwatch("backfill", "federal_register", "--since", "last year",
                       "--config", str(config))
    assert result.returncode == 2
    assert "'last year' is not a date; write it as YYYY-MM-DD" in result.stderr
