"""The webhook channel against a real HTTP server on 127.0.0.1: the body is signed with
HMAC-SHA256 of its exact bytes, a retry sends the same bytes, a server asking to wait is
waited for, a refusal or a redirect is a failure that says what to fix, and the body keeps
to the channel's size bound. docs/webhook.md documents every field of the sample it shows."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.service import deliver_due
from alerts.webhook import signature
from store import outbox
from tests.alerting import add_document
from tests.conftest import ROOT
from tests.loopback import LoopbackServer, Reply
from tracker.config import parse

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
PATH = "/hooks/chipwatch"
SECRET_ENV = "CW_TEST_WEBHOOK_SECRET"
URL_ENV = "CW_TEST_WEBHOOK_URL"


@pytest.fixture
def hook_config(monkeypatch, tmp_path):
    def make(server: LoopbackServer | None, **table):
        monkeypatch.setenv(SECRET_ENV, "topsecret")
        base = {"kind": "webhook", "secret_env": SECRET_ENV, "timeout": 5}
        if server is not None and "url_env" not in table:
            base["url"] = server.url + PATH
        return parse({"alerts": {"hook": {**base, **table}}}, tmp_path / "config.toml")
    return make


def seed(db, n: int = 2) -> None:
    for i in range(n):
        add_document(db, f"bis:rule-{i}", title=f"Entity List rule {i}",
                     tags=[("export_control", 8.0 - i / 100, f"Adds entities, rule {i}.",
                            "entities")])


def verified(hit) -> dict:
    expected = "sha256=" + hmac.new(b"topsecret", hit.body, hashlib.sha256).hexdigest()
    assert hit.headers["X-Chipwatch-Signature"] == expected
    return json.loads(hit.body)


def test_signature_is_hmac_sha256_of_the_body():
    assert signature("key", b"{}") == \
        "sha256=" + hmac.new(b"key", b"{}", hashlib.sha256).hexdigest()


def test_a_retry_sends_the_same_signed_bytes_after_the_wait_asked(db, hook_config):
    seed(db)
    replies = [Reply(503, "busy", headers={"Retry-After": "120"}), Reply(200, "thanks")]
    with LoopbackServer({PATH: replies}) as server:
        cfg = hook_config(server)
        first = deliver_due(cfg, db, NOW)
        assert [d.status for d in first.deliveries] == ["retry"]
        row = outbox.get(db, first.made[0].digest_id)
        assert row["next_attempt"] == "2026-03-02T13:02:00+00:00"  # Retry-After, not 1 min
        assert "the receiver answered 503 busy" in row["last_error"]
        second = deliver_due(cfg, db, NOW + timedelta(minutes=2))
        assert [d.status for d in second.deliveries] == ["sent"]
        one, two = server.requests_for(PATH)
    assert one.body == two.body
    body = verified(two)
    assert [e["title"] for e in body["events"]] == ["Entity List rule 0", "Entity List rule 1"]
    assert body["events"][0]["evidence"] == {"sentence": "Adds entities, rule 0.",
                                             "match": "entities"}


def test_the_address_can_be_a_secret_too(db, hook_config, monkeypatch):
    seed(db)
    with LoopbackServer({PATH: Reply(202, "")}) as server:
        monkeypatch.setenv(URL_ENV, server.url + PATH)
        report = deliver_due(hook_config(None, url_env=URL_ENV), db, NOW)
        assert [d.status for d in report.deliveries] == ["sent"]
        verified(server.requests_for(PATH)[0])


@pytest.mark.parametrize("reply, words", [
    (Reply(401, "bad signature"), "check that it verifies with the same secret as secret_env"),
    (Reply(302, "", headers={"Location": "https://elsewhere.example/"}),
     "the address redirects (HTTP 302 to https://elsewhere.example/)"),
    (Reply(413, "too big"), "lower the channel's max_bytes"),
])
def test_a_refusal_fails_and_says_what_to_fix(db, hook_config, reply, words):
    seed(db)
    with LoopbackServer({PATH: reply, "/": Reply(200, "ok")}) as server:
        report = deliver_due(hook_config(server), db, NOW)
        assert [d.status for d in report.deliveries] == ["failed"]
        assert words in report.deliveries[0].detail
        assert len(server.requests_for(PATH)) == 1 and not server.requests_for("/ ")


def test_an_unset_secret_is_a_configuration_error_naming_the_key(db, hook_config,
                                                                 monkeypatch):
    seed(db)
    with LoopbackServer({PATH: Reply(200, "")}) as server:
        cfg = hook_config(server)
        monkeypatch.delenv(SECRET_ENV)
        cfg = parse({"alerts": {"hook": {"kind": "webhook", "url": server.url + PATH,
                                         "secret_env": SECRET_ENV}}},
                    Path("/tmp/config.toml"))
        report = deliver_due(cfg, db, NOW)
        assert server.requests_for(PATH) == []
    [delivery] = report.deliveries
    assert delivery.status == "failed"
    assert f"the environment variable {SECRET_ENV} ([alerts.hook] secret_env) is not set" in \
        delivery.detail


def test_the_body_keeps_to_max_bytes(db, hook_config):
    seed(db, 60)
    with LoopbackServer({PATH: Reply(200, "")}) as server:
        deliver_due(hook_config(server, max_bytes=10_000), db, NOW)
        [hit] = server.requests_for(PATH)
    assert len(hit.body) <= 10_000
    body = verified(hit)
    assert body["omitted"]["events"] == 60 - len(body["events"]) > 0
    assert body["omitted"]["link"].startswith("http://127.0.0.1:8001/chipwatch/digest_documents")


def test_the_documented_sample_is_signed_and_every_field_is_described():
    doc = (ROOT / "docs" / "webhook.md").read_text(encoding="utf-8")
    sample = json.loads(re.search(r"```json\n(.*?)\n```", doc, re.S).group(1))
    assert sample["chipwatch"] == 1 and sample["events"]
    for key in (*sample, *sample["events"][0], *sample["events"][0]["documents"][0]):
        assert f"`{key}`" in doc, f"{key} is not described in docs/webhook.md"


def test_a_health_notice_reaches_the_webhook_signed(db, hook_config):
    from alerts.health import queue_health_alert

    with LoopbackServer({PATH: Reply(200, "")}) as server:
        cfg = hook_config(server)
        [digest_id] = queue_health_alert(cfg, db, "bis", "broken", "bis: 3 failed crawls", NOW)
        report = deliver_due(cfg, db, NOW)
        assert [d.status for d in report.deliveries] == ["sent"]
        [hit] = server.requests_for(PATH)
    body = verified(hit)
    assert body == {"chipwatch": 1, "type": "health", "digest_id": digest_id,
                    "channel": "hook", "title": "chipwatch: bis is broken",
                    "text": "bis: 3 failed crawls"}
