"""Subscriptions: several channels of one kind, each with its own recipients and filters, a
Slack channel and a signed webhook, all through the real `chipwatch run` (the replay on
127.0.0.1, Scrapy's downloader, a real SQLite file), a real SMTP server (aiosmtpd) and real
HTTP servers on loopback; a weekly channel driven by the daemon's clock.

What each channel should receive is worked out here from the store itself (every event, its
documents, tags, instruments, actors and text), independently of the digest code, and
compared with what each server was handed."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from replay.server import ReplayServer
from store import open_db
from tests.alerting import Recorder, add_document, free_port, smtp_server
from tests.conftest import chipwatch, write_config
from tests.loopback import LoopbackServer, Reply
from tracker.config import parse
from tracker.daemon import Daemon
from tracker.delivery import deliver_due as daemon_delivery
from vocab.text import to_simplified

pytestmark = pytest.mark.timeout(300)

SLACK_PATH = "/services/T000/B000/subscriptions"
HOOK_PATH = "/chipwatch-hook"
SECRET = "s3cret-for-the-test"
ENV = {"CW_TEST_SLACK": "", "CW_TEST_HOOK_SECRET": SECRET}


def store_events(db) -> dict[int, dict]:
    """Every event with what a filter could look at, read straight from the tables."""
    events: dict[int, dict] = {}
    for row in db.query("select e.event_id, d.id, d.source, d.lang, d.url, d.title, "
                        "coalesce(d.summary, '') || ' ' || coalesce(d.text, '') as body "
                        "from event_documents e join documents d on d.id = e.document_id"):
        event = events.setdefault(row["event_id"], {"docs": {}, "tags": []})
        event["docs"][row["id"]] = {**row, "instruments": set(), "actors": set()}
    for row in db.query("select e.event_id, t.document_id, t.category, t.relevance from "
                        "document_tags t join event_documents e on e.document_id = "
                        "t.document_id"):
        events[row["event_id"]]["tags"].append(row)
    for table, column in (("document_instruments", "instrument"), ("document_actors", "actor")):
        for row in db.query(f"select e.event_id, x.document_id, x.{column} as name from "
                            f"{table} x join event_documents e on e.document_id = "
                            f"x.document_id"):
            events[row["event_id"]]["docs"][row["document_id"]][column + "s"].add(row["name"])
    return events


def expected_urls(events: dict[int, dict], *, categories, sources=None, languages=None,
                  core_only=False, instruments=None, actors=None, keyword=None,
                  exclude=None) -> dict[int, set[str]]:
    """event id -> the URLs of its documents a channel with this filter lists."""
    chosen = {}
    for event_id, event in events.items():
        listed = [d for d in event["docs"].values()
                  if (not sources or d["source"] in sources)
                  and (not languages or d["lang"] in languages)]
        tags = [t for t in event["tags"] if t["category"] in categories]
        if not listed or not tags:
            continue
        if core_only and all(t["relevance"] == "wider" for t in tags):
            continue
        if instruments and not any(d["instruments"] & instruments for d in listed):
            continue
        if actors and not any(d["actors"] & actors for d in listed):
            continue
        words = [to_simplified(f"{d['title']} {d['body']}").lower() for d in listed]
        if keyword and not any(k in w for k in keyword for w in words):
            continue
        if exclude and any(re.search(rf"\b{exclude}\b", w) for w in words):
            continue
        chosen[event_id] = {d["url"] for d in listed}
    return chosen


def links(text: str, origins: tuple[str, ...]) -> set[str]:
    """The document links in a digest: those on the replay's sites."""
    return {u.rstrip(".,)") for u in re.findall(r"https?://[^\s<>\"|]+", text)
            if u.startswith(origins)}


def test_each_channel_delivers_exactly_what_its_filter_selects(tmp_path):
    recorder = Recorder()
    port = free_port()
    smtp = smtp_server(recorder, port)
    receivers = LoopbackServer({SLACK_PATH: Reply(200, "ok", content_type="text/plain"),
                                HOOK_PATH: Reply(204, "")})
    try:
        with ReplayServer() as replay, receivers:
            urls = replay.base_urls
            mail = (f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n'
                    f'from = "chipwatch@example.org"\ntimeout = 10\ndaily_at = ""\n'
                    f'deadline_days = 0\n')
            config_path = write_config(tmp_path, {
                "bis": {"base_url": urls["bis"], "first_run_days": 4000},
                "federal_register": {"base_url": urls["federal_register"],
                                     "first_run_days": 4000, "agencies": []},
                "tsmc": {"base_url": urls["tsmc"], "first_run_days": 4000},
            }, extra=f"""
[alerts.exports]
kind = "email"
{mail}to = ["exports-desk@example.org"]
categories = ["export_control"]
sources = ["bis"]
relevance = "core"
exclude_keywords = ["Cadence"]

[alerts.investment]
kind = "email"
{mail}to = ["fabs@example.org", "taipei-office@example.org"]
categories = ["investment_pressure"]
languages = ["en", "zh-Hant"]
keywords = ["芯片法案"]
language = "zh"

[alerts.slack]
webhook_url_env = "CW_TEST_SLACK"
categories = ["tariff"]
sources = ["federal_register"]
instruments = ["section_232"]
daily_at = ""
deadline_days = 0
timeout = 10

[alerts.partners]
kind = "webhook"
url = "{receivers.url}{HOOK_PATH}"
secret_env = "CW_TEST_HOOK_SECRET"
actors = ["TSMC"]
timeout = 10
""")
            env = {**ENV, "CW_TEST_SLACK": receivers.url + SLACK_PATH}
            run = chipwatch("run", "--config", str(config_path), env=env, timeout=280)
            assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    finally:
        smtp.stop()
    # Federal Register documents link to federalregister.gov, as its API gives them.
    origins = (urls["bis"], urls["tsmc"], "https://www.federalregister.gov/")
    db = open_db(tmp_path / "chipwatch.db")
    events = store_events(db)
    assert len(events) > 50  # the whole replay was crawled

    # Two email channels, each to its own recipients, each with its own filter.
    by_to = {m["To"]: m for m in recorder.messages}
    assert sorted(by_to) == ["exports-desk@example.org",
                             "fabs@example.org, taipei-office@example.org"]
    exports = by_to["exports-desk@example.org"].get_body(("plain",)).get_content()
    want = expected_urls(events, categories={"export_control"}, sources={"bis"},
                         core_only=True, exclude="cadence")
    assert len(want) >= 4
    assert links(exports, origins) == set().union(*want.values())
    assert "commerce-strengthens-restrictions-advanced-computing" in exports
    assert "cadence" not in exports.lower()  # excluded by keyword
    assert "federalregister.gov" not in exports and urls["tsmc"] not in exports

    investment = by_to["fabs@example.org, taipei-office@example.org"]
    text = investment.get_body(("plain",)).get_content()
    # 芯片法案 (the mainland's word, Simplified) finds TSMC's Traditional 《晶片法案》: the
    # channel lists no Simplified document, and its English ones do not say it.
    want = expected_urls(events, categories={"investment_pressure"},
                         languages={"en", "zh-Hant"}, keyword=("芯片法案", "晶片法案"))
    assert len(want) == 1
    assert links(text, origins) == set().union(*want.values())
    # Both titles, the Chinese first (the channel prefers it).
    flat = " ".join(text.split())  # titles are wrapped at 78 columns
    chinese = flat.index("重建示範項目：台積公司美國亞利桑那州晶圓廠近況")
    english = flat.index("Reconstructed item: TSMC update on its Arizona fabs")
    assert chinese < english
    html = investment.get_body(("html",)).get_content()
    assert "晶圓廠近況" in html and "Arizona fabs" in html

    # Slack: only Federal Register documents on Section 232 tariffs.
    posts = [json.loads(hit.body) for hit in receivers.requests_for(SLACK_PATH)]
    assert posts
    slack = json.dumps([p["blocks"] for p in posts], ensure_ascii=False)
    want = expected_urls(events, categories={"tariff"}, sources={"federal_register"},
                         instruments={"section_232"})
    assert len(want) >= 3
    assert links(slack, origins) == set().union(*want.values())

    # The webhook: signed, and the events naming TSMC.
    [hit] = receivers.requests_for(HOOK_PATH)
    signature = hit.headers["X-Chipwatch-Signature"]
    assert signature == "sha256=" + hmac.new(SECRET.encode(), hit.body,
                                             hashlib.sha256).hexdigest()
    assert hit.headers["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(hit.body)
    assert body["chipwatch"] == 1 and body["type"] == "digest"
    assert hit.headers["X-Chipwatch-Digest"] == body["digest_id"]
    want = expected_urls(events, categories={"investment_pressure", "export_control",
                                             "alliance", "tariff"}, actors={"TSMC"})
    assert {e["event_id"] for e in body["events"]} == set(want)
    for event in body["events"]:
        assert {d["url"] for d in event["documents"]} == want[event["event_id"]]
        assert event["tags"] and event["evidence"]["sentence"]
        assert event["title_other"]  # TSMC's English and Chinese editions
    assert any("us_fab_pledges" in json.dumps(e["facts"]) or e["facts"]["instruments"]
               for e in body["events"])

    # Each channel's outbox rows are its own; status shows every channel.
    rows = {r["channel"]: r for r in db.query("select channel, status from outbox")}
    assert {name: r["status"] for name, r in rows.items()} == {
        "exports": "sent", "investment": "sent", "slack": "sent", "partners": "sent"}
    status = chipwatch("status", "--config", str(config_path), env=env)
    assert status.returncode == 0, status.stderr
    channels = status.stdout[status.stdout.index("alert channels:"):]
    for name, kind, schedule in (("exports", "email", "after each cycle"),
                                 ("investment", "email", "after each cycle"),
                                 ("slack", "slack", "after each cycle"),
                                 ("partners", "webhook", "after each cycle")):
        assert re.search(rf"^  {name} +{kind} +{schedule} .* 1 +0 +0 +\d{{4}}-", channels,
                         re.M), channels
    db.close()


def test_a_weekly_channel_sends_once_a_week(db_path, tmp_path):
    db = open_db(db_path)
    add_document(db, "bis:one", title="Entity List additions for one week",
                 tags=[("export_control", 8.0, "Adds entities to the Entity List.",
                        "Entity List")])
    db.close()
    cfg = parse({"store": {"path": str(db_path)},
                 "alerts": {"weekly": {"kind": "file", "directory": str(tmp_path / "out"),
                                       "weekly_on": "monday", "daily_at": "09:00",
                                       "timezone": "Asia/Taipei"}}},
                tmp_path / "config.toml")
    clock = {"now": datetime(2026, 11, 29, 16, 30, tzinfo=timezone.utc)}  # Monday 00:30 Taipei
    daemon = Daemon(cfg, db_path, clock=lambda: clock["now"], deliver=daemon_delivery)

    def sent() -> list[str]:
        check = open_db(db_path)
        try:
            return [r["id"] for r in check.query("select id from outbox where status = 'sent' "
                                                 "order by id")]
        finally:
            check.close()

    daemon.deliver_job()
    assert sent() == []
    clock["now"] = datetime(2026, 11, 30, 0, 59, tzinfo=timezone.utc)  # Monday 08:59 Taipei
    daemon.deliver_job()
    assert sent() == []
    clock["now"] = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 Taipei
    daemon.deliver_job()
    assert sent() == ["weekly:weekly:2026-11-30"]
    files = sorted(p.name for p in (tmp_path / "out").glob("*.txt"))
    assert files == ["chipwatch-weekly-weekly-2026-11-30.txt"]
    assert "chipwatch weekly digest, week of 30 November 2026" in \
        (tmp_path / "out" / files[0]).read_text(encoding="utf-8")

    db = open_db(db_path)
    add_document(db, "bis:two", title="A second rule, found on Wednesday",
                 tags=[("export_control", 7.0, "Revises the Entity List.", "Entity List")])
    db.close()
    for hours in range(6, 24 * 7 + 6, 6):  # to next Monday 09:00, every six hours
        clock["now"] = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc) + timedelta(hours=hours)
        daemon.deliver_job()
    assert sent() == ["weekly:weekly:2026-11-30", "weekly:weekly:2026-12-07"]
    second = (tmp_path / "out" / "chipwatch-weekly-weekly-2026-12-07.txt").read_text(
        encoding="utf-8")
    assert "A second rule, found on Wednesday" in second
    assert "Entity List additions for one week" not in second  # sent last week


@pytest.mark.parametrize("table, said", [
    ('[alerts.desk]\nto = ["a@example.org"]',
     "[alerts.desk] kind: missing; a channel not named after its kind says which it is: "
     "kind = one of ['email', 'slack', 'webhook', 'file', 'stdout']"),
    ('[alerts.desk]\nkind = "sms"',
     "[alerts.desk] kind: 'sms' is not a kind of channel; choose one of"),
    ('[alerts.email]\nkind = "slack"\nwebhook_url_env = "X"',
     "[alerts.email] kind: a table named after a kind is that kind ('email')"),
    ('[alerts."Desk:1"]\nkind = "stdout"',
     "[alerts.Desk:1]: a channel's name is lower-case letters, digits, _ and -"),
    ('[alerts.hook]\nkind = "webhook"\nsecret_env = "S"',
     "[alerts.hook]: give the address to POST to as url"),
    ('[alerts.desk]\nkind = "slack"\nwebhook_url_env = "X"\ninstrument = ["entity_list"]\n'
     'actors = ["Nobody Inc"]\nkeywords = [" "]\nweekly_on = "someday"',
     "[alerts.desk] instrument: unknown key; did you mean 'instruments'?"),
])
def test_a_bad_channel_is_refused_naming_the_table_and_key(tmp_path, table, said):
    path = tmp_path / "config.toml"
    path.write_text(table + "\n", encoding="utf-8")
    result = chipwatch("status", "--config", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr
    if "someday" in table:  # every mistake of the table is named at once
        assert "[alerts.desk] actors[0]: 'Nobody Inc' is not an actor of vocab/actors.toml" \
            in result.stderr
        assert "[alerts.desk] keywords[0]: a keyword cannot be empty" in result.stderr
        assert "[alerts.desk] weekly_on: 'someday' is not a day of the week" in result.stderr
