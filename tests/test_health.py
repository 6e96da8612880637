"""Source health from run records, with an injected clock."""

from datetime import datetime, timedelta, timezone

from store.documents import upsert_documents
from store.runs import finish_run, start_run
from tests.conftest import write_config
from tracker import config as config_module
from tracker import health

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)


def ts(dt):
    return dt.isoformat()


def config(tmp_path):
    return config_module.load(write_config(tmp_path, {
        "bis": {"base_url": "http://127.0.0.1:1", "stale_after_days": 5}}))


def crawl(db, when, ok=True, new_docs=0, errors=None):
    run = start_run(db, "bis", now=ts(when))
    docs = [{"id": f"bis:{when.isoformat()}:{i}", "source": "bis", "external_id": f"{when}{i}",
             "lang": "en", "url": f"https://www.bis.gov/press-release/{when:%s}-{i}",
             "title": "A release", "published": when.date().isoformat()} for i in range(new_docs)]
    counts = upsert_documents(db, docs, now=ts(when))
    finish_run(db, run, status="ok" if ok else "failed", finish_reason="finished",
               pages_fetched=1, documents_seen=counts.seen, documents_new=counts.new,
               errors=errors or [], now=ts(when))


def states(cfg, db, when):
    return {s: health.assess(cfg, db, s, when).health for s in ("bis", "tsmc")}


def test_states_follow_the_runs(tmp_path, db):
    cfg = config(tmp_path)
    assert states(cfg, db, T0) == {"bis": "quiet", "tsmc": "disabled"}
    crawl(db, T0, new_docs=2)
    assert health.assess(cfg, db, "bis", T0).health == "ok"
    crawl(db, T0 + timedelta(days=1))
    assert health.assess(cfg, db, "bis", T0 + timedelta(days=1)).health == "quiet"
    crawl(db, T0 + timedelta(days=6))
    verdict = health.assess(cfg, db, "bis", T0 + timedelta(days=6))
    assert verdict.health == "stale" and "within 5 days" in verdict.detail
    crawl(db, T0 + timedelta(days=7), ok=False, errors=["bis: listing x matched no items"])
    verdict = health.assess(cfg, db, "bis", T0 + timedelta(days=7))
    assert verdict.health == "broken" and "matched no items" in verdict.detail


def test_only_changes_into_and_out_of_trouble_are_announced_once(tmp_path, db):
    cfg = config(tmp_path)
    crawl(db, T0, new_docs=1)
    assert health.update(cfg, db, T0) == []  # first verdicts: ok, disabled
    crawl(db, T0 + timedelta(hours=6))  # ok -> quiet: not worth a message
    assert health.update(cfg, db, T0 + timedelta(hours=6)) == []
    crawl(db, T0 + timedelta(hours=12), ok=False, errors=["bis: HTTP 403"])
    [broke] = health.update(cfg, db, T0 + timedelta(hours=12))
    assert (broke.before, broke.after) == ("quiet", "broken")
    assert broke.message() == "bis is broken: bis: HTTP 403"
    for hours in (18, 24, 30):  # still failing: no daily repeat
        crawl(db, T0 + timedelta(hours=hours), ok=False, errors=["bis: HTTP 403"])
        assert health.update(cfg, db, T0 + timedelta(hours=hours)) == []
    crawl(db, T0 + timedelta(hours=36), new_docs=1)
    [recovered] = health.update(cfg, db, T0 + timedelta(hours=36))
    assert (recovered.before, recovered.after) == ("broken", "ok")
    assert "recovered" in recovered.message()


def notices(cfg, db, when):
    """What the daemon would announce now; each is recorded as announced, as it does."""
    due = health.notices_due(cfg, db, when)
    for transition in due:
        health.announced(db, transition, when)
    return [(t.before, t.after) for t in due]


def config_with_interval(tmp_path, interval: str):
    return config_module.load(write_config(tmp_path, {
        "bis": {"base_url": "http://127.0.0.1:1", "stale_after_days": 5}},
        extra=f'[daemon]\nhealth_notice_interval = "{interval}"\n'))


def test_a_flapping_source_gets_one_notice_per_interval_and_its_settled_state(tmp_path, db):
    cfg = config_with_interval(tmp_path, "1h")
    when = T0
    crawl(db, when, new_docs=1)
    health.update(cfg, db, when)
    assert notices(cfg, db, when) == []  # fine, and nothing said before: nothing to say
    # broken, ok, broken, ok... every five minutes for 50 minutes
    said = []
    for step in range(10):
        when = T0 + timedelta(minutes=5 * (step + 1))
        crawl(db, when, ok=step % 2 == 1, new_docs=1 if step % 2 else 0,
              errors=None if step % 2 else ["bis: HTTP 503"])
        health.update(cfg, db, when)
        said += notices(cfg, db, when)
    assert said == [("ok", "broken")]  # the first break, once
    # It settles: recovered since the last step. Nothing until the hour has passed...
    assert notices(cfg, db, T0 + timedelta(minutes=59)) == []
    # ...then the state it settled in, once.
    assert notices(cfg, db, T0 + timedelta(minutes=66)) == [("broken", "ok")]
    assert notices(cfg, db, T0 + timedelta(hours=5)) == []


def test_a_break_that_heals_inside_the_interval_is_not_announced_twice(tmp_path, db):
    cfg = config_with_interval(tmp_path, "6h")
    crawl(db, T0, new_docs=1)
    health.update(cfg, db, T0)
    crawl(db, T0 + timedelta(hours=1), ok=False, errors=["bis: HTTP 403"])
    health.update(cfg, db, T0 + timedelta(hours=1))
    assert notices(cfg, db, T0 + timedelta(hours=1)) == [("ok", "broken")]
    crawl(db, T0 + timedelta(hours=2), ok=False, errors=["bis: HTTP 403"])
    health.update(cfg, db, T0 + timedelta(hours=2))
    assert notices(cfg, db, T0 + timedelta(hours=2)) == []  # still broken: said already
    crawl(db, T0 + timedelta(hours=3), new_docs=1)
    health.update(cfg, db, T0 + timedelta(hours=3))
    assert notices(cfg, db, T0 + timedelta(hours=3)) == []  # healed, but too soon
    crawl(db, T0 + timedelta(hours=4), ok=False, errors=["bis: HTTP 403"])
    health.update(cfg, db, T0 + timedelta(hours=4))
    assert notices(cfg, db, T0 + timedelta(hours=8)) == []  # broken again: as announced
    crawl(db, T0 + timedelta(hours=9), new_docs=1)
    health.update(cfg, db, T0 + timedelta(hours=9))
    assert notices(cfg, db, T0 + timedelta(hours=9)) == [("broken", "ok")]


def test_a_disabled_source_is_never_announced(tmp_path, db):
    cfg = config_with_interval(tmp_path, "1m")
    health.update(cfg, db, T0)
    assert notices(cfg, db, T0 + timedelta(days=1)) == []  # tsmc: disabled, bis: quiet
