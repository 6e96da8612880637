"""Plain-text rendering of a digest (the email's text part, the file channel, stdout)."""

from __future__ import annotations

import textwrap

from vocab.sources import source_title

from .digest import CHANGES_HEADING, NO_DEADLINES, WIDER_HEADING, WIDER_NOTE, Digest, Entry

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
        if digest.source_counts():  # not when only changed documents are listed
            lines.append("By source: " + ", ".join(f"{source_title(s)} {n}"
                                                   for s, n in digest.source_counts()) + ".")
        lines.append("")
        if digest.omitted:
            lines += textwrap.wrap(digest.omitted_notice() + digest.omitted.link, WIDTH,
                                   break_long_words=False, break_on_hyphens=False) + [""]
    if digest.deadline_days:
        lines += _deadlines(digest) + [""]
    if not digest.empty:
        for section in digest.sections:
            heading = f"{section.name} ({len(section.entries)})"
            lines += [heading, "-" * len(heading), ""]
            for entry in section.entries:
                lines += _entry(digest, entry) + [""]
        if digest.wider:
            heading = f"{WIDER_HEADING} ({len(digest.wider)})"
            lines += [heading, "-" * len(heading), WIDER_NOTE, ""]
            lines += [line for entry in digest.wider for line in _short(digest, entry)]
            lines.append("")
        if digest.changes:
            lines += _changes(digest) + [""]
    if digest.broken_sources:
        lines += _broken(digest.broken_sources) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _entry(digest: Digest, entry: Entry) -> list[str]:
    title = f"UPDATE: {entry.title}" if entry.update else entry.title
    out = textwrap.wrap(title, WIDTH - 2, initial_indent="* ",
                        subsequent_indent="  ") or ["* (untitled)"]
    if entry.title_alt:
        out += textwrap.wrap(entry.title_alt, WIDTH - 2, initial_indent="  ",
                             subsequent_indent="  ")
    meta = [entry.compact, entry.span]
    if entry.also:
        meta.append("also " + ", ".join(digest.category_title(c).lower() for c in entry.also))
    out += textwrap.wrap(" | ".join(meta), WIDTH - 2, initial_indent="  ",
                         subsequent_indent="  ")
    if entry.facts.instruments:
        out += textwrap.wrap(", ".join(entry.facts.instruments), WIDTH - 2,
                             initial_indent="  ", subsequent_indent="  ")
    if entry.facts.figures():
        out += textwrap.wrap(entry.facts.figures(), WIDTH - 2, initial_indent="  ",
                             subsequent_indent="  ")
    if entry.update:
        out += textwrap.wrap("New: " + "; ".join(entry.news), WIDTH - 2,
                             initial_indent="  ", subsequent_indent="    ")
        out += textwrap.wrap(f"Sent before: {entry.earlier_compact}", WIDTH - 2,
                             initial_indent="  ", subsequent_indent="    ")
    items = entry.items
    if len(items) == 1:
        out.append(f"  {items[0].url}")
    else:
        out += [f"  - {item.label}: {item.url}" for item in items]
    if entry.evidence:
        out += textwrap.wrap(f"\u201c{entry.evidence}\u201d", WIDTH - 4,
                             initial_indent="    ", subsequent_indent="    ")
    return out


def _short(digest: Digest, entry: Entry) -> list[str]:
    """A wider-relevance event in one line, then its links."""
    title = f"UPDATE: {entry.title}" if entry.update else entry.title
    if entry.title_alt:
        title += f" / {entry.title_alt}"
    line = f"{title} ({entry.compact}, {entry.span}, " \
        f"{digest.category_title(entry.category).lower()})"
    return textwrap.wrap(line, WIDTH - 2, initial_indent="* ", subsequent_indent="  ") + \
        [f"  {item.url}" for item in entry.items]


def _changes(digest: Digest) -> list[str]:
    heading = f"{CHANGES_HEADING} ({len(digest.changes) + digest.changes_left_out})"
    out = [heading, "-" * len(heading)]
    for change in digest.changes:
        out += textwrap.wrap(change.title, WIDTH - 2, initial_indent="* ",
                             subsequent_indent="  ")
        if change.title_before:
            out += textwrap.wrap(f"was: {change.title_before}", WIDTH - 2,
                                 initial_indent="  ", subsequent_indent="  ")
        out += textwrap.wrap(f"{change.label} | {change.what(digest.categories)} | revision "
                             f"{change.revision} (sent as {change.shown_revision})", WIDTH - 2,
                             initial_indent="  ", subsequent_indent="  ")
        out.append(f"  {change.url}")
        out += [f"    {line}" for line in change.lines]
    if digest.changes_left_out:
        out.append(f"{digest.changes_left_out} more changed documents are not listed here "
                   f"(each document's revisions are kept in the store).")
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
