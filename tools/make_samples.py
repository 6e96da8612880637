"""Render docs/digest-sample.{html,txt} and docs/slack-sample.json from real documents.

Reads the US government items (public domain) of ../shared/eval/dev.jsonl published since
2024, stores them in a temporary database, tags them with chipwatch's own classifier (the
shipped rules, as a cycle would), then renders the daily digest as the file, email and Slack
channels would.

    .venv/bin/python tools/make_samples.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from alerts.html import render_html
from alerts.service import build
from alerts.slack import render_slack
from alerts.text import render_text
from store import open_db
from store import runs as run_store
from store.documents import upsert_documents
from tracker.classify import build_classifier
from tracker.classify.apply import tag_documents
from tracker.config import parse

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
US_GOVERNMENT = {"federal_register", "commerce", "bis", "whitehouse", "ustr"}
def main() -> int:
    if not DEV.exists():
        print(f"{DEV} not found", file=sys.stderr)
        return 1
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    items = [i for i in items if i["source"] in US_GOVERNMENT and i["date"][:4] >= "2024"]
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "sample.db")
        upsert_documents(db, [{
            "id": f"{i['source']}:{i['id']}", "source": i["source"], "external_id": i["id"],
            "lang": i["lang"], "url": i["url"], "title": i["title"], "text": i["text"],
            "published": i["date"], "metadata": {}} for i in items])
        tag_documents(db, build_classifier(), [f"{i['source']}:{i['id']}" for i in items])
        # One failed crawl, so the sample shows the broken-sources section.
        run = run_store.start_run(db, "bis", now="2026-03-01T13:00:00+00:00")
        run_store.finish_run(db, run, status="failed", finish_reason="finished",
                             now="2026-03-01T13:00:40+00:00",
                             errors=["bis: the press-release listing yielded no items; "
                                     "the page no longer matches the expected markup"])
        config = parse({"alerts": {"email": {
            "smtp_host": "smtp.example.org", "from": "chipwatch@example.org",
            "to": ["analyst@example.org"], "timezone": "America/New_York"}}},
            ROOT / "config.toml")
        channel = config.channel("email")
        now = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
        digest = build(config, db, "email", channel, now, kind="daily", period="2026-03-02")
        db.close()
    (DOCS / "digest-sample.txt").write_text(render_text(digest), encoding="utf-8")
    (DOCS / "digest-sample.html").write_text(render_html(digest), encoding="utf-8")
    messages = render_slack(digest)
    (DOCS / "slack-sample.json").write_text(
        json.dumps(messages, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(digest.entries)} documents; {digest.summary()}; Slack: {len(messages)} "
          f"messages of {[len(m['blocks']) for m in messages]} blocks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
