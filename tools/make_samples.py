"""Render docs/digest-sample.{html,txt}, docs/slack-sample.json and docs/webhook-sample.json
(with its first event in docs/webhook.md) from real documents.

Reads the US government items (public domain) of ../shared/eval/dev.jsonl published since
2024, and BIS's release of 17 October 2023 with the three rules it announced, stores them in
a temporary database as two daily cycles would (the release the day before, with a digest
that sends it; the rest on the day), tags them with chipwatch's own classifier (the shipped
rules) and links them into events, then renders the day's digest as the file, email and
Slack channels would: the release comes back as an update, with its rules.

    .venv/bin/python tools/make_samples.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from alerts.html import render_html
from alerts.service import build, make
from alerts.slack import render_slack
from alerts.text import render_text
from alerts.webhook import render_body
from store import open_db
from store import runs as run_store
from store.documents import upsert_documents
from tracker.classify import build_classifier
from tracker.classify.apply import tag_documents
from tracker.config import parse
from tracker.events import link_pending

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not part of the installed package
    sys.path.insert(0, str(ROOT))

from bench.devsplit import shared_dir  # noqa: E402
from bench.events import dev_document  # noqa: E402

DOCS = ROOT / "docs"
US_GOVERNMENT = {"federal_register", "commerce", "bis", "whitehouse", "ustr"}
# Sent in an earlier digest: BIS's release of 17 October 2023. Its rules, published in the
# Federal Register on the 19th and the 25th, arrive with the sample's documents and make the
# sample's update entry.
EARLIER = {"ev0133"}
RULES = {"ev0135", "ev0136", "ev0137"}


def main() -> int:
    dev = shared_dir() / "eval" / "dev.jsonl"
    if not dev.exists():
        print(f"{dev} not found", file=sys.stderr)
        return 1
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()]
    items = [i for i in items if i["source"] in US_GOVERNMENT and
             (i["date"][:4] >= "2024" or i["id"] in EARLIER | RULES)]
    earlier = [dev_document(i) for i in items if i["id"] in EARLIER]
    later = [dev_document(i) for i in items if i["id"] not in EARLIER]
    classifier = build_classifier()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "sample.db")
        config = parse({"alerts": {"email": {
            "smtp_host": "smtp.example.org", "from": "chipwatch@example.org",
            "to": ["analyst@example.org"], "timezone": "America/New_York"}}},
            ROOT / "config.toml")
        channel = config.channel("email")
        for docs, day in ((earlier, 1), (later, 2)):  # a cycle a day, as the daemon runs
            upsert_documents(db, docs)
            tag_documents(db, classifier, [d["id"] for d in docs])
            link_pending(db)
            if day == 1:  # the earlier digest marks what it sent
                make(config, db, "email", channel,
                     datetime(2026, 3, 1, 13, 0, tzinfo=timezone.utc), kind="daily",
                     period="2026-03-01")
        # One failed crawl, so the sample shows the broken-sources section.
        run = run_store.start_run(db, "bis", now="2026-03-01T13:00:00+00:00")
        run_store.finish_run(db, run, status="failed", finish_reason="finished",
                             now="2026-03-01T13:00:40+00:00",
                             errors=["bis: the press-release listing yielded no items; "
                                     "the page no longer matches the expected markup"])
        now = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
        digest = build(config, db, "email", channel, now, kind="daily", period="2026-03-02")
        db.close()
    (DOCS / "digest-sample.txt").write_text(render_text(digest), encoding="utf-8")
    (DOCS / "digest-sample.html").write_text(render_html(digest), encoding="utf-8")
    messages = render_slack(digest)
    (DOCS / "slack-sample.json").write_text(
        json.dumps(messages, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    body = json.loads(render_body("partners:daily:2026-03-02",
                                  replace(digest, channel="partners"),
                                  browse_url=config.browse_url))
    (DOCS / "webhook-sample.json").write_text(
        json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _excerpt_into(DOCS / "webhook.md", body)
    print(f"{len(digest.entries)} entries; {digest.summary()}; Slack: {len(messages)} "
          f"messages of {[len(m['blocks']) for m in messages]} blocks")
    return 0


def _excerpt_into(page: Path, body: dict) -> None:
    """The sample body with its first event only, between the page's sample markers."""
    shown = {**body, "events": body["events"][:1]}
    block = ("<!-- sample: tools/make_samples.py -->\n```json\n"
             + json.dumps(shown, ensure_ascii=False, indent=1) + "\n```\n<!-- /sample -->")
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"<!-- sample: tools/make_samples.py -->.*?<!-- /sample -->",
                           lambda _: block, text, flags=re.S), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
