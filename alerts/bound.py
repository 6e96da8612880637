"""Keeping a digest to a size a channel can carry: at most `max_entries` entries (events) and no
message over `max_bytes`, the most important entries kept (sections in order of importance,
strongest first within each). What is left out is counted by category and linked to the
digest's full list in Datasette; it is still marked as shown, so a backlog after a backfill
becomes one digest with a link, not a hundred digests."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Callable
from urllib.parse import quote

from store.browse import DATABASE_NAME

from .digest import Digest, Omitted, Section
from .email import message_size
from .settings import ChannelBase, EmailChannel, FileChannel, SlackChannel, WebhookChannel

# The canned query (store/browse/metadata.yml) listing every document of one digest.
FULL_LIST_QUERY = "digest_documents"


def full_list_link(browse_url: str, digest_id: str) -> str:
    return (f"{browse_url.rstrip('/')}/{DATABASE_NAME}/{FULL_LIST_QUERY}"
            f"?digest_id={quote(digest_id, safe='')}")


def largest_message(channel: ChannelBase, payload: dict) -> int:
    """The size in bytes of the largest message the channel would send."""
    if isinstance(channel, EmailChannel):
        return message_size(channel, payload)
    if isinstance(channel, SlackChannel):  # as slack-sdk posts it
        return max((len(json.dumps(message).encode()) for message in payload["slack"]),
                   default=0)
    if isinstance(channel, FileChannel):
        return max(len(payload["text"].encode()), len(payload["html"].encode()))
    if isinstance(channel, WebhookChannel):
        return len(payload["webhook"].encode())
    return len(payload["text"].encode())


def cut(digest: Digest, keep: int, link: str) -> Digest:
    """The digest with its first `keep` entries (events: the sections in order of
    importance, then the wider-relevance section); the rest counted and linked."""
    entries = digest.entries
    if keep >= len(entries):
        return digest
    sections, left_out, room = [], [], keep
    for section in digest.sections:
        shown = section.entries[:room]
        room -= len(shown)
        if shown:
            sections.append(Section(section.category, shown, section.name))
        left_out += section.entries[len(shown):]
    wider = digest.wider[:room]
    left_out += digest.wider[len(wider):]
    counts: dict[str, int] = {}
    for entry in left_out:
        counts[entry.category] = counts.get(entry.category, 0) + 1
    documents = [item for entry in left_out for item in entry.items]
    omitted = Omitted(count=len(left_out), categories=list(counts.items()), link=link,
                      document_ids=[item.document_id for item in documents],
                      sources=[item.source for item in documents])
    return replace(digest, sections=sections, wider=wider, omitted=omitted)


def fit(digest: Digest, channel: ChannelBase, render: Callable[[Digest], dict], *,
        link: str) -> tuple[Digest, dict]:
    """The largest cut of `digest` within the channel's bounds, and its payload."""
    keep = min(len(digest.entries), channel.max_entries)
    best = cut(digest, keep, link)
    payload = render(best)
    if largest_message(channel, payload) <= channel.max_bytes or keep == 0:
        return best, payload
    low, high = 0, keep - 1  # the largest count in [low, high] that fits
    best, payload = cut(digest, 0, link), None
    while low <= high:
        middle = (low + high) // 2
        candidate = cut(digest, middle, link)
        rendered = render(candidate)
        if largest_message(channel, rendered) <= channel.max_bytes:
            best, payload, low = candidate, rendered, middle + 1
        else:
            high = middle - 1
    return best, payload if payload is not None else render(best)
