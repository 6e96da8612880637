"""The one document schema every spider yields, with closed vocabularies and provenance.

Spiders build documents with `make_document()`, which refuses what must never be stored:
an empty title, an unknown language, a date that is not ISO, an address that is not an
http(s) URL (a `javascript:` or `data:` link from an API field would otherwise become a link
in feeds and digests).
"""

from __future__ import annotations

from datetime import date, datetime

from vocab.languages import LANGUAGES
from vocab.links import is_web_url
from vocab.sources import sources
from vocab.text import clean_line, clean_text


class DocumentError(ValueError):
    """A page did not give what a document needs; the message says what was missing."""


def document_id(source: str, external_id: str, lang: str) -> str:
    """The stable identity of a document: `source:external_id`, plus `:lang` for editions
    other than English (spiders use it to look up what is already stored)."""
    if lang == "en" or source == "federal_register":
        return f"{source}:{external_id}"
    return f"{source}:{external_id}:{lang}"


def make_document(*, source: str, external_id: str, lang: str, url: str, title: str,
                  published: date | datetime | str, text: str = "", summary: str = "",
                  dateline: str = "", doc_type: str = "", group_key: str = "",
                  metadata: dict | None = None, page: str | None = None) -> dict:
    """A validated document dict. `page` names where it came from, for error messages."""
    where = page or url
    title = clean_line(title)
    if not title:
        raise DocumentError(f"{source}: {where} has no title")
    if lang not in LANGUAGES:
        raise DocumentError(f"{source}: {where} has unknown language {lang!r}")
    if source not in sources():
        raise DocumentError(f"unknown source {source!r}")
    if not external_id:
        raise DocumentError(f"{source}: {where} has no identity")
    if not is_web_url(url):
        shown = url[:80] + ("…" if len(url) > 80 else "") if isinstance(url, str) else url
        raise DocumentError(f"{source}: {page or external_id}: its address {shown!r} is not "
                            f"an http(s) URL; the document was not stored")
    published_iso, precision = _iso(published, source, where)
    return {
        "id": document_id(source, external_id, lang),
        "source": source,
        "external_id": external_id,
        "lang": lang,
        "url": url,
        "title": title,
        "text": clean_text(text),
        "summary": clean_line(summary),
        "dateline": clean_line(dateline),
        "published": published_iso,
        "date_precision": precision,
        "timezone": sources()[source].timezone,
        "doc_type": doc_type,
        "group_key": group_key or f"{source}:{external_id}",
        "metadata": metadata or {},
    }


def _iso(value, source: str, where: str) -> tuple[str, str]:
    if isinstance(value, datetime):
        return value.isoformat(), "datetime"
    if isinstance(value, date):
        return value.isoformat(), "day"
    if isinstance(value, str) and value:
        try:
            if "T" in value:
                return datetime.fromisoformat(value).isoformat(), "datetime"
            return date.fromisoformat(value).isoformat(), "day"
        except ValueError:
            pass
    raise DocumentError(f"{source}: {where} has no usable publication date ({value!r})")
