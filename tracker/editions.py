"""Linking the language editions of one story when a source gives them different ids.

TrendForce publishes the English (trendforce.com) and Chinese (trendforce.cn) editions of a
press release under different ids on the same day (SOURCES.md §5). Two editions are the same
story when they share the publication day and enough of what survives translation: numbers
("2Q26", "68%", "NVL72") and Latin words ("HBM", "DRAM", "NVIDIA"). The Chinese edition then
takes the English edition's group_key. A tie between candidates links nothing. Taiwan's
government sites (Executive Yuan, MOEA and its agencies) do the same with zh-Hant leading:
their titles share "232", "EPPD", "AI", "TSMC"; where they share nothing, no link is made.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlite_utils import Database

from store import groups
from vocab.sources import sources

MIN_SCORE = 2.0
TOKEN = re.compile(r"\d[a-z0-9.]*%?|[a-z][a-z0-9]*")
STOPWORDS = {
    "says", "trendforce", "the", "and", "for", "from", "with", "into", "over", "under", "of",
    "to", "in", "on", "at", "by", "as", "its", "their", "is", "are", "be", "will", "amid",
    "us", "billion", "million", "trillion", "yoy", "qoq", "just", "nearly", "more", "than",
    "new", "global", "top", "major", "first", "half",
}


def title_tokens(title: str) -> dict[str, float]:
    """What of a title survives translation, with a weight: a bare year counts half."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    tokens: dict[str, float] = {}
    for token in TOKEN.findall(text):
        token = token.rstrip(".")
        if token in STOPWORDS or (len(token) < 2 and not token.endswith("%")):
            continue
        tokens[token] = 0.5 if re.fullmatch(r"(19|20)\d\d", token) else 1.0
    return tokens


def score(a: str, b: str) -> float:
    ta, tb = title_tokens(a), title_tokens(b)
    return sum(min(ta[t], tb[t]) for t in ta.keys() & tb.keys())


@dataclass(frozen=True)
class Link:
    lead_id: str
    other_id: str
    group_key: str
    score: float


def match_editions(docs: list[dict], lead_lang: str = "en",
                   other_langs: tuple[str, ...] = ("zh-Hans", "zh-Hant")) -> list[Link]:
    """Pairs (lead edition, other edition) among `docs` (dicts with id, lang, title,
    published, group_key): same day, score at least MIN_SCORE, the best candidate for both
    sides and not tied with another."""
    leads = [d for d in docs if d["lang"] == lead_lang]
    others = [d for d in docs if d["lang"] in other_langs]
    scored = []
    for other in others:
        for lead in leads:
            if (lead["published"] or "")[:10] != (other["published"] or "")[:10]:
                continue
            value = score(lead["title"], other["title"])
            if value >= MIN_SCORE:
                scored.append((value, lead, other))
    links = []
    for index, (value, lead, other) in enumerate(scored):
        rivals = [v for i, (v, rival_lead, rival) in enumerate(scored) if i != index and
                  (rival is other or (rival_lead is lead and rival["lang"] == other["lang"]))]
        if any(v >= value for v in rivals):
            continue  # a tie, or a better pair for one of the two sides
        links.append(Link(lead["id"], other["id"], lead["group_key"] or lead["id"], value))
    return links


def link_editions(db: Database, source: str, ids: list[str]) -> list[Link]:
    """After a crawl stored `ids` (new or changed), link them to their other editions."""
    entry = sources().get(source)
    if entry is None or entry.editions != "day_and_title" or not ids:
        return []
    lead_lang, *other_langs = entry.languages
    days = {(d["published"] or "")[:10] for d in groups.documents_by_id(db, ids)
            if d["source"] == source}
    candidates = groups.documents_on_days(db, source, days)
    links = match_editions(candidates, lead_lang, tuple(other_langs))
    for link in links:
        groups.set_group_key(db, [link.other_id], link.group_key)
    return links
