"""The words of events, declared once: the role a document plays in its event and the reason
it was linked to it. The store places documents with them, the linker explains its links
with them, digests say what is new with them and Datasette describes its columns with them.

An event is one policy action as an analyst reads it (a BIS rule, a CHIPS award, a tariff
proclamation); every document belongs to exactly one event, most events have one document.
"""

from __future__ import annotations

import re

from .languages import is_chinese, language_name
from .sources import GOVERNMENTS, government_of, sources

# role -> (what it is, what a digest update says when a document of this role arrives)
ROLES: dict[str, tuple[str, str]] = {
    "announcement": ("a press release announcing the action", "press release"),
    "presidential_document": ("a proclamation, executive order or memorandum",
                              "presidential document published"),
    "rule": ("a rule in the Federal Register", "rule published"),
    "proposed_rule": ("a proposed rule in the Federal Register", "proposed rule published"),
    "notice": ("a notice in the Federal Register", "notice published"),
    "publication": ("a Federal Register document of unstated type", "published"),
    "correction": ("a correction of another document of the event", "correction published"),
    "statement": ("a company's or a government's own statement", "statement"),
    "analysis": ("an analyst firm's release", "analysis"),
    "reaction": ("a Taiwan-government statement answering the US action", "response"),
    "edition": ("the same story in another language", "edition"),
    "document": ("a document of a source with no declared role", "document"),
}
# Which document names an event: the first role in this order that has an English document.
ROLE_ORDER = tuple(ROLES)

# reason -> what it means; every row of event_documents and event_links carries one.
REASONS: dict[str, str] = {
    "lead": "the event's first document",
    "fr_number": "names the Federal Register document by its number",
    "fr_citation": "names the Federal Register document by its citation (90 FR 12345)",
    "rin": "the same Regulation Identifier Number",
    "docket": "the same docket",
    "correction": "a correction of a document of the event",
    "edition": "an edition of the same story (shared group_key)",
    "same_release": "the same release on two sites",
    "title_window": "the same title within a few days",
    "names_rule": "quotes the title of the rule it announces",
    "describes_rule": "describes the rule it announces (every word of its title, or the "
                      "number of Entity List additions)",
    "reaction": "a Taiwan-government statement answering the action: published from a day "
                "before it to a week after, naming it, its measure (Section 232, Entity "
                "List...) or sharing an instrument with it",
    "analyst_merge": "placed here by an analyst's merge",
    "analyst_split": "split off by an analyst",
}

# The Federal Register's document types (as the API names them, or its filter codes).
_FR_TYPES = {
    "rule": "rule", "proposed rule": "proposed_rule", "prorule": "proposed_rule",
    "notice": "notice", "presidential document": "presidential_document",
    "presdocu": "presidential_document",
}


def source_role(source: str) -> str:
    """The role a source's documents play unless their type says more (the registry's
    `role`)."""
    entry = sources().get(source)
    return entry.role if entry else "document"


# When the API's type is missing, the abstract's own words say what a document is.
_SAYS = ((re.compile(r"\bthis proposed rule\b", re.I), "proposed_rule"),
         (re.compile(r"\b(in|by) this (interim final |final |direct final )?rule\b|"
                     r"^this (interim final |final )?rule\b", re.I), "rule"),
         (re.compile(r"\b(this|the following) notice\b|^notice is hereby given\b", re.I),
          "notice"))


def base_role(source: str, doc_type: str | None, text: str | None = None) -> str:
    """A document's own role, before linking: a Federal Register document by its type (or,
    when the type is missing, by what its abstract says it is: "In this rule, ..."), any other
    by its source."""
    if source == "federal_register":
        role = _FR_TYPES.get((doc_type or "").strip().lower())
        if role:
            return role
        for pattern, said in _SAYS:
            if pattern.search(text or ""):
                return said
        return "publication"
    return source_role(source)


def update_phrase(role: str, lang: str = "en", source: str = "") -> str:
    """What a digest says of a new document of an event already sent: 'rule published',
    'Traditional Chinese edition', "Taiwan's response"."""
    if role == "edition":
        return f"{language_name(lang)} edition"
    if role == "reaction" and source:
        return response_label(source)
    return ROLES.get(role, ROLES["document"])[1]


def response_label(source: str) -> str:
    """How a digest marks a reaction of this source: "Taiwan's response"."""
    country = GOVERNMENTS.get(government_of(source), "")
    return f"{country}'s response" if country else "response"


def short_label(source: str, lang: str, external_id: str = "") -> str:
    """How a compact list names a document: `BIS`, `Federal Register 2026-01234`,
    `TSMC 中文`, `TSMC 简体`."""
    entry = sources().get(source)
    label = entry.short if entry else source
    if source == "federal_register" and external_id:
        label += f" {external_id}"
    if is_chinese(lang):
        label += " 简体" if lang == "zh-Hans" else " 中文"
    return label
