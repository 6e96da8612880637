"""What the linker reads of a document, and the text forms it compares: a normalised title,
its significant words, light stems, the first paragraphs of the body."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from vocab.events import base_role
from vocab.languages import is_chinese
from vocab.sources import government_of
from vocab.text import HAN, to_simplified

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_NOT_WORD = re.compile(r"[^\w]+")
# Words that carry nothing of what an action is.
STOPWORDS = frozenset("""a an the of to and or in on for with by from at as its their his her
into under over than that this these those is are be been will would u s us""".split())
# Words a rule's title shares with almost any other of its kind; they are not asked of a
# release that describes the rule.
WEAK = frozenset("""additional certain implementation implementing implement new update
updates correction corrections further other related revised revision revisions amendment
amendments amending clarification clarifications technical conforming final interim rule
rules""".split())
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ions", "ion", "es", "ed", "s")


def normalise(text: str | None) -> str:
    """Lower case, NFKC, curly quotes straightened, Chinese folded to Simplified, anything
    that is not a letter or digit a single space."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).casefold()
    if HAN.search(text):
        text = to_simplified(text)
    return " ".join(_NOT_WORD.sub(" ", text.replace("_", " ")).split())


def words(text: str | None) -> list[str]:
    """The significant words of a text, in order (stopwords left out)."""
    return [w for w in normalise(text).split() if w not in STOPWORDS]


def stem(word: str) -> str:
    """A light stem, enough for 'controls'/'control', 'advanced'/'advance' and
    'commodities'/'commodity'."""
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[:-len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def significant(title: str) -> bool:
    """A title specific enough to identify a story: four significant words, or eight
    Chinese characters."""
    if is_chinese_text(title):
        return len(HAN.findall(title or "")) >= 8
    return len(words(title)) >= 4


def is_chinese_text(text: str | None) -> bool:
    return bool(text) and len(HAN.findall(text)) * 3 >= len(text.strip())


@dataclass
class Doc:
    id: str
    source: str
    external_id: str
    lang: str
    url: str
    title: str
    text: str
    published: str | None
    doc_type: str
    group_key: str | None
    metadata: dict = field(default_factory=dict)
    instruments: tuple[str, ...] = ()  # the classifier's, strongest first (none if untagged)
    actors: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: dict) -> Doc:
        text = row.get("text") or row.get("summary") or ""
        return cls(id=row["id"], source=row["source"], external_id=row["external_id"] or "",
                   lang=row["lang"], url=row.get("url") or "", title=row["title"] or "",
                   text=text, published=row.get("published"), doc_type=row.get("doc_type") or "",
                   group_key=row.get("group_key"), metadata=row.get("metadata") or {},
                   instruments=tuple(row.get("instruments") or ()),
                   actors=tuple(row.get("actors") or ()))

    @cached_property
    def role(self) -> str:
        return base_role(self.source, self.doc_type, self.text)

    @property
    def is_fr(self) -> bool:
        return self.source == "federal_register"

    @property
    def government(self) -> str:
        """"US", "TW" or "" (vocab/sources.toml)."""
        return government_of(self.source)

    @property
    def is_announcement(self) -> bool:
        return self.role == "announcement"

    @property
    def is_chinese(self) -> bool:
        return is_chinese(self.lang)

    @cached_property
    def day(self) -> date | None:
        try:
            return date.fromisoformat((self.published or "")[:10])
        except ValueError:
            return None

    @cached_property
    def norm_title(self) -> str:
        return normalise(self.title)

    @cached_property
    def title_head(self) -> str:
        """A Federal Register title before its first ';' (the rule's own name; what follows
        lists its parts)."""
        return self.title.split(";")[0]

    @cached_property
    def lead_text(self) -> str:
        """The first three paragraphs of the body: where a release says what it announces."""
        paragraphs = [p for p in re.split(r"\n\s*\n", self.text or "") if p.strip()]
        return "\n\n".join(paragraphs[:3])

    @property
    def is_correction(self) -> bool:
        return self.is_fr and (bool(re.match(r"^C\d+-", self.external_id))
                               or bool(self.metadata.get("correction_of")))


def days_between(a: Doc, b: Doc) -> int | None:
    """b's day less a's, in days (None when either is undated)."""
    if a.day is None or b.day is None:
        return None
    return (b.day - a.day).days


def answers(statement: Doc, action: Doc) -> bool:
    """Whether a link between the two is a reaction's to decide: a Taiwan-government
    statement and a US-government document (tracker/events/reactions.py)."""
    return statement.government == "TW" and action.government == "US"
