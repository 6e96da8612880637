"""Counts for a summary of what a store holds: documents per source and language, and how
many carry each category."""

from __future__ import annotations

from sqlite_utils import Database


def documents_by_source_language(db: Database) -> list[dict]:
    """[{source, lang, documents, tagged}] ordered by source and language."""
    return list(db.query(
        "select source, lang, count(*) as documents, "
        "sum(case when exists (select 1 from document_tags t where t.document_id = d.id) "
        "then 1 else 0 end) as tagged "
        "from documents d group by source, lang order by source, lang"))


def documents_by_category(db: Database) -> dict[str, int]:
    return {row["category"]: row["documents"] for row in db.query(
        "select category, count(distinct document_id) as documents from document_tags "
        "group by category order by documents desc")}
