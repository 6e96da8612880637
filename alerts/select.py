"""A channel's filters beyond categories, sources and languages: the instruments and actors
its events must have, and the keywords their documents must (and must not) contain. Chinese
keywords match in either script, and the other side of the Strait's word for them, through
vocab/text.py's folding (the classifier's and search's own)."""

from __future__ import annotations

import re
from typing import Callable

from sqlite_utils import Database

from store.documents import texts_for
from vocab.text import fold_width, has_han, regional_forms, to_simplified

from .settings import ChannelBase


def folded(text: str) -> str:
    """Text as keywords are matched in it: full-width forms plain, Chinese Simplified,
    lower case."""
    return to_simplified(fold_width(text or "")).lower()


def keyword_pattern(keywords: list[str]) -> re.Pattern | None:
    """One pattern matching any of the keywords in folded text: Chinese anywhere, in any of
    its regional forms; Latin words as whole words."""
    parts = []
    for keyword in keywords:
        if has_han(keyword):
            parts += [re.escape(folded(form)) for form in regional_forms(fold_width(keyword))]
        else:
            parts.append(r"(?<![0-9a-z])" + re.escape(folded(keyword)) + r"(?![0-9a-z])")
    return re.compile("|".join(dict.fromkeys(parts))) if parts else None


def event_filter(db: Database, channel: ChannelBase, document_ids: list[str],
                 facts: dict[str, dict]) -> Callable[[list[str]], bool] | None:
    """Whether the channel wants an event, from the ids of its documents it lists; None
    when the channel has none of these filters. `document_ids` are every document the
    digest may look at; `facts` their facts (store.facts.facts_for)."""
    wanted = keyword_pattern(channel.keywords)
    unwanted = keyword_pattern(channel.exclude_keywords)
    instruments, actors = set(channel.instruments), set(channel.actors)
    if not (wanted or unwanted or instruments or actors):
        return None
    texts = ({doc_id: folded(text) for doc_id, text in texts_for(db, document_ids).items()}
             if wanted or unwanted else {})

    def keep(ids: list[str]) -> bool:
        if instruments and not any(instruments & set(facts.get(i, {}).get("instruments", []))
                                   for i in ids):
            return False
        if actors and not any(actors & set(facts.get(i, {}).get("actors", [])) for i in ids):
            return False
        if wanted and not any(wanted.search(texts.get(i, "")) for i in ids):
            return False
        return not (unwanted and any(unwanted.search(texts.get(i, "")) for i in ids))

    return keep
