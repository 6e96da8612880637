"""What a digest says of documents its channel showed before that have changed since (a
release edited, a date corrected, re-tagged after a rules correction): one short entry each,
with the words that changed (store/revisions.py keeps every revision whole)."""

from __future__ import annotations

from sqlite_utils import Database

from store import revisions as revision_store

from .digest import Change
from .settings import ChannelBase

MAX_CHANGES = 20  # shown in one digest; the rest are counted
DIFF_LINES = 6  # lines of a text diff shown per change
LINE_CHARS = 240


def _clip(line: str) -> str:
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS - 1] + "\u2026"


def changes_for(db: Database, name: str, channel: ChannelBase, *, since: str
                ) -> tuple[list[Change], int, dict[str, int]]:
    """The channel's changed documents (those of its sources and languages) as digest
    entries, newest first: (shown, how many more were left out, every change settled:
    document id -> its revision now). Those left out are settled too, like the entries a
    digest too large for one message counts: a reclassification that changed thousands of
    documents makes one digest, not hundreds."""
    rows = [r for r in revision_store.changed_since_shown(db, name, since=since)
            if (not channel.sources or r["source"] in channel.sources)
            and (not channel.languages or r["lang"] in channel.languages)]
    shown = []
    for row in rows[:MAX_CHANGES]:
        before = revision_store.state(db, row["id"], row["shown_revision"])
        now = revision_store.state(db, row["id"], row["revision"])
        if before is None or now is None:
            continue
        diff = revision_store.compare(before, now, context=1, max_lines=DIFF_LINES)
        if not diff["fields"]:
            continue  # changed and changed back
        shown.append(Change(
            document_id=row["id"], title=row["title"], url=row["url"], source=row["source"],
            lang=row["lang"], revision=row["revision"], shown_revision=row["shown_revision"],
            fields=diff["fields"], title_before=(diff["title"] or [None])[0],
            categories_added=diff["categories"]["added"],
            categories_removed=diff["categories"]["removed"],
            lines=[_clip(line) for line in diff["text"]]))
    settled = {row["id"]: row["revision"] for row in rows}
    return shown, max(len(rows) - MAX_CHANGES, 0), settled
