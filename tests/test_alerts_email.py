"""Email delivery against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.sender import send_due
from alerts.service import deliver_due, digest_now
from store import outbox
from tests.alerting import Recorder, add_document, free_port, make_certificate, smtp_server
from tests.conftest import chipwatch, write_config
from tracker.config import parse

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)


def email_config(port: int, **extra) -> dict:
    table = {"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
             "from": "chipwatch@example.org", "to": ["analyst@example.org"], "timeout": 5,
             "daily_at": "08:00", **extra}
    return parse({"alerts": {"email": table}}, Path("/tmp/config.toml"))


def seed(db) -> None:
    add_document(db, "bis:entity", title="Additions to the Entity List",
                 tags=[("export_control", 0.9,
                        "BIS adds 12 entities to the Entity List for supplying advanced chips.",
                        "Entity List"),
                       ("tariff", 0.3, "Duties are unchanged.", "Duties")])
    add_document(db, "federal_register:2026-0001", source="federal_register",
                 title="Section 232 National Security Tariffs on Semiconductors",
                 url="https://www.federalregister.gov/d/2026-0001",
                 tags=[("tariff", 0.8, "A 25 percent duty applies under Section 232.",
                        "Section 232")])


@pytest.fixture
def smtp():
    handler = Recorder()
    port = free_port()
    controller = smtp_server(handler, port)
    yield handler, port
    controller.stop()


def test_digest_arrives_as_multipart_text_and_html_with_evidence(db, smtp):
    handler, port = smtp
    seed(db)
    report = deliver_due(email_config(port), db, NOW)
    assert [d.status for d in report.deliveries] == ["sent"]
    [message] = handler.messages
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "BIS adds 12 entities" in body
        assert "Additions to the Entity List" in body
        assert "Section 232 National Security Tariffs" in body
    assert "<mark>Entity List</mark>" in html
    assert message["Subject"].startswith("[chipwatch] chipwatch daily digest, 2 March 2026")
    row = outbox.get(db, report.deliveries[0].digest_id)
    assert message["Message-ID"].strip() == row["payload"]["message_id"]
    # Export controls (stronger) before tariffs; the entity item names its other category.
    assert text.index("Export controls") < text.index("Tariffs (")
    assert "also tariffs" in text


def test_scraped_markup_arrives_escaped_in_html(db, smtp):
    handler, port = smtp
    add_document(db, "bis:x", title="Rule <script>alert('x')</script> & <!channel>",
                 tags=[("export_control", 0.9, "Controls on <b>chips</b> & tools.", "chips")])
    deliver_due(email_config(port), db, NOW)
    html = handler.messages[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>chips</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;!channel&gt;" in html
    assert "Controls on &lt;b&gt;<mark>chips</mark>&lt;/b&gt; &amp; tools." in html


def test_starttls_with_a_certificate_made_in_the_test(db, tmp_path):
    cert, key = make_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler, port = Recorder(), free_port()
    controller = smtp_server(handler, port, tls_context=server_tls)
    try:
        seed(db)
        config = email_config(port, security="starttls", ca_file=str(cert))
        report = deliver_due(config, db, NOW)
        assert [d.status for d in report.deliveries] == ["sent"], report.lines()
        assert len(handler.messages) == 1
        # Without trusting the certificate, the digest fails as a configuration error.
        add_document(db, "bis:later", title="Later rule",
                     tags=[("export_control", 0.9, "Export controls tighten.", "Export")])
        untrusted = email_config(port, security="starttls")
        [made] = digest_now(untrusted, db, NOW + timedelta(hours=1), ["email"]).deliveries
        assert made.status == "failed" and "not trusted" in made.detail
    finally:
        controller.stop()


def test_451_then_success_gives_exactly_one_mail(db):
    handler, port = Recorder(["451 4.3.0 Try again later"]), free_port()
    controller = smtp_server(handler, port)
    try:
        seed(db)
        config = email_config(port)
        [first] = deliver_due(config, db, NOW).deliveries
        assert first.status == "retry" and "451" in first.detail
        assert send_due(config, db, NOW + timedelta(seconds=30)) == []  # backing off
        [second] = send_due(config, db, NOW + timedelta(minutes=2))
        assert second.status == "sent"
        assert send_due(config, db, NOW + timedelta(days=1)) == []  # never again
        assert len(handler.messages) == 1 and handler.attempts == 2
    finally:
        controller.stop()


def test_server_down_then_up_gives_exactly_one_mail(db):
    port = free_port()
    seed(db)
    config = email_config(port)
    [first] = deliver_due(config, db, NOW).deliveries
    assert first.status == "retry" and "cannot reach" in first.detail
    handler = Recorder()
    controller = smtp_server(handler, port)
    try:
        deliveries = send_due(config, db, NOW + timedelta(minutes=5))
        assert [d.status for d in deliveries] == ["sent"]
        send_due(config, db, NOW + timedelta(hours=5))
        assert len(handler.messages) == 1
    finally:
        controller.stop()


def test_550_marks_the_digest_failed_and_outbox_says_so(tmp_path):
    handler, port = Recorder(["550 5.7.1 Message rejected as spam"]), free_port()
    controller = smtp_server(handler, port)
    try:
        config_path = write_config(tmp_path, {}, extra=f"""
            [alerts.email]
            smtp_host = "127.0.0.1"
            smtp_port = {port}
            security = "none"
            from = "chipwatch@example.org"
            to = ["analyst@example.org"]
            timeout = 5
            """)
        from store import open_db
        db = open_db(tmp_path / "chipwatch.db")
        seed(db)
        db.close()
        sent = chipwatch("digest", "--config", str(config_path))
        assert sent.returncode == 1, sent.stderr
        assert "FAILED" in sent.stderr and "550" in sent.stderr
        listed = chipwatch("outbox", "--config", str(config_path))
        assert listed.returncode == 1
        assert "failed" in listed.stdout and "550 5.7.1 Message rejected as spam" in listed.stdout
        # Once the server accepts again, `outbox retry` delivers it, once.
        retried = chipwatch("outbox", "retry", "--config", str(config_path))
        assert retried.returncode == 0, retried.stdout + retried.stderr
        assert len(handler.messages) == 1
        assert "nothing waiting" in chipwatch("outbox", "--config", str(config_path)).stdout
    finally:
        controller.stop()


def test_crash_between_sending_and_marking_sends_again_with_the_same_message_id(db, smtp):
    """What happens: the digest was accepted by the server, but the process died before
    `sent` was committed. The row stays `sending`; once older than the lease it is sent
    again. The reader gets it twice, with one Message-ID (mail clients fold the copies);
    the digest is never lost and never made a second time."""
    handler, port = smtp
    seed(db)
    config = email_config(port)
    digest_now(config, db, NOW, ["email"], dry_run=False)  # made and delivered once
    [row] = [r for r in outbox.listing(db, statuses=("sent",))]
    # Put the row back as a process that crashed after the send would leave it.
    db.execute("update outbox set status = 'sending', sending_since = ? where id = ?",
               [row["created_at"], row["id"]])
    db.conn.commit()
    assert send_due(config, db, NOW + timedelta(minutes=1)) == []  # within the lease: wait
    [again] = send_due(config, db, NOW + timedelta(minutes=30))
    assert again.status == "sent"
    assert len(handler.messages) == 2
    assert handler.messages[0]["Message-ID"] == handler.messages[1]["Message-ID"]
    assert "interrupted while sending" in outbox.get(db, row["id"])["last_error"]
