"""A small store of real Federal Register documents (US government works, public domain,
from tests/fixtures/federal_register) with tags, events, crawl runs and evidence, for the
browsing tests and the README screenshot. The tags are given by document number here, not by the
classifier: they are what the titles say, so that every view has something to show.

    python -m tests.browse_demo PATH   # write the demo store to PATH (real publication dates)
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from store import open_db
from store.documents import upsert_documents
from store.runs import finish_run, start_run
from store.tags import set_tags
from tracker.events import link_pending

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "federal_register"
FILES = ("federalregister_bis_results_2026_trimmed.json",
         "federalregister_documents_2026_cursor_trimmed.json",
         "federalregister_documents_sample.json")
VERSION = "demo-1"
STORED = "2026-10-02T12:00:00+00:00"  # when the Federal Register documents were first seen

# document number -> (category, score, the matched words)
TAGS = {
    "2026-17231": [("export_control", 3.0, "Entity List")],
    "2026-17230": [("export_control", 2.5, "Entity List")],
    "2026-16628": [("export_control", 2.0, "Export Controls")],
    "C1-2026-16628": [("export_control", 2.0, "Export Controls")],
    "2026-19927": [("export_control", 1.5, "Denial of Export Privileges")],
    "2026-19537": [("tariff", 2.0, "Proclamation 11052")],
    "2023-28996": [("tariff", 2.5, "Adjusting Imports of Steel")],
    "2024-00086": [("tariff", 3.0, "less than normal value"), ("export_control", 0.5, "exporters")],
    "2024-00227": [("tariff", 1.5, "Tariff Rate Quota")],
}
# Tags whose subject is neither chips nor Taiwan (steel, an Australian quota): relevance
# "wider"; every other tag is "core".
WIDER = {"2023-28996", "2024-00227"}


def fr_documents() -> list[dict]:
    docs = []
    for name in FILES:
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        for item in data if isinstance(data, list) else data["results"]:
            number = item["document_number"]
            original = re.sub(r"^C\d+-", "", number)  # a correction joins its document
            docs.append({
                "id": f"federal_register:{number}", "source": "federal_register",
                "external_id": number, "lang": "en", "url": item["html_url"],
                "title": item["title"], "text": item.get("abstract") or item["title"],
                "summary": item.get("abstract"), "published": item["publication_date"],
                "date_precision": "day", "timezone": "America/New_York",
                "doc_type": (item.get("type") or "").upper(),
                "group_key": f"federal_register:{original}",
                "metadata": {"type": item.get("type"),
                             **({"correction_of": original} if original != number else {})},
            })
    return docs


def shifted(docs: list[dict], newest: date) -> list[dict]:
    """The same documents moved in time so that the newest is published on `newest`."""
    latest = max(date.fromisoformat(d["published"][:10]) for d in docs)
    delta = newest - latest
    return [{**d, "published": (date.fromisoformat(d["published"][:10]) + delta).isoformat()}
            for d in docs]


def evidence_for(doc: dict, match: str) -> list[dict]:
    text = doc["text"]
    sentences = re.split(r"(?<=[a-z)]\.)\s+(?=[A-Z])", text)
    sentence = next((s.strip() for s in sentences if match.lower() in s.lower()), doc["title"])
    return [{"sentence": sentence, "match": match}]


def tag_documents(db, docs: list[dict], tags: dict | None = None) -> None:
    tags = TAGS if tags is None else tags
    for doc in docs:
        found = tags.get(doc["external_id"], [])
        set_tags(db, doc["id"], [
            {"category": cat, "score": score, "evidence": evidence_for(doc, match),
             "relevance": "wider" if doc["external_id"] in WIDER else "core"}
            for cat, score, match in found], VERSION, now="2026-10-02T12:00:00+00:00")


def add_runs(db) -> None:
    run = start_run(db, "federal_register", now="2026-10-01T06:00:00+00:00")
    finish_run(db, run, status="ok", finish_reason="finished", pages_fetched=3,
               bytes_received=120_000, documents_seen=15, documents_new=15,
               now="2026-10-01T06:01:00+00:00")
    for day in ("2026-09-30", "2026-10-01"):
        run = start_run(db, "bis", now=f"{day}T06:00:00+00:00")
        finish_run(db, run, status="failed", finish_reason="finished",
                   errors=["bis: the press-release listing yielded no items; the page layout "
                           "may have changed"], now=f"{day}T06:00:30+00:00")


def build(path: Path | str, *, newest: date | None = None, extra: list[dict] | None = None,
          extra_tags: dict | None = None):
    """Write the demo store at `path`; with `newest`, dates move so the newest is that day.
    The Federal Register documents were first seen on 2026-10-02, the `extra` ones an hour
    ago (this week's, as "this week" counts: store/week.py)."""
    db = open_db(path)
    docs = fr_documents()
    if newest is not None:
        docs = shifted(docs, newest)
    upsert_documents(db, docs, now=STORED)
    recently = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0)
    upsert_documents(db, extra or [], now=recently.isoformat())
    docs += extra or []
    tag_documents(db, docs, {**TAGS, **(extra_tags or {})})
    link_pending(db, now="2026-10-02T12:00:00+00:00")  # events, as the cycle links them
    add_runs(db)
    return db


def synthetic(doc_id, source, lang, title, text, published, url=None):
    """A made-up document (neutral filler written for the tests, no source's real text)."""
    return {"id": f"{source}:{doc_id}", "source": source, "external_id": doc_id, "lang": lang,
            "url": url or f"http://127.0.0.1/test/{doc_id}", "title": title, "text": text,
            "published": published, "date_precision": "day", "timezone": "Asia/Taipei"}


def synthetic_documents(published: str) -> list[dict]:
    """Chinese (both scripts) and other made-up documents, all published on `published`."""
    return [
        synthetic("zh-1", "tsmc", "zh-Hant", "測試新聞稿一",
                  "公司今日說明營運概況。美國商務部宣布新的出口管制措施，公司正在評估影響。",
                  published),
        synthetic("zh-2", "trendforce", "zh-Hans", "测试报告二",
                  "报告指出，关税调整将影响明年的出货。", published),
        synthetic("zh-3", "trendforce", "zh-Hant", "測試報告三",
                  "本報告說明關稅調整後的價格走勢。", published),
        synthetic("en-1", "commerce", "en", "Test release: incentives award for a new fab",
                  "The award supports construction of a leading-edge fab in Arizona.", published),
        synthetic("en-2", "commerce", "en", "Test release: cooperation framework",
                  "The partners signed a memorandum of understanding on supply-chain "
                  "resilience.", published),
    ]


SYNTHETIC_TAGS = {
    "zh-1": [("export_control", 2.0, "出口管制")],
    "zh-2": [("tariff", 2.0, "关税")],
    "zh-3": [("tariff", 1.0, "關稅")],
    "en-1": [("investment_pressure", 2.5, "leading-edge fab")],
    "en-2": [("alliance", 2.0, "memorandum of understanding")],
}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.browse_demo PATH")
    build(sys.argv[1]).close()
    print(f"demo store written to {sys.argv[1]}")
