"""Plain-text rendering of a digest (the email's text part, the file channel, stdout)."""

from __future__ import annotations

import textwrap

from vocab.sources import source_title

from .digest import NO_DEADLINES, Digest

WIDTH = 78


def render_text(digest: Digest) -> str:
    lines = [digest.title, "=" * min(len(digest.title), WIDTH), ""]
    if digest.undelivered:
        lines += _undelivered(digest.undelivered) + [""]
    if digest.empty:
        lines.append("Nothing new matches this channel's filter.")
        lines.append("")
    else:
        lines.append(digest.summary() + ".")
        lines.append("By source: " + ", ".join(f"{source_title(s)} {n}"
                                               for s, n in digest.source_counts()) + ".")
        lines.append("")
    if digest.deadline_days:
        lines += _deadlines(digest) + [""]
    if not digest.empty:
        for section in digest.sections:
            heading = f"{section.name} ({len(section.entries)})"
            lines += [heading, "-" * len(heading), ""]
            for entry in section.entries:
                lines += _entry(digest, entry) + [""]
    if digest.broken_sources:
        lines += _broken(digest.broken_sources) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _entry(digest: Digest, entry) -> list[str]:
    out = textwrap.wrap(entry.title, WIDTH - 2, initial_indent="* ",
                        subsequent_indent="  ") or ["* (untitled)"]
    meta = [source_title(entry.source), entry.lang, entry.date or "undated"]
    if entry.also:
        meta.append("also " + ", ".join(digest.category_title(c).lower() for c in entry.also))
    out.append("  " + " | ".join(meta))
    if entry.facts.instruments:
        out += textwrap.wrap(", ".join(entry.facts.instruments), WIDTH - 2,
                             initial_indent="  ", subsequent_indent="  ")
    if entry.facts.figures():
        out += textwrap.wrap(entry.facts.figures(), WIDTH - 2, initial_indent="  ",
                             subsequent_indent="  ")
    out.append(f"  {entry.url}")
    if entry.evidence:
        out += textwrap.wrap(f"\u201c{entry.evidence}\u201d", WIDTH - 4,
                             initial_indent="    ", subsequent_indent="    ")
    return out


def _deadlines(digest: Digest) -> list[str]:
    heading = digest.deadlines_heading
    out = [heading, "-" * len(heading)]
    if not digest.deadlines:
        out.append(NO_DEADLINES)
    for item in digest.deadlines:
        out += textwrap.wrap(f"{item.date} ({item.when}): {item.what}: {item.title}", WIDTH - 2,
                             initial_indent="* ", subsequent_indent="  ")
        out.append(f"  {source_title(item.source)} | {item.url}")
    return out


def _undelivered(rows: list[dict]) -> list[str]:
    out = ["NOTICE: earlier digests of this channel could not be delivered:"]
    for row in rows:
        state = "failed" if row["status"] == "failed" else "still retrying"
        out.append(f"  - {row['id']} ({row['document_count']} documents), {state}: "
                   f"{row['last_error'] or 'unknown error'}")
    out.append("  See `chipwatch outbox`; `chipwatch outbox retry` sends them again.")
    return out


def _broken(rows: list[dict]) -> list[str]:
    out = ["Broken sources", "--------------"]
    for row in rows:
        times = "once" if row["failures"] == 1 else f"{row['failures']} times in a row"
        out.append(f"* {source_title(row['source'])}: failed {times} since "
                   f"{row['since'][:16].replace('T', ' ')} UTC")
        out += textwrap.wrap(row["last_error"], WIDTH - 4, initial_indent="    ",
                             subsequent_indent="    ")
    return out
