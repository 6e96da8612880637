"""A digest as Slack Block Kit messages, within Slack's limits: at most 50 blocks a message,
3000 characters a section text, 150 a header; a long digest becomes several messages, each
with a top-level `text` fallback. Scraped text is escaped (&, <, >), so `<!channel>` or a
`<url|label>` in a title arrives as text and pings no one."""

from __future__ import annotations

import json
import re

from vocab.links import is_web_url
from vocab.sources import source_title

from .digest import CHANGES_HEADING, NO_DEADLINES, WIDER_HEADING, WIDER_NOTE, Digest, Entry

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_CONTEXT = 2000
# A message's blocks together stay under this many characters (Slack refuses very large
# payloads; 12k keeps well clear).
MAX_MESSAGE_CHARS = 12000
MAX_TITLE = 300
MAX_EVIDENCE = 700


def escape(text: str) -> str:
    """Slack's own escaping for mrkdwn and plain text: &, < and > only."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link_url(url: str) -> str:
    return escape(url).replace("|", "%7C").replace(" ", "%20")


def _cut(text: str, limit: int) -> str:
    """Shorten already-escaped text to `limit` characters without splitting an entity."""
    if len(text) <= limit:
        return text
    cut = re.sub(r"&[a-z]*$", "", text[:limit - 1])
    return cut + "\u2026"


def _clip(raw: str, limit: int) -> str:
    return raw if len(raw) <= limit else raw[:limit - 1] + "\u2026"


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, MAX_CONTEXT)}]}


def _link(url: str, label: str) -> str:
    """A Slack link when the URL is a web link, else the (escaped) label alone."""
    if is_web_url(url):
        return f"<{_link_url(url)}|{label}>"
    return label


def entry_block(digest: Digest, entry: Entry) -> dict:
    title = escape(_clip(entry.title, MAX_TITLE))
    heading = f"*{_link(entry.url, title)}*"
    if entry.update:
        heading = f":arrows_counterclockwise: *Update:* {heading}"
    if entry.title_alt:
        heading += "\n" + escape(_clip(entry.title_alt, MAX_TITLE))
    listed = " · ".join(_link(item.url, escape(item.label)) for item in entry.items)
    meta = [entry.span]
    if entry.also:
        meta.append("also " + ", ".join(digest.category_title(c).lower() for c in entry.also))
    text = f"{heading}\n{listed} · {escape(' · '.join(meta))}"
    if entry.facts.instruments:
        text += "\n" + escape(" · ".join(entry.facts.instruments))
    if entry.facts.figures():
        text += f"\n*{escape(entry.facts.figures())}*"
    if entry.update:
        text += escape(f"\nNew: {'; '.join(entry.news)} (sent before: {entry.earlier_compact})")
    if entry.evidence:
        text += "\n>" + escape(_clip(entry.evidence, MAX_EVIDENCE)).replace("\n", " ")
    return section(text)


def wider_blocks(digest: Digest) -> list[dict]:
    """The short section of wider-relevance events: one line each, as many section blocks
    as Slack's 3000 characters need."""
    lines = [f"*{escape(WIDER_HEADING)}* ({len(digest.wider)}): {escape(WIDER_NOTE)}"]
    for entry in digest.wider:
        title = escape(_clip(entry.title, MAX_TITLE))
        lines.append(f"• {'Update: ' if entry.update else ''}{_link(entry.url, title)} "
                     + escape(f"({entry.compact}, {entry.span}, "
                              f"{digest.category_title(entry.category).lower()})"))
    blocks, current = [], ""
    for line in lines:
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    return blocks + [section(current)]


def fallback(digest: Digest) -> str:
    return escape(f"{digest.title}: {digest.summary()}")


def _body(digest: Digest) -> list[dict]:
    blocks: list[dict] = []
    if digest.omitted:
        blocks.append(section(f":scissors: {escape(digest.omitted_notice())}"
                              f"<{_link_url(digest.omitted.link)}|full list>"))
    if digest.undelivered:
        lines = [":warning: *Earlier digests of this channel could not be delivered:*"]
        for row in digest.undelivered:
            state = "failed" if row["status"] == "failed" else "still retrying"
            lines.append(escape(f"• {row['id']} ({row['document_count']} documents), {state}: "
                                f"{_clip(row['last_error'] or 'unknown error', 300)}"))
        lines.append("See `chipwatch outbox`; `chipwatch outbox retry` sends them again.")
        blocks.append(section("\n".join(lines)))
    if digest.empty:
        blocks.append(section("Nothing new matches this channel's filter."))
    if digest.deadline_days:
        lines = [f":calendar: *{escape(digest.deadlines_heading)}*"]
        if not digest.deadlines:
            lines.append(NO_DEADLINES)
        for item in digest.deadlines:
            title = escape(_clip(item.title, MAX_TITLE))
            link = (f"<{_link_url(item.url)}|{title}>"
                    if item.url.lower().startswith(("https://", "http://")) else title)
            lines.append(f"• *{item.date}* ({escape(item.when)}) · {escape(item.what)}: {link}")
        blocks.append(section("\n".join(lines)))
    for sec in digest.sections:
        blocks.append({"type": "divider"})
        blocks.append(section(f"*{escape(sec.name)}* ({len(sec.entries)})"))
        blocks += [entry_block(digest, entry) for entry in sec.entries]
    if digest.wider:
        blocks.append({"type": "divider"})
        blocks += wider_blocks(digest)
    if digest.changes:
        blocks.append({"type": "divider"})
        blocks.append(section(f"*{escape(CHANGES_HEADING)}* "
                              f"({len(digest.changes) + digest.changes_left_out})"))
        for change in digest.changes:
            text = (f"*{_link(change.url, escape(_clip(change.title, MAX_TITLE)))}*\n"
                    + escape(f"{change.label} · {change.what(digest.categories)}"))
            if change.lines:
                text += "\n```" + escape("\n".join(change.lines)) + "```"
            blocks.append(section(text))
    if digest.broken_sources:
        lines = [":rotating_light: *Broken sources*"]
        for row in digest.broken_sources:
            times = "once" if row["failures"] == 1 else f"{row['failures']} times in a row"
            lines.append(escape(f"• {source_title(row['source'])}: failed {times} since "
                                f"{row['since'][:16].replace('T', ' ')} UTC: "
                                f"{_clip(row['last_error'], 400)}"))
        blocks.append({"type": "divider"})
        blocks.append(section("\n".join(lines)))
    return blocks


def _size(block: dict) -> int:
    if block["type"] == "section":
        return len(block["text"]["text"])
    if block["type"] == "context":
        return sum(len(e["text"]) for e in block["elements"])
    return 0


def _bytes(block: dict) -> int:
    return len(json.dumps(block))  # as slack-sdk posts it (ASCII-escaped JSON)


def render_slack(digest: Digest, max_bytes: int | None = None) -> list[dict]:
    """The messages to post, in order: each {"text": fallback, "blocks": [...]}, each
    within Slack's limits and, given `max_bytes`, that many bytes of JSON."""
    head = [{"type": "header", "text": {"type": "plain_text", "emoji": False,
                                        "text": _clip(digest.title, MAX_HEADER)}}]
    if not digest.empty:
        counts = " · ".join(f"{digest.category_title(c)} *{n}*"
                            for c, n in digest.category_counts())
        sources = " · ".join(f"{source_title(s)} *{n}*" for s, n in digest.source_counts())
        head.append(context("\n".join(line for line in (escape(digest.summary()), counts,
                                                          sources) if line)))
    # Room for the fallback text, a continuation's context block and the JSON around them.
    budget = (max_bytes or 10 ** 9) - 2 * len(json.dumps(fallback(digest))) - 1000
    chunks: list[list[dict]] = [[]]
    room, used = MAX_BLOCKS - len(head), sum(_size(b) for b in head)
    used_bytes = sum(_bytes(b) for b in head)
    for block in _body(digest):
        if chunks[-1] and (len(chunks[-1]) >= room or used + _size(block) > MAX_MESSAGE_CHARS
                           or used_bytes + _bytes(block) > budget):
            chunks.append([])
            room, used, used_bytes = MAX_BLOCKS - 1, 0, 0  # a continuation: one context block
        chunks[-1].append(block)
        used += _size(block)
        used_bytes += _bytes(block)
    messages = []
    total = len(chunks)
    for number, chunk in enumerate(chunks, 1):
        text = fallback(digest)
        if total > 1:
            text += f" (part {number} of {total})"
        if number == 1:
            blocks = head + chunk
        else:
            blocks = [context(escape(f"{digest.title}, part {number} of {total}"))] + chunk
        messages.append({"text": text, "blocks": blocks})
    return messages
