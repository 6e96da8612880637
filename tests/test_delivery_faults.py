"""Delivery when the other side misbehaves: a stand-in for Slack's webhook on 127.0.0.1 that
answers oddly, is slow, or cuts its answer short; a real SMTP server (aiosmtpd) that drops
the connection after DATA, stalls, or fumbles QUIT; sockets that are busy or not SMTP at all.
Each ends in an outbox row that says what happened, a next attempt that honours the lease,
the attempt limit and Retry-After, and no traceback. See docs/reliability.md."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from alerts.failures import RETRY_AFTER_CAP, retry_after
from alerts.sender import LEASE, MAX_ATTEMPTS, send_due
from alerts.service import deliver_due
from store import open_db, outbox
from tests.alerting import Misbehaving, RawServer, Recorder, add_document, free_port, smtp_server
from tests.conftest import chipwatch, write_config
from tests.loopback import LoopbackServer, Reply
from tracker.config import parse

pytestmark = pytest.mark.timeout(120)

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
HOOK = "/services/T000/B000/XXXX"
ENV = "CHIPWATCH_TEST_SLACK_WEBHOOK"
OK = Reply(200, "ok", content_type="text/plain")


def seed(db, n: int = 1) -> None:
    for i in range(n):
        add_document(db, f"bis:{i}", title=f"Entity List additions {i}",
                     tags=[("export_control", 0.9, "BIS adds entities to the Entity List.",
                            "Entity List")])


def slack(monkeypatch, url: str, **keys):
    monkeypatch.setenv(ENV, url)
    table = {"webhook_url_env": ENV, "timeout": 1, "daily_at": "08:00", **keys}
    return parse({"alerts": {"slack": table}}, Path("/tmp/config.toml"))


def email(port: int, **keys):
    table = {"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
             "from": "chipwatch@example.org", "to": ["analyst@example.org"], "timeout": 2,
             "daily_at": "08:00", **keys}
    return parse({"alerts": {"email": table}}, Path("/tmp/config.toml"))


def row_of(db) -> dict:
    [row] = outbox.listing(db, statuses=("pending", "sending", "failed", "sent"))
    return outbox.get(db, row["id"])


def at(row: dict) -> datetime:
    return datetime.fromisoformat(row["next_attempt"])


# -- Retry-After, read by chipwatch -------------------------------------------------------


def test_retry_after_forms():
    now = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
    assert retry_after("120") == timedelta(seconds=120)
    assert retry_after(" 1.5 ") == timedelta(seconds=2)  # a fraction is rounded up
    assert retry_after("0") == timedelta(0)
    assert retry_after("999999999") == RETRY_AFTER_CAP  # capped
    assert retry_after(format_datetime(now + timedelta(minutes=5), usegmt=True), now) \
        == timedelta(minutes=5)
    assert retry_after("Monday, 02-Mar-26 13:10:00 GMT", now) == timedelta(minutes=10)  # RFC 850
    assert retry_after("Mon Mar  2 13:02:00 2026", now) == timedelta(minutes=2)  # asctime
    assert retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) \
        == timedelta(0)  # already past
    assert retry_after(format_datetime(now + timedelta(days=3), usegmt=True), now) \
        == RETRY_AFTER_CAP
    for nonsense in (None, "", "soon", "-5", "nan", "inf", "1e999", "12 seconds"):
        assert retry_after(nonsense, now) is None, nonsense


@pytest.mark.parametrize("header, wait", [
    ("http-date in 30 minutes", timedelta(minutes=30)),
    ("1.5", timedelta(minutes=1)),  # shorter than the back-off: the back-off wins
    ("7200", RETRY_AFTER_CAP),
    ("soon", timedelta(minutes=1)),  # meaningless: the back-off
    ("-5", timedelta(minutes=1)),
])
def test_a_429_waits_as_slack_asks_within_the_cap_and_never_sleeps(db, monkeypatch, header,
                                                                    wait):
    if header.startswith("http-date"):
        header = format_datetime(datetime.now(timezone.utc) + timedelta(minutes=30),
                                 usegmt=True)
    seed(db)
    limited = Reply(429, "rate_limited", headers={"Retry-After": header},
                    content_type="text/plain")
    with LoopbackServer({HOOK: [limited, OK]}) as server:
        config = slack(monkeypatch, server.url + HOOK)
        [first] = deliver_due(config, db, NOW).deliveries
        row = row_of(db)
        assert first.status == "retry" and "429" in first.detail
        assert row["status"] == "pending" and row["attempts"] == 1
        # An HTTP-date is read against the real clock, so allow the seconds the test took.
        assert wait - timedelta(seconds=30) <= at(row) - NOW <= wait
        assert send_due(config, db, at(row) - timedelta(seconds=1)) == []
        [second] = send_due(config, db, at(row))
        assert second.status == "sent"
        assert len(server.requests_for(HOOK)) == 2


def test_a_503_with_retry_after_waits_as_asked(db, monkeypatch):
    seed(db)
    with LoopbackServer({HOOK: [Reply(503, "<html>maintenance</html>",
                                      headers={"Retry-After": "600"}), OK]}) as server:
        config = slack(monkeypatch, server.url + HOOK)
        [first] = deliver_due(config, db, NOW).deliveries
        assert first.status == "retry"
        assert at(row_of(db)) == NOW + timedelta(minutes=10)


# -- no answer, or half an answer: the digest may have arrived ------------------------------


NO_ANSWER = {
    "slower than the timeout": Reply(200, "ok", content_type="text/plain", delay=3),
    "answer cut short by a proxy": Reply(200, "ok" * 50, content_type="text/plain",
                                         drop_after=3),
    "connection closed without an answer": Reply(raw=b""),
    "a status line that is not HTTP": Reply(raw=b"SSH-2.0-OpenSSH_9.2\r\n"),
}


@pytest.mark.parametrize("fault", NO_ANSWER, ids=list(NO_ANSWER))
def test_a_post_without_a_clear_answer_is_not_sent_again_inside_the_lease(db, monkeypatch,
                                                                          fault):
    seed(db)
    with LoopbackServer({HOOK: [NO_ANSWER[fault], OK]}) as server:
        config = slack(monkeypatch, server.url + HOOK)
        [first] = deliver_due(config, db, NOW).deliveries
        row = row_of(db)
        assert first.status == "held", first.line()
        assert "may have arrived" in row["last_error"]
        assert row["status"] == "sending" and row["attempts"] == 1
        # a minute later, and just inside the lease: nothing is sent again
        assert send_due(config, db, NOW + timedelta(minutes=1)) == []
        assert send_due(config, db, NOW + LEASE - timedelta(seconds=1)) == []
        assert len(server.requests_for(HOOK)) == 1
        # the next digest names it among those not delivered
        assert [r["id"] for r in outbox.undelivered(db, "slack")] == [row["id"]]
        [again] = send_due(config, db, NOW + LEASE + timedelta(seconds=1))
        assert again.status == "sent"
        assert len(server.requests_for(HOOK)) == 2
    assert row_of(db)["attempts"] == 2


def test_a_webhook_that_never_answers_gives_up_after_the_attempt_limit(db, monkeypatch):
    seed(db)
    with LoopbackServer({HOOK: Reply(raw=b"")}) as server:
        config = slack(monkeypatch, server.url + HOOK)
        when = NOW
        deliver_due(config, db, when)
        for _ in range(MAX_ATTEMPTS):
            when += LEASE + timedelta(seconds=1)
            send_due(config, db, when)
        row = row_of(db)
        assert row["status"] == "failed"
        assert row["last_error"].startswith(f"gave up after {MAX_ATTEMPTS} attempts")
        assert len(server.requests_for(HOOK)) == MAX_ATTEMPTS
        assert send_due(config, db, when + timedelta(days=1)) == []


# -- answers that are clear -----------------------------------------------------------------


CLEAR = {
    "200 with a proxy's page": (Reply(200, "<html>Sign in to the Wi-Fi</html>"), "retry",
                                "instead of 'ok'"),
    "302 without Location": (Reply(302, ""), "failed", "redirects (HTTP 302 without saying"),
    "307 to elsewhere": (Reply(307, "", headers={"Location": "http://127.0.0.1:9/x"}),
                         "failed", "the webhook URL redirects (HTTP 307 to"),
    "413 too large": (Reply(413, "request_too_large", content_type="text/plain"), "failed",
                      "max_bytes"),
    "410 gone": (Reply(410, "no_service", content_type="text/plain"), "failed",
                 "webhook no longer exists"),
    "502 from a proxy": (Reply(502, "<html>Bad gateway</html>"), "retry", "502"),
}


@pytest.mark.parametrize("answer", CLEAR, ids=list(CLEAR))
def test_clear_answers_are_retried_or_failed_as_they_mean(db, monkeypatch, answer):
    reply, status, words = CLEAR[answer]
    seed(db)
    with LoopbackServer({HOOK: reply}) as server:
        config = slack(monkeypatch, server.url + HOOK)
        [delivery] = deliver_due(config, db, NOW).deliveries
    assert delivery.status == status, delivery.line()
    assert words in delivery.detail
    assert row_of(db)["status"] == ("pending" if status == "retry" else "failed")
    assert server.url + HOOK not in delivery.detail


def test_a_webhook_url_with_a_trailing_newline_is_used_and_one_with_a_space_is_refused(
        db, monkeypatch):
    seed(db)
    with LoopbackServer({HOOK: OK}) as server:
        config = slack(monkeypatch, server.url + HOOK + "\n")
        assert [d.status for d in deliver_due(config, db, NOW).deliveries] == ["sent"]
        seed(db, 2)
        broken = slack(monkeypatch, server.url + "/services/T0 00/B000/XXXX")
        [delivery] = deliver_due(broken, db, NOW + timedelta(days=1)).deliveries
    assert delivery.status == "failed"
    assert "spaces or control characters" in delivery.detail
    assert "T0 00" not in delivery.detail and server.url not in delivery.detail


# -- SMTP servers that drop, stall or fumble --------------------------------------------------


@pytest.mark.parametrize("keep", [True, False], ids=["accepted then dropped",
                                                     "dropped before accepting"])
def test_an_smtp_server_that_drops_after_data(db, keep):
    handler, port = Misbehaving(drop=True, keep=keep), free_port()
    controller = smtp_server(handler, port)
    try:
        seed(db)
        config = email(port)
        [first] = deliver_due(config, db, NOW).deliveries
        assert first.status == "held", first.line()
        assert send_due(config, db, NOW + timedelta(minutes=5)) == []  # not inside the lease
        [again] = send_due(config, db, NOW + LEASE + timedelta(seconds=1))
        assert again.status == "sent"
        assert send_due(config, db, NOW + timedelta(days=1)) == []
    finally:
        controller.stop()
    # accepted the first time: one duplicate, with the same Message-ID; else exactly one
    assert len(handler.messages) == (2 if keep else 1)
    assert len({m["Message-ID"] for m in handler.messages}) == 1


def test_an_smtp_server_that_stalls_after_data(db):
    handler, port = Misbehaving(stall=4), free_port()
    controller = smtp_server(handler, port)
    try:
        seed(db)
        config = email(port, timeout=1)
        [first] = deliver_due(config, db, NOW).deliveries
        assert first.status == "held" and "no answer within the timeout" in first.detail
        assert send_due(config, db, NOW + timedelta(minutes=2)) == []
    finally:
        controller.stop()


def test_a_fumbled_quit_after_the_message_was_accepted_counts_as_sent(db):
    handler, port = Misbehaving(quit_reply="500 what?", times=0), free_port()
    controller = smtp_server(handler, port)
    try:
        seed(db)
        config = email(port)
        [first] = deliver_due(config, db, NOW).deliveries
        assert first.status == "sent", first.line()
        assert send_due(config, db, NOW + timedelta(days=1)) == []
    finally:
        controller.stop()
    assert len(handler.messages) == 1


@pytest.mark.parametrize("greeting, status, words", [
    (b"421 4.3.2 Service not available, closing channel\r\n", "retry", "421"),
    (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "failed",
     "does not answer like an SMTP server"),
    (b"", "retry", "closed the connection"),
], ids=["421 at the greeting", "not an SMTP server", "closed at once"])
def test_servers_that_refuse_at_the_greeting(db, greeting, status, words):
    seed(db)
    with RawServer(greeting) as raw:
        [delivery] = deliver_due(email(raw.port), db, NOW).deliveries
    assert delivery.status == status, delivery.line()
    assert words in delivery.detail


def test_a_552_too_large_fails_and_names_the_setting(db):
    handler, port = Recorder(["552 5.3.4 Message size exceeds fixed limit"]), free_port()
    controller = smtp_server(handler, port)
    try:
        seed(db)
        [delivery] = deliver_due(email(port), db, NOW).deliveries
    finally:
        controller.stop()
    assert delivery.status == "failed" and "[alerts.email] max_bytes" in delivery.detail


# -- through the real commands ------------------------------------------------------------


def two_channel_config(tmp_path: Path, slack_url_env: str, smtp_port: int) -> Path:
    return write_config(tmp_path, {}, extra=f"""
        [alerts.slack]
        webhook_url_env = "{slack_url_env}"
        timeout = 1

        [alerts.email]
        smtp_host = "127.0.0.1"
        smtp_port = {smtp_port}
        security = "none"
        from = "chipwatch@example.org"
        to = ["analyst@example.org"]
        timeout = 5
        """)


def test_a_failing_slack_does_not_stop_the_email_of_the_same_pass(tmp_path):
    handler, port = Recorder(), free_port()
    controller = smtp_server(handler, port)
    try:
        with LoopbackServer({HOOK: Reply(200, "ok" * 40, content_type="text/plain",
                                         drop_after=1)}) as server:
            config = two_channel_config(tmp_path, ENV, port)
            db = open_db(tmp_path / "chipwatch.db")
            seed(db)
            db.close()
            done = chipwatch("digest", "--config", str(config),
                             env={ENV: server.url + HOOK})
            assert len(server.requests_for(HOOK)) == 1
    finally:
        controller.stop()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "slack: " in done.stderr and "may have arrived" in done.stderr
    assert "email: " in done.stderr and "delivered" in done.stderr
    assert len(handler.messages) == 1
    assert server.url not in done.stderr + done.stdout


def test_outbox_retry_takes_up_a_row_past_its_lease_and_leaves_one_inside_it(tmp_path,
                                                                             monkeypatch):
    """Two digests went out from a process whose webhook never answered: one 20 minutes ago
    (its lease has passed), one a minute ago (still inside it)."""
    from alerts.service import digest_now
    from tracker import config as config_module
    with LoopbackServer({HOOK: Reply(raw=b"")}) as server:
        config_path = two_channel_config(tmp_path, ENV, free_port())
        monkeypatch.setenv(ENV, server.url + HOOK)
        config = config_module.load(config_path)
        db = open_db(tmp_path / "chipwatch.db")
        real_now = datetime.now(timezone.utc)
        seed(db, 1)
        digest_now(config, db, real_now - timedelta(minutes=1), ["slack"])
        add_document(db, "bis:other", title="Other rule",
                     tags=[("export_control", 0.9, "More controls.", "controls")])
        # made with a clock 20 minutes back, so its send is outside the lease by now
        digest_now(config, db, real_now - timedelta(minutes=20), ["slack"])
        assert [r["status"] for r in outbox.listing(db)] == ["sending", "sending"]
        db.close()
        server.route(HOOK, OK)
        done = chipwatch("outbox", "retry", "--config", str(config_path),
                         env={ENV: server.url + HOOK})
        posts = len(server.requests_for(HOOK))
    assert done.returncode == 1, done.stdout + done.stderr  # one is still inside its lease
    assert posts == 3  # the two unanswered sends, then the old one again; the new one waits
    assert "delivered" in done.stdout
    assert "left alone" in done.stdout and "taken up after" in done.stdout
    db = open_db(tmp_path / "chipwatch.db")
    assert sorted(r["status"] for r in outbox.listing(db, statuses=("sent", "sending"))) \
        == ["sending", "sent"]
    db.close()

