"""What a digest holds: one entry per event (the policy action, with every new document
about it in a compact list), grouped by category, each with what it states (instruments,
amounts, rates); an event already sent in this channel that gained documents comes back as an
update that says what is new and does not repeat what was sent. Events whose tags all have
`wider` relevance (a tariff on copper) go in a short section of their own at the end, or are
left out when the channel says so. With the header counts, the deadlines coming up, the
broken sources and the notice of earlier digests that could not be delivered. Rendering is
done elsewhere (text, HTML, Slack blocks) from this one structure."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from vocab.categories import UNTAGGED, Categories
from vocab.events import response_label, short_label, update_phrase
from vocab.languages import is_chinese

from .deadlines import DeadlineEntry
from .facts import Shown, merged_facts, shown_facts

WIDER = "wider"
WIDER_HEADING = "Of wider relevance"
WIDER_NOTE = "In these categories, but chips and Taiwan are not their subject."
NO_DEADLINES = "None among the stored documents this channel follows."


@dataclass
class Item:
    """One document of an event, as a digest names it."""
    document_id: str
    title: str
    url: str
    source: str
    lang: str
    published: str
    role: str = "document"
    external_id: str = ""

    @property
    def label(self) -> str:
        """`BIS`, `Federal Register 2026-01234`, `TSMC 中文`, `Taiwan's response: MOEA 中文`."""
        label = short_label(self.source, self.lang,
                            self.external_id if self.source == "federal_register" else "")
        return f"{response_label(self.source)}: {label}" if self.role == "reaction" else label

    @property
    def date(self) -> str:
        return (self.published or "")[:10]

    @property
    def news(self) -> str:
        """What an update says of it: 'Federal Register: rule published'."""
        return (f"{short_label(self.source, 'en')}: "
                f"{update_phrase(self.role, self.lang, self.source)}")


@dataclass
class Entry:
    document_id: str  # the entry's first new document
    title: str  # the event's title (English preferred)
    url: str  # where the title links: the lead document, or an update's first new one
    source: str
    lang: str
    published: str  # the newest of its new documents: a date or a date-time
    category: str  # the strongest matching tag ("none" for untagged events)
    score: float
    evidence: str  # the sentence that justifies the tag ("" when none)
    match: str  # the words in it that matched
    also: list[str] = field(default_factory=list)  # the event's other categories
    documents: list[Item] = field(default_factory=list)  # new documents, oldest first
    earlier: list[Item] = field(default_factory=list)  # sent before in this channel
    event_id: int | None = None
    title_zh: str | None = None
    relevance: str | None = None  # core | wider | None (not known)
    facts: Shown = field(default_factory=Shown)  # what its new documents state
    title_alt: str | None = None  # the title of its edition in the other language


    @property
    def date(self) -> str:
        return (self.published or "")[:10]

    @property
    def items(self) -> list[Item]:
        """The new documents (an entry made without them stands for its own document)."""
        return self.documents or [Item(self.document_id, self.title, self.url, self.source,
                                       self.lang, self.published)]

    @property
    def update(self) -> bool:
        return bool(self.earlier)

    @property
    def compact(self) -> str:
        """`Commerce · BIS · Federal Register 2026-01234 · TSMC 中文`."""
        return " · ".join(item.label for item in self.items)

    @property
    def news(self) -> list[str]:
        """What is new, for an update: ['Federal Register: rule published']."""
        return list(dict.fromkeys(item.news for item in self.items))

    @property
    def earlier_compact(self) -> str:
        return " · ".join(item.label for item in self.earlier)

    @property
    def first_date(self) -> str:
        days = [i.date for i in self.items + self.earlier if i.date]
        return min(days) if days else ""

    @property
    def span(self) -> str:
        """Its day, or the days from its first document to its newest: '2023-10-17 to
        2023-10-25'."""
        first, last = self.first_date, self.date
        if not last:
            return "undated"
        return last if not first or first == last else f"{first} to {last}"


@dataclass
class Change:
    """A document this channel showed before that has changed since (its text edited, its
    title or date corrected, re-tagged), with a short diff."""
    document_id: str
    title: str
    url: str
    source: str
    lang: str
    revision: int  # now
    shown_revision: int  # as the channel's digest showed it
    fields: list[str]  # what changed: title, published, categories, text, metadata
    title_before: str | None = None
    categories_added: list[str] = field(default_factory=list)
    categories_removed: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the text's diff, a few lines

    @property
    def label(self) -> str:
        return short_label(self.source, self.lang)

    def what(self, categories: Categories) -> str:
        """'text edited; export controls tag added; date corrected'."""
        parts = []
        if "title" in self.fields:
            parts.append("title changed")
        if "published" in self.fields:
            parts.append("date changed")
        if "text" in self.fields:
            parts.append("text edited")
        for cat in self.categories_added:
            parts.append(f"{categories.title(cat).lower()} tag added")
        for cat in self.categories_removed:
            parts.append(f"{categories.title(cat).lower()} tag removed")
        if "metadata" in self.fields and not parts:
            parts.append("the source's fields changed")
        return "; ".join(parts) or "changed"


CHANGES_HEADING = "Changed since sent"


@dataclass
class Section:
    category: str
    entries: list[Entry]
    name: str  # the category's display name


@dataclass
class Omitted:
    """What a digest too large for one message left out (the least important entries):
    counted by category, linked to the full list, still marked as shown in the channel."""
    count: int
    categories: list[tuple[str, int]]  # (category, entries left out), in section order
    link: str  # the digest's full list in Datasette
    document_ids: list[str]
    sources: list[str] = field(default_factory=list)  # each left-out entry's source


@dataclass
class Digest:
    channel: str
    kind: str  # daily | cycle | manual | urgent
    period: str  # the local date of a daily digest, else the UTC time it was made
    title: str
    sections: list[Section]
    categories: Categories  # the rules file's categories: their display names
    broken_sources: list[dict] = field(default_factory=list)
    undelivered: list[dict] = field(default_factory=list)
    wider: list[Entry] = field(default_factory=list)  # events of wider relevance, at the end
    omitted: Omitted | None = None  # set by alerts/bound.py when the digest was cut down
    deadlines: list[DeadlineEntry] = field(default_factory=list)  # soonest first
    deadline_days: int = 0  # how far ahead the deadlines look (0: no such section)
    changes: list[Change] = field(default_factory=list)  # documents shown before, changed
    changes_left_out: int = 0  # changed documents counted but not shown (size bound)
    # Every change this digest settles (document id -> revision), those left out included,
    # so that a reclassification of thousands is one digest, not hundreds.
    changes_marked: dict[str, int] = field(default_factory=dict)

    @property
    def deadlines_heading(self) -> str:
        return f"Deadlines in the next {self.deadline_days} days"

    @property
    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries] + self.wider

    @property
    def document_ids(self) -> list[str]:
        """Every new document the digest covers: those shown and those only counted."""
        left_out = self.omitted.document_ids if self.omitted else []
        return [item.document_id for entry in self.entries for item in entry.items] + left_out

    @property
    def updates(self) -> int:
        return sum(entry.update for entry in self.entries)

    @property
    def empty(self) -> bool:
        return not self.sections and not self.wider and not self.changes

    def category_title(self, category: str) -> str:
        return self.categories.title(category)

    def category_counts(self) -> list[tuple[str, int]]:
        return [(section.category, len(section.entries)) for section in self.sections]

    def source_counts(self) -> list[tuple[str, int]]:
        """New documents per source, those left out of a cut-down digest included."""
        counts = Counter(item.source for entry in self.entries for item in entry.items)
        counts.update(self.omitted.sources if self.omitted else [])
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def omitted_notice(self) -> str:
        """The sentence that opens the notice of a cut-down digest (its link follows)."""
        left = self.omitted
        parts = ", ".join(f"{self.category_title(c).lower()} {n}" for c, n in left.categories)
        return (f"Too much for one message: the {len(self.entries)} most important events "
                f"are shown; {left.count} more ({parts}) are in the full list: ")

    def summary(self) -> str:
        """One line: '12 events (15 documents, 2 updates): 5 export controls, 3 tariffs; 2 of
        wider relevance' (or 'nothing new'); events left out of a cut-down digest are
        counted too."""
        left_out = self.omitted.count if self.omitted else 0
        n = len(self.entries) + left_out
        changed = len(self.changes) + self.changes_left_out
        if not n:
            return (f"{changed} changed document{'s' if changed != 1 else ''}" if changed
                    else "nothing new")
        documents = len(self.document_ids)
        details = [f"{documents} document{'s' if documents != 1 else ''}"]
        if self.updates:
            details.append(f"{self.updates} update{'s' if self.updates != 1 else ''}")
        totals = Counter(dict(self.category_counts()))
        totals.update(dict(self.omitted.categories) if self.omitted else {})
        order = [section.category for section in self.sections] + [
            cat for cat, _ in (self.omitted.categories if self.omitted else [])]
        parts = ", ".join(self.categories.get(cat).counted(totals[cat])
                          for cat in dict.fromkeys(order))
        if self.wider:
            parts += ("; " if parts else "") + f"{len(self.wider)} of wider relevance"
        if changed:
            parts += ("; " if parts else "") + \
                f"{changed} changed document{'s' if changed != 1 else ''}"
        return f"{n} event{'s' if n != 1 else ''} ({', '.join(details)}): {parts}"


def choose(documents: list[dict], tags: dict[str, list[dict]], *, categories: list[str],
           known: Categories, sources: list[str] | None = None,
           languages: list[str] | None = None, min_score: float = 0.0,
           only: list[str] | None = None, events: dict[int, dict] | None = None,
           include_wider: bool = True,
           facts: dict[str, dict] | None = None,
           keep: Callable[[list[str]], bool] | None = None,
           prefer: str | None = None) -> tuple[list[Section], list[Entry]]:
    """Group new documents by event and filter: one entry per event, under its strongest tag
    among `categories` (scoring at least `min_score`, over all the event's documents this
    channel lists, sent before or not), its other categories named. `only` narrows to events
    with a tag in it (urgent alerts). `events` is event id -> {"title", "title_zh",
    "lead_document_id", "documents": [every document of the event, each with "sent": True
    when an earlier digest of this channel showed it]}; a document without an event is an
    event of its own. Returns the sections (in the order of `categories`, entries strongest
    first, then newest) and the events of wider relevance (all their tags `wider`), which are
    left out unless `include_wider`. `facts` (document id -> its facts, as
    store.facts.facts_for gives them) adds what each event's new documents state. `keep`,
    given the ids of an event's documents this channel lists (new and sent before), says
    whether the channel wants it (its keyword, instrument and actor filters). `prefer`
    ("en" or "zh") puts that language's title first; the other edition's is kept too."""
    events = events or {}

    def listed(doc: dict) -> bool:
        return (not sources or doc["source"] in sources) and \
            (not languages or doc["lang"] in languages)

    new_by_event: dict = defaultdict(list)
    for doc in documents:
        if listed(doc):
            new_by_event[doc.get("event_id") or doc["id"]].append(doc)
    grouped: dict[str, list[Entry]] = {category: [] for category in categories}
    wider: list[Entry] = []
    for key, new in new_by_event.items():
        event = events.get(key) if isinstance(key, int) else None
        new_ids = {d["id"] for d in new}
        members = (event or {}).get("documents", [])
        earlier = [d for d in members if listed(d) and d.get("sent") and d["id"] not in new_ids]
        if keep is not None and not keep(sorted(new_ids | {d["id"] for d in members
                                                            if listed(d)})):
            continue
        # the event's categories come from all its documents, listed here or not
        tagged = new_ids | {d["id"] for d in members}
        all_tags = [t for doc_id in sorted(tagged) for t in tags.get(doc_id, [])]
        eligible = [t for t in all_tags if t["category"] in categories
                    and t["score"] >= min_score]
        if only is not None:
            eligible = [t for t in eligible if t["category"] in only]
            if not eligible:
                continue
        if eligible:
            best = max(eligible, key=lambda t: (t["score"], t["category"]))
        elif not all_tags and UNTAGGED in categories and only is None:
            best = {"category": UNTAGGED, "score": 0.0, "evidence": [], "relevance": None}
        else:
            continue
        is_wider = bool(eligible) and all(t.get("relevance") == WIDER for t in eligible)
        if is_wider and not include_wider:
            continue
        entry = _entry(event, new, earlier, best, all_tags, prefer)
        entry.relevance = WIDER if is_wider else ("core" if eligible else None)
        entry.facts = shown_facts(merged_facts([(facts or {}).get(d["id"]) for d in new]),
                                  known, entry.evidence)
        (wider if is_wider else grouped[best["category"]]).append(entry)
    sections = []
    for category in categories:
        entries = grouped[category]
        if entries:
            entries.sort(key=_order)
            sections.append(Section(category, entries, known.title(category)))
    wider.sort(key=_order)
    return sections, wider


def _item(doc: dict) -> Item:
    return Item(document_id=doc["id"], title=doc["title"], url=doc["url"], source=doc["source"],
                lang=doc["lang"], published=doc.get("published") or "",
                role=doc.get("role") or "document", external_id=doc.get("external_id") or "")


def _by_date(docs: list[dict]) -> list[dict]:
    return sorted(docs, key=lambda d: (d.get("published") or "", d["id"]))


def _entry(event: dict | None, new: list[dict], earlier: list[dict], best: dict,
           all_tags: list[dict], prefer: str | None = None) -> Entry:
    new, earlier = _by_date(new), _by_date(earlier)
    everyone = new + earlier
    lead_id = (event or {}).get("lead_document_id")
    lead = next((d for d in everyone if d["id"] == lead_id), None) or \
        next((d for d in new if d["lang"] == "en"), new[0])
    evidence = (best.get("evidence") or [{}])[0]
    newest = max(new, key=lambda d: (d.get("published") or "", d["id"]))
    title = (event or {}).get("title") or lead["title"]
    title_zh = (event or {}).get("title_zh")
    if title_zh and (prefer == "zh" or (prefer is None and all(is_chinese(d["lang"])
                                                                for d in everyone))):
        title = title_zh  # a channel that lists only Chinese reads a Chinese title
    other = ((event or {}).get("title") if title == title_zh else title_zh) or None
    # an update's title leads to what is new; a new story's to its lead document
    link = new[0] if earlier else lead
    return Entry(
        document_id=new[0]["id"],
        title=title,
        url=link["url"], source=link["source"], lang=link["lang"],
        published=newest.get("published") or "",
        category=best["category"], score=float(best["score"]),
        evidence=evidence.get("sentence", ""), match=evidence.get("match", ""),
        also=list(dict.fromkeys(t["category"] for t in sorted(all_tags, key=lambda t: -t["score"])
                                if t["category"] != best["category"])),
        documents=[_item(d) for d in new], earlier=[_item(d) for d in earlier],
        event_id=(event or {}).get("id"), title_zh=title_zh,
        title_alt=other if other and other != title else None)


def _order(entry: Entry) -> tuple:
    return (-entry.score, _neg(entry.published), entry.document_id)


def _neg(text: str) -> str:
    """Sort key for 'newest first' on ISO strings, inside an ascending sort."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text)
