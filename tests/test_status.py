"""`chipwatch status` as a user sees it: sources, next crawls and the outbox."""

from store import open_db
from store.outbox import create_digest, mark_failed
from store.runs import finish_run, start_run
from tests.conftest import chipwatch, write_config


def test_status_shows_health_next_crawls_and_the_outbox(tmp_path):
    config = write_config(tmp_path, {"bis": "http://127.0.0.1:9", "tsmc": "http://127.0.0.1:9"})
    db = open_db(tmp_path / "chipwatch.db")
    run = start_run(db, "bis")
    finish_run(db, run, status="failed", finish_reason="finished",
               errors=["bis: listing http://127.0.0.1:9/news-updates matched no items: the "
                       "page layout may have changed"])
    create_digest(db, digest_id="email:daily:2026-11-20", channel="email", kind="daily",
                  period="2026-11-20", document_ids=[], payload={})
    mark_failed(db, "email:daily:2026-11-20", error="550 mailbox unavailable")
    db.close()
    result = chipwatch("status", "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    bis = next(line for line in lines if line.startswith("bis "))
    assert "broken" in bis and "listing http://127.0.0.1:9/news-updates matched no" in bis
    assert next(line for line in lines if line.startswith("tsmc ")).split()[1] == "quiet"
    assert next(line for line in lines if line.startswith("commerce ")).split()[1] == "disabled"
    assert "next crawls:" in lines
    assert any(line.strip().startswith("bis") and "due now" in line for line in lines)
    assert "outbox: 0 pending, 0 sending, 1 failed" in lines
    assert any("email:daily:2026-11-20: 550 mailbox unavailable" in line for line in lines)
