"""What to cite for a document or an event, in English and in Chinese.

A document is cited as itself, except that a footnote in the other language cites its edition
in that language when it has one (an edition is a document of the same source, in the same
event, in the other language: TSMC's Chinese release of an English one). An event is cited
as its lead document (the one its title comes from), with the same rule for editions.

The footnotes' form and the outlets' names are vocab/citations.py's.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

from vocab.citations import LANGUAGES, citation_language, footnote

from .documents import ids_ending_with

_COLUMNS = "d.id, d.source, d.lang, d.title, d.published, d.url"
_EVENT_ID = re.compile(r"^(?:event[:#]?)?(\d+)$", re.I)


class NotFound(LookupError):
    """No document or event has this id; the message says what ids look like."""


def _document(db: Database, doc_id: str) -> dict | None:
    return next(db.query(f"select {_COLUMNS} from documents d where d.id = ?", [doc_id]), None)


def editions(db: Database, doc: dict) -> list[dict]:
    """The other-language documents of the same source in the document's event."""
    return list(db.query(
        f"select {_COLUMNS} from event_documents a "
        "join event_documents b on b.event_id = a.event_id and b.document_id != a.document_id "
        "join documents d on d.id = b.document_id "
        "where a.document_id = ? and d.source = ? and d.lang != ? "
        "order by d.lang = 'zh-Hant' desc, d.lang, d.id",  # Taiwan's script first
        [doc["id"], doc["source"], doc["lang"]]))


def cited_documents(db: Database, doc: dict) -> dict[str, dict]:
    """"en"/"zh" -> the document a footnote in that language cites for `doc`."""
    chosen = {citation_language(doc["lang"]): doc}
    for edition in editions(db, doc):
        chosen.setdefault(citation_language(edition["lang"]), edition)
    return {language: chosen.get(language, doc) for language in LANGUAGES}


def footnotes_for(db: Database, doc: dict) -> dict[str, str]:
    """"en"/"zh" -> the footnote citing `doc` (a row with id, source, lang, title,
    published, url) in that language."""
    return {language: footnote(language, title=cited["title"], source=cited["source"],
                               published=cited["published"], url=cited["url"],
                               document_language=cited["lang"])
            for language, cited in cited_documents(db, doc).items()}


def document_footnotes(db: Database, doc_id: str) -> dict[str, str] | None:
    doc = _document(db, doc_id)
    return footnotes_for(db, doc) if doc else None


def event_footnotes(db: Database, event_id: int) -> dict[str, str] | None:
    """The footnotes of an event: those of its lead document."""
    row = next(db.query("select lead_document_id from events where id = ?", [event_id]), None)
    doc = _document(db, row["lead_document_id"]) if row and row["lead_document_id"] else None
    return footnotes_for(db, doc) if doc else None


def resolve(db: Database, given: str) -> tuple[str, str | int]:
    """("event", id) or ("document", id) for what a person typed: an event's number (`12`,
    `event:12`), a document's id, or the unique end of one (`2026-16628`)."""
    given = given.strip()
    event = _EVENT_ID.match(given)
    if event:
        event_id = int(event.group(1))
        if next(db.query("select 1 from events where id = ?", [event_id]), None):
            return "event", event_id
        raise NotFound(f"there is no event {event_id} (it may have been merged into another); "
                       f"`chipwatch events` lists them")
    if given and _document(db, given):
        return "document", given
    found = ids_ending_with(db, given)
    if len(found) == 1:
        return "document", found[0]
    hint = (f"; did you mean one of: {', '.join(found)}" if found else
            "; a document's id looks like federal_register:2026-17231 (the reading page "
            "of `chipwatch browse` shows it) and an event's is a number")
    raise NotFound(f"no document or event '{given}'{hint}")
