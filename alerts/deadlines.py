"""The digest's "Deadlines in the next N days" section and the reminders before a deadline:
the deadlines stored for documents (the Federal Register's own effective and comment dates,
and those the text states) that a channel's filter lets through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from store import facts as fact_store
from vocab.categories import UNTAGGED

from .settings import ChannelBase

KINDS = {"effective": "takes effect", "comments_close": "comments close",
         "compliance": "compliance due"}


@dataclass
class DeadlineEntry:
    date: str  # YYYY-MM-DD
    kind: str  # effective | comments_close | compliance
    document_id: str
    title: str
    url: str
    source: str
    lang: str
    text: str  # the words or the field it came from
    days_left: int

    @property
    def what(self) -> str:
        return KINDS.get(self.kind, self.kind.replace("_", " "))

    @property
    def when(self) -> str:
        """'today', 'tomorrow', 'in 5 days'."""
        if self.days_left == 0:
            return "today"
        if self.days_left == 1:
            return "tomorrow"
        return f"in {self.days_left} days"


def upcoming(db: Database, channel: ChannelBase, wanted: list[str], today: date,
             days: int) -> list[DeadlineEntry]:
    """Deadlines from `today` to `days` days later (both included) of documents the channel's
    filter lets through (its sources, languages and categories, `wanted`), soonest first."""
    if days <= 0:
        return []
    last = today + timedelta(days=days)
    found = []
    for row in fact_store.deadlines_between(db, today.isoformat(), last.isoformat()):
        if channel.sources and row["source"] not in channel.sources:
            continue
        if channel.languages and row["lang"] not in channel.languages:
            continue
        categories = row["categories"]
        if not (set(categories) & set(wanted) or (not categories and UNTAGGED in wanted)):
            continue
        found.append(DeadlineEntry(
            date=row["date"], kind=row["kind"], document_id=row["document_id"],
            title=row["title"], url=row["url"], source=row["source"], lang=row["lang"],
            text=row["text"], days_left=(date.fromisoformat(row["date"]) - today).days))
    return found
