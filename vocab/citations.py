"""Footnotes in the form the papers on US–Taiwan chip policy use:

    English   “Title,” Outlet, Month D, YYYY, URL.
    Chinese   《標題》，機構，YYYY年M月D日，URL。

The outlet is named as the papers name it, from the source registry's `cite` key
(vocab/sources.toml): U.S. Department of Commerce / 美國商務部, TSMC / 台積公司, 總統府...
A footnote for a Simplified-Chinese document names its outlet in Simplified characters.
"""

from __future__ import annotations

import re

from .sources import sources
from .text import to_simplified

LANGUAGES = ("en", "zh")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
UNDATED = {"en": "n.d.", "zh": "日期不詳"}


def citation_language(document_language: str) -> str:
    """The footnote form a document's own language is cited in: "zh" or "en"."""
    return "zh" if (document_language or "").startswith("zh") else "en"


def outlet(source: str, language: str, document_language: str = "") -> str:
    """How a footnote in `language` names `source` (its registry title when not declared)."""
    entry = sources().get(source)
    name = entry.outlet(language) if entry else source
    if language == "zh" and document_language == "zh-Hans":
        return to_simplified(name)
    return name


def cited_date(published: str | None, language: str) -> str:
    """The publication day as a footnote writes it; the day the source gives, in its zone."""
    match = _DAY.match(published or "")
    if not match:
        return UNDATED[language]
    year, month, day = (int(part) for part in match.groups())
    if language == "zh":
        return f"{year}年{month}月{day}日"
    return f"{MONTHS[month - 1]} {day}, {year}"


def footnote(language: str, *, title: str, source: str, published: str | None, url: str,
             document_language: str = "") -> str:
    """One footnote, in `language` ("en" or "zh")."""
    if language not in LANGUAGES:
        raise ValueError(f"citation language must be one of {LANGUAGES}, not {language!r}")
    title = " ".join((title or "").split())
    name = outlet(source, language, document_language)
    day = cited_date(published, language)
    if language == "zh":
        return f"《{title}》，{name}，{day}，{url}。"
    comma = "" if title.endswith(("?", "!", ".")) else ","
    return f"“{title}{comma}” {name}, {day}, {url}."
