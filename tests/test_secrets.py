"""Secrets never leave the environment: a failing SMTP login and a failing Slack webhook,
through `chipwatch run`, `chipwatch outbox` and a daemon cycle, leave no trace of the
password or the webhook URL in standard output and error, the database, or digest files."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.alerting import Recorder, free_port
from tests.conftest import ROOT, chipwatch, write_config
from tests.fr_pages import AGENCIES, two_pages
from tests.loopback import LoopbackServer, Reply
from tests.test_daemon import query, wait_for

pytestmark = pytest.mark.timeout(180)

PASSWORD = "pw-SECRET-7f3a9c1e"
HOOK_TOKEN = "SECRET-hook-5c1e0b77"


class RefusingLogin:
    """An SMTP authenticator that refuses every login (after seeing the password)."""

    def __init__(self):
        self.seen: list[bytes] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        self.seen.append(bytes(getattr(auth_data, "password", b"") or b""))
        return AuthResult(success=False, handled=False)


def test_secrets_appear_in_no_output_no_database_and_no_digest(tmp_path):
    from aiosmtpd.controller import Controller
    port = free_port()
    login = RefusingLogin()
    smtp = Controller(Recorder(), hostname="127.0.0.1", port=port, ready_timeout=10,
                      authenticator=login, auth_require_tls=False)
    smtp.start()
    slack = LoopbackServer({f"/services/T0/B0/{HOOK_TOKEN}": Reply(500, "internal_error",
                                                                    content_type="text/plain")})
    try:
        with LoopbackServer(two_pages()) as site, slack:
            channels = (
                f'[alerts.email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
                f'security = "none"\nusername = "chipwatch"\npassword_env = "CW_SMTP_PASSWORD"\n'
                f'from = "chipwatch@example.org"\nto = ["analyst@example.org"]\n'
                f'categories = ["investment_pressure", "export_control", "alliance", "tariff", '
                f'"none"]\n'
                f'daily_at = ""\nsend_empty = true\n\n'
                f'[alerts.slack]\nwebhook_url_env = "CW_SLACK_URL"\ndaily_at = ""\n'
                f'categories = ["investment_pressure", "export_control", "alliance", "tariff", '
                f'"none"]\n\n'
                f'[alerts.file]\ndirectory = "{tmp_path / "digests"}"\n'
                f'categories = ["investment_pressure", "export_control", "alliance", "tariff", '
                f'"none"]\n\n'
                f'[alerts.stdout]\n\n'
                f'[daemon]\nstop_grace_seconds = 0\noutbox_every = "1s"\n')
            config = write_config(tmp_path, {"federal_register": {
                "base_url": site.url, "agencies": AGENCIES, "per_page": 4, "every": "2s",
                "first_run_days": 3650}}, extra=channels)
            env = {"CW_SMTP_PASSWORD": PASSWORD,
                   "CW_SLACK_URL": f"{slack.url}/services/T0/B0/{HOOK_TOKEN}"}
            run = chipwatch("run", "--config", str(config), env=env)
            outbox = chipwatch("outbox", "--all", "--config", str(config), env=env)
            retry = chipwatch("outbox", "retry", "--config", str(config), env=env)

            logins_before = len(login.seen)
            daemon = subprocess.Popen(
                [sys.executable, "-m", "tracker.cli", "daemon", "--config", str(config)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env={**__import__("os").environ, **env})
            try:
                wait_for(lambda: len(query(tmp_path / "chipwatch.db",
                                           "select id from crawl_runs")) >= 2,
                         what="the daemon's crawl")
                wait_for(lambda: len(login.seen) > logins_before,
                         what="the daemon's delivery attempt")
            finally:
                daemon.send_signal(signal.SIGTERM)
                d_out, d_err = daemon.communicate(timeout=60)
            slack_hits = slack.requests_for("/services/")
    finally:
        smtp.stop()

    # The secrets were really used: the server saw the password, Slack was called.
    assert PASSWORD.encode() in login.seen
    assert slack_hits
    assert run.returncode == 1  # deliveries failed
    assert "refused the login of 'chipwatch'" in run.stdout + run.stderr
    assert "Slack answered 500" in run.stdout + run.stderr

    texts = {"run": run.stdout + run.stderr, "outbox": outbox.stdout + outbox.stderr,
             "retry": retry.stdout + retry.stderr, "daemon": d_out + d_err}
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "httpcache" not in p.parts]
    assert any(p.suffix == ".html" for p in files) and any(p.name.endswith(".db") for p in files)
    for secret in (PASSWORD, HOOK_TOKEN):
        for name, text in texts.items():
            assert secret not in text, name
        for path in files:
            assert secret.encode() not in path.read_bytes(), path
