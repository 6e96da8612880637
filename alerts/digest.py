"""What a digest holds: chosen documents grouped by category, each with what it states
(instruments, amounts, rates), the header counts, the deadlines coming up, the broken sources
and the notice of earlier digests that could not be delivered. Rendering is done elsewhere
(text, HTML, Slack blocks) from this one structure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vocab.categories import UNTAGGED, Categories

from .deadlines import DeadlineEntry
from .facts import Shown, shown_facts

NO_DEADLINES = "None among the stored documents this channel follows."


@dataclass
class Entry:
    document_id: str
    title: str
    url: str
    source: str
    lang: str
    published: str  # as stored: a date or a date-time
    category: str  # the strongest matching tag ("none" for untagged documents)
    score: float
    evidence: str  # the sentence that justifies the tag ("" when none)
    match: str  # the words in it that matched
    also: list[str] = field(default_factory=list)  # the document's other categories
    facts: Shown = field(default_factory=Shown)  # its instruments, amounts and rates

    @property
    def date(self) -> str:
        return (self.published or "")[:10]


@dataclass
class Section:
    category: str
    entries: list[Entry]
    name: str  # the category's display name


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
    deadlines: list[DeadlineEntry] = field(default_factory=list)  # soonest first
    deadline_days: int = 0  # how far ahead the deadlines look (0: no such section)

    @property
    def deadlines_heading(self) -> str:
        return f"Deadlines in the next {self.deadline_days} days"

    @property
    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]

    @property
    def document_ids(self) -> list[str]:
        return [entry.document_id for entry in self.entries]

    @property
    def empty(self) -> bool:
        return not self.sections

    def category_title(self, category: str) -> str:
        return self.categories.title(category)

    def category_counts(self) -> list[tuple[str, int]]:
        return [(section.category, len(section.entries)) for section in self.sections]

    def source_counts(self) -> list[tuple[str, int]]:
        counts = Counter(entry.source for entry in self.entries)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def summary(self) -> str:
        """One line: '12 documents: 5 export controls, 3 tariffs' (or 'nothing new')."""
        n = len(self.entries)
        if not n:
            return "nothing new"
        parts = ", ".join(self.categories.get(cat).counted(count)
                          for cat, count in self.category_counts())
        return f"{n} document{'s' if n != 1 else ''}: {parts}"


def choose(documents: list[dict], tags: dict[str, list[dict]], *, categories: list[str],
           known: Categories, sources: list[str] | None = None,
           languages: list[str] | None = None, min_score: float = 0.0,
           only: list[str] | None = None, facts: dict[str, dict] | None = None) -> list[Section]:
    """Filter documents and group them: each document once, under its strongest tag among
    `categories` (scoring at least `min_score`), its other categories named. `only`
    narrows to documents with a tag in it (urgent alerts). Sections follow the order of
    `categories`; entries within a section go strongest first, then newest. `facts`
    (document id -> its facts, as store.facts.facts_for gives them) adds what each states."""
    grouped: dict[str, list[Entry]] = {category: [] for category in categories}
    for doc in documents:
        if sources and doc["source"] not in sources:
            continue
        if languages and doc["lang"] not in languages:
            continue
        doc_tags = tags.get(doc["id"], [])
        eligible = [t for t in doc_tags if t["category"] in categories
                    and t["score"] >= min_score]
        if only is not None:
            eligible = [t for t in eligible if t["category"] in only]
            if not eligible:
                continue
        if eligible:
            best = max(eligible, key=lambda t: t["score"])
        elif not doc_tags and UNTAGGED in categories and only is None:
            best = {"category": UNTAGGED, "score": 0.0, "evidence": []}
        else:
            continue
        evidence = (best["evidence"] or [{}])[0]
        grouped[best["category"]].append(Entry(
            document_id=doc["id"], title=doc["title"], url=doc["url"], source=doc["source"],
            lang=doc["lang"], published=doc.get("published") or "",
            category=best["category"], score=float(best["score"]),
            evidence=evidence.get("sentence", ""), match=evidence.get("match", ""),
            also=[t["category"] for t in doc_tags if t["category"] != best["category"]],
            facts=shown_facts((facts or {}).get(doc["id"]), known,
                              evidence.get("sentence", ""))))
    sections = []
    for category in categories:
        entries = grouped[category]
        if entries:
            entries.sort(key=lambda e: (-e.score, _neg(e.published), e.document_id))
            sections.append(Section(category, entries, known.title(category)))
    return sections


def _neg(text: str) -> str:
    """Sort key for 'newest first' on ISO strings, inside an ascending sort."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text)

