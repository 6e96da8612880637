"""Digests by event: one entry per event with its documents in a compact list; an update when
an event already sent gains a document, saying what is new and repeating nothing; events of
wider relevance in a short section at the end, or left out; in text, HTML and Slack."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from alerts.html import render_html
from alerts.service import build, deliver_due
from alerts.slack import render_slack
from alerts.text import render_text
from store.tags import set_tags
from tests.events_data import fr, release, store
from tracker.config import parse
from tracker.events import link_pending

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
CONFIG = Path("/tmp/config.toml")
BIS = release("bis", "commerce-strengthens-restrictions-advanced-computing")
COMMERCE = release("commerce", "commerce-strengthens-restrictions-advanced-computing")


def tag(db, doc_id: str, category: str, relevance: str = "core", score: float = 5.0,
        sentence: str = "The rules update the export controls on advanced chips.") -> None:
    set_tags(db, doc_id, [{"category": category, "score": score, "relevance": relevance,
                           "evidence": [{"sentence": sentence, "match": "export controls"}]}],
             "test-1")


def config(tmp_path, **channel):
    return parse({"alerts": {"file": {"directory": str(tmp_path / "out"), "daily_at": "",
                                      **channel}}}, CONFIG)


def digest_of(cfg, db, now=NOW):
    name, channel = "file", cfg.channel("file")
    return build(cfg, db, name, channel, now, kind="cycle", period="p")


def test_one_entry_per_event_with_its_documents_in_a_compact_list(db, tmp_path):
    store(db, BIS, COMMERCE, fr("2023-23048"))
    for doc_id in (BIS["id"], COMMERCE["id"]):
        tag(db, doc_id, "export_control")
    link_pending(db)
    digest = digest_of(config(tmp_path), db)
    [entry] = digest.entries
    assert entry.title == BIS["title"] and not entry.update
    assert entry.compact == "BIS · Commerce · Federal Register 2023-23048"
    assert sorted(digest.document_ids) == sorted([BIS["id"], COMMERCE["id"],
                                                  "federal_register:2023-23048"])
    assert digest.summary() == "1 event (3 documents): 1 export control"
    text = render_text(digest)
    assert "BIS · Commerce · Federal Register 2023-23048 | 2023-10-17 to 2023-10-19" in text
    assert "  - Federal Register 2023-23048: https://www.federalregister.gov/" in text
    html = render_html(digest)
    assert '>Federal Register 2023-23048</a>' in html and "UPDATE" not in html
    [message] = render_slack(digest)
    shown = "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
    assert "|BIS> · <" in shown and "|Federal Register 2023-23048>" in shown


def test_an_event_that_gains_a_document_is_an_update_that_repeats_nothing(db, tmp_path):
    cfg = config(tmp_path)
    store(db, BIS)
    tag(db, BIS["id"], "export_control")
    link_pending(db)
    first = deliver_due(cfg, db, NOW)
    assert [m.events for m in first.made] == [1]
    store(db, COMMERCE, fr("2023-23048"))  # untagged: the event's tag carries it
    link_pending(db)
    second = deliver_due(cfg, db, NOW + timedelta(hours=1))
    [made] = second.made
    [entry] = made.digest.entries
    assert entry.update and entry.category == "export_control"
    assert [i.document_id for i in entry.items] == [COMMERCE["id"],
                                                    "federal_register:2023-23048"]
    assert [i.document_id for i in entry.earlier] == [BIS["id"]]
    assert entry.news == ["Commerce: press release", "Federal Register: rule published"]
    assert made.digest.summary() == "1 event (2 documents, 1 update): 1 export control"
    text = made.payload["text"]
    assert "* UPDATE: Commerce Strengthens" in text
    assert "New: Commerce: press release; Federal Register: rule published" in text
    assert "Sent before: BIS" in text and BIS["url"] not in text
    assert "UPDATE</span>" in made.payload["html"] and "sent before: BIS" in made.payload["html"]
    [message] = render_slack(made.digest)
    block = next(b["text"]["text"] for b in message["blocks"]
                 if b["type"] == "section" and "Update:" in b["text"]["text"])
    assert block.startswith(":arrows_counterclockwise: *Update:* *<")
    assert "New: Commerce: press release; Federal Register: rule published (sent before: " \
        "BIS)" in block and BIS["url"] not in block
    third = deliver_due(cfg, db, NOW + timedelta(hours=2))
    assert [m.status for m in third.made] == ["empty"]  # nothing is sent twice


def test_wider_events_come_last_in_a_short_section_or_not_at_all(db, tmp_path):
    store(db, BIS, fr("2026-17230"), fr("2025-04061"))
    tag(db, BIS["id"], "export_control")
    tag(db, "federal_register:2026-17230", "export_control", relevance="wider", score=9.0)
    tag(db, "federal_register:2025-04061", "tariff", relevance="wider",
        sentence="An investigation of imports of copper.")
    link_pending(db)
    digest = digest_of(config(tmp_path), db)
    assert [e.document_id for e in digest.entries] == [
        BIS["id"], "federal_register:2026-17230", "federal_register:2025-04061"]
    assert [s.category for s in digest.sections] == ["export_control"]
    assert [e.relevance for e in digest.wider] == ["wider", "wider"]
    assert digest.summary().endswith("1 export control; 2 of wider relevance")
    text = render_text(digest)
    assert text.index("Export controls (1)") < text.index("Of wider relevance (2)")
    wider_part = text[text.index("Of wider relevance"):]
    assert "Removal From the Entity List (Federal Register 2026-17230, 2026-08-24, export " \
        "controls)" in " ".join(wider_part.split())
    assert "\u201c" not in wider_part  # short: no evidence quoted
    assert "Of wider relevance" in render_html(digest)
    [message] = render_slack(digest)
    assert any("Of wider relevance" in b["text"]["text"] for b in message["blocks"]
               if b["type"] == "section")
    narrow = digest_of(config(tmp_path, include_wider=False), db)
    assert narrow.wider == [] and [e.document_id for e in narrow.entries] == [BIS["id"]]


def test_a_channel_filter_applies_to_the_documents_of_an_event(db, tmp_path):
    store(db, BIS, COMMERCE)
    tag(db, BIS["id"], "export_control")
    link_pending(db)
    only_commerce = digest_of(config(tmp_path, sources=["commerce"]), db)
    [entry] = only_commerce.entries
    assert [i.source for i in entry.items] == ["commerce"]
    assert entry.category == "export_control"  # the event's tag, from the other copy
    others = digest_of(config(tmp_path, categories=["tariff"]), db)
    assert others.empty


def test_a_channel_listing_only_chinese_reads_the_chinese_title(db, tmp_path):
    from tests.events_data import written

    docs = [written(f"tsmc:9201{suffix}", "tsmc", title, "Neutral text written for the test.",
                    "2026-06-01", lang=lang, group_key="tsmc:9201")
            for suffix, lang, title in (("", "en", "Test story on a fab"),
                                        (":zh-Hant", "zh-Hant", "測試新聞：晶圓廠"))]
    store(db, *docs)
    for doc in docs:
        tag(db, doc["id"], "investment_pressure")
    link_pending(db)
    [entry] = digest_of(config(tmp_path, languages=["zh-Hant"]), db).entries
    assert entry.title == "測試新聞：晶圓廠" and entry.compact == "TSMC 中文"
    [entry] = digest_of(config(tmp_path), db).entries
    assert entry.title == "Test story on a fab" and entry.compact == "TSMC · TSMC 中文"
