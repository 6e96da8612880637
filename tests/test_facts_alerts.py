"""Facts in digests: each entry's instruments, amount and rate; the deadlines section fed by
the Federal Register's own fields (real API results through the real spider's parser); and
reminders before a deadline, once per deadline and channel, through the outbox, from the
cycle and from the daemon's delivery job with an injected clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.facts import format_amount, shown_facts
from alerts.service import deliver_due
from alerts.slack import render_slack
from crawler.spiders.federal_register import document_from_result
from store import outbox
from store.documents import upsert_documents
from tests.alerting import Recorder, free_port, smtp_server
from tests.conftest import FIXTURES
from tracker.classify import DEFAULT_RULES, Classifier, load_rules
from tracker.classify.apply import tag_documents
from tracker.config import parse
from tracker.daemon import Daemon
from tracker.delivery import deliver_due as daemon_delivery
from vocab.categories import read_categories

KNOWN = read_categories(DEFAULT_RULES)
EVERYTHING = ["investment_pressure", "export_control", "alliance", "tariff", "none"]
# 2024-00086, an ITA antidumping notice on steel from Taiwan: "Applicable January 8, 2024."
BEFORE_IT = datetime(2024, 1, 5, 15, 0, tzinfo=timezone.utc)


def real_results() -> list[dict]:
    path = FIXTURES / "federal_register" / "federalregister_documents_sample.json"
    return json.loads(path.read_text(encoding="utf-8"))["results"]


def seed(db) -> list[str]:
    docs = [document_from_result(r) for r in real_results()]
    docs.append({  # written for this test
        "id": "commerce:award", "source": "commerce", "external_id": "award", "lang": "en",
        "url": "https://www.commerce.gov/news/award", "published": "2024-01-04",
        "title": "Commerce announces US$6.6 billion CHIPS award to TSMC Arizona",
        "text": "The award of up to US$6.6 billion in direct funding supports three fabs. "
                "Imports of the same chips face a 25 percent tariff under Section 232.",
        "metadata": {}})
    upsert_documents(db, docs)
    ids = [d["id"] for d in docs]
    tag_documents(db, Classifier(load_rules()), ids)
    return ids


def config(tmp_path, channel: str = "file", **table):
    base = {"categories": EVERYTHING, "daily_at": ""}
    if channel == "file":
        base["directory"] = str(tmp_path / "out")
    return parse({"alerts": {channel: {**base, **table}}}, Path(tmp_path / "config.toml"))


def made_text(report) -> str:
    return next(m.payload["text"] for m in report.made if m.payload)


def test_the_digest_lists_deadlines_from_the_federal_registers_fields(db, tmp_path):
    seed(db)
    report = deliver_due(config(tmp_path), db, BEFORE_IT)
    text = made_text(report)
    section = text[text.index("Deadlines in the next 14 days"):]
    assert "2024-01-08 (in 3 days): takes effect: Stainless Steel Sheet and Strip in" in section
    html = next(m.payload["html"] for m in report.made if m.payload)
    assert "Deadlines in the next 14 days" in html and "in 3 days" in html


def test_a_deadline_beyond_the_window_or_past_is_not_listed(db, tmp_path):
    seed(db)
    # The Maritime Commission's rule is effective_on 2024-02-01: 27 days after BEFORE_IT.
    text = made_text(deliver_due(config(tmp_path), db, BEFORE_IT))
    assert "2024-02-01" not in text
    wider = made_text(deliver_due(config(tmp_path, deadline_days=30, send_empty=True), db,
                                  BEFORE_IT + timedelta(minutes=1)))
    assert "2024-02-01 (in 27 days): takes effect" in wider
    later = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    none = made_text(deliver_due(config(tmp_path / "x", send_empty=True), db, later))
    assert "Deadlines in the next 14 days" in none
    assert "None among the stored documents this channel follows." in none


def test_a_channel_without_the_section(db, tmp_path):
    seed(db)
    text = made_text(deliver_due(config(tmp_path, deadline_days=0), db, BEFORE_IT))
    assert "Deadlines in the next" not in text


def test_the_channels_filter_applies_to_its_deadlines(db, tmp_path):
    seed(db)
    text = made_text(deliver_due(config(tmp_path, categories=["export_control"],
                                        send_empty=True), db, BEFORE_IT))
    assert "Stainless Steel" not in text  # a tariff notice, not this channel's


def test_an_entry_shows_its_instruments_amount_and_rate(db, tmp_path):
    seed(db)
    text = made_text(deliver_due(config(tmp_path), db, BEFORE_IT))
    entry = text[text.index("* Commerce announces US$6.6 billion"):]
    entry = entry[:entry.index("\n\n")]
    assert "CHIPS Act awards and funding" in entry
    assert "US$6.6 billion; rate 25%" in entry


def test_slack_blocks_carry_the_section_and_the_figures(db, tmp_path):
    from alerts.service import build

    seed(db)
    cfg = config(tmp_path)
    channel = cfg.channels()["file"]
    digest = build(cfg, db, "file", channel, BEFORE_IT, kind="cycle", period="x")
    blob = json.dumps(render_slack(digest), ensure_ascii=False)
    assert "Deadlines in the next 14 days" in blob and "*US$6.6 billion; rate 25%*" in blob


@pytest.mark.parametrize("value, currency, shown", [
    (6.6e9, "USD", "US$6.6 billion"), (1.2e12, "TWD", "NT$1.2 trillion"),
    (4.3e10, "EUR", "€43 billion"), (4.07e8, "USD", "US$407 million"),
    (4.745e9, "USD", "US$4.745 billion"), (50000, "TWD", "NT$50,000"),
    (7.32e11, "JPY", "¥732 billion"), (12.5, "KRW", "₩12.5")])
def test_amounts_are_shown_normalised(value, currency, shown):
    assert format_amount(value, currency) == shown


def test_a_chinese_amount_is_shown_normalised_with_the_sources_words():
    facts = {"instruments": ["us_fab_pledges"], "rates": [],
             "amounts": [{"value": 1.65e11, "currency": "USD", "text": "1650億美元"}]}
    shown = shown_facts(facts, KNOWN)
    assert shown.amounts == ["US$165 billion (1650億美元)"]
    assert shown.instruments == ["US fab investment pledges"]


def test_the_amount_in_the_quoted_sentence_comes_first():
    facts = {"amounts": [{"value": 1e9, "currency": "USD", "text": "$1 billion"},
                         {"value": 6.6e9, "currency": "USD", "text": "$6.6 billion"}]}
    assert shown_facts(facts, KNOWN, "An award of $6.6 billion.").amounts[0] == \
        "US$6.6 billion"


# -- reminders --------------------------------------------------------------------------------

def reminders(db) -> list[dict]:
    return list(db.query("select id, status, period from outbox where kind = 'reminder' "
                         "order by id"))


def test_a_reminder_is_sent_once_before_a_deadline(db, tmp_path):
    seed(db)
    cfg = config(tmp_path, remind_days=3)
    early = datetime(2024, 1, 4, 12, 0, tzinfo=timezone.utc)  # four days before
    deliver_due(cfg, db, early)
    assert reminders(db) == []
    report = deliver_due(cfg, db, BEFORE_IT)
    made = reminders(db)
    assert [r["period"] for r in made] == ["2024-01-08"]
    assert made[0]["id"] == "file:reminder:federal_register:2024-00086:effective:2024-01-08"
    assert made[0]["status"] == "sent"
    assert any("reminder" in line and "queued" in line for line in report.lines())
    files = sorted((tmp_path / "out").glob("*reminder*.txt"))
    assert len(files) == 1
    body = files[0].read_text(encoding="utf-8")
    assert "chipwatch reminder: takes effect in 3 days (2024-01-08)" in body
    assert "Stainless Steel Sheet and Strip in Coils From Taiwan" in body
    for later in (BEFORE_IT, datetime(2024, 1, 6, 12, 0, tzinfo=timezone.utc),
                  datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)):
        deliver_due(cfg, db, later)
    assert len(reminders(db)) == 1  # once per deadline and channel
    assert len(sorted((tmp_path / "out").glob("*reminder*.txt"))) == 1


def test_no_reminders_unless_asked(db, tmp_path):
    seed(db)
    deliver_due(config(tmp_path), db, BEFORE_IT)
    assert reminders(db) == []


def test_a_reminder_found_in_quiet_hours_waits_for_their_end(db, tmp_path):
    seed(db)
    cfg = config(tmp_path, remind_days=3, quiet_hours="14:00-18:00")
    deliver_due(cfg, db, BEFORE_IT)  # 15:00 UTC
    (row,) = reminders(db)
    assert row["status"] == "pending"
    assert outbox.get(db, row["id"])["next_attempt"] == "2024-01-05T18:00:00+00:00"


def test_the_daemons_delivery_job_sends_a_reminder_by_email_once(db_path, tmp_path):
    from store import open_db

    db = open_db(db_path)
    seed(db)
    db.close()
    handler = Recorder()
    port = free_port()
    smtp = smtp_server(handler, port)
    try:
        cfg = parse({"store": {"path": str(db_path)},
                     "alerts": {"email": {"smtp_host": "127.0.0.1", "smtp_port": port,
                                          "security": "none", "from": "chipwatch@example.org",
                                          "to": ["analyst@example.org"], "timeout": 5,
                                          "daily_at": "08:00", "remind_days": 3,
                                          "categories": EVERYTHING}}},
                    tmp_path / "config.toml")
        daemon = Daemon(cfg, db_path, clock=lambda: BEFORE_IT, deliver=daemon_delivery)
        daemon.deliver_job()
        daemon.deliver_job()
    finally:
        smtp.stop()
    subjects = [m["Subject"] for m in handler.messages]
    reminder = [s for s in subjects if "reminder" in s]
    assert reminder == ["[chipwatch] chipwatch reminder: takes effect in 3 days (2024-01-08): "
                        "Stainless Steel Sheet and Strip in Coils From Taiwan: Final Results "
                        "of Antidumping Duty Administrative Review and Final Determination of "
                        "No Shipments; 2021-2022"]
    message = next(m for m in handler.messages if "reminder" in m["Subject"])
    html = message.get_body(("html",)).get_content()
    assert 'href="https://www.federalregister.gov/documents/2024/01/08/2024-00086/' in html
