"""Readable text of an article page: the one extractor for every source's bodies.

Block elements (paragraphs, headings, list items, table rows, divisions, line breaks) end a
paragraph; inline elements run on with no space added, so `China<span>’</span>s` stays one
word and Chinese text gains no stray spaces; table cells of one row are spaced apart.
Navigation, page headers and footers, asides, forms, buttons and scripts are never text.
A spider points the extractor at the article's body, drops what else it knows to be page
furniture (`drop`: CSS selectors, or nodes it has found) and leaves out paragraphs it took
elsewhere (`skip`: the title, an agency banner).
"""

from __future__ import annotations

import re

from lxml.cssselect import CSSSelector

from vocab.text import clean_line

BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "caption",
    "figure", "figcaption", "address", "details", "summary", "br", "hr",
}
CELL_TAGS = {"td", "th"}
NOT_TEXT = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object",
    "form", "button", "select", "nav", "header", "footer", "aside",
}
_BREAK = "\x00"

# "WASHINGTON, D.C. – Today, …", "WASHINGTON — …": an upper-case place, then a dash.
US_DATELINE = re.compile(r"^\s*((?:[A-Z][A-Z.'’]*\.?[ ,]*){1,6}?)\s*[–—-]{1,2}\s+(?=\S)")


def article_text(node, *, drop=(), skip=()) -> str:
    """The paragraphs of `node` (a Scrapy selector or an lxml element), blank-line
    separated, without the elements `drop` names (CSS selectors or nodes; the text that
    follows them is kept) and without paragraphs whose text is one of `skip`."""
    element = getattr(node, "root", node)
    if element is None or not isinstance(getattr(element, "tag", None), str):
        return ""
    dropped: set = set()
    for item in drop:
        if isinstance(item, str):
            dropped.update(CSSSelector(item, translator="html")(element))
        else:
            dropped.add(getattr(item, "root", item))
    parts: list[str] = []
    _walk(element, parts, dropped, root=True)
    skipped = {clean_line(text).casefold() for text in skip if text}
    paragraphs = (clean_line(p) for p in "".join(parts).split(_BREAK))
    return "\n\n".join(p for p in paragraphs if p and p.casefold() not in skipped)


def _walk(node, parts: list[str], dropped: set, root: bool = False) -> None:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""  # "" for comments
    if tag and tag not in NOT_TEXT and node not in dropped:
        edge = _BREAK if tag in BLOCK_TAGS else " " if tag in CELL_TAGS else ""
        parts.append(edge)
        if node.text:
            parts.append(node.text)
        for child in node:
            _walk(child, parts, dropped)
        parts.append(edge)
    if node.tail and not root:
        parts.append(node.tail)


def split_us_dateline(text: str) -> tuple[str, str]:
    """("WASHINGTON, D.C.", the text without it) when the first paragraph of a US release
    opens with a dateline ("WASHINGTON, D.C. – Today, …"); ("", text) otherwise."""
    first, sep, rest = text.partition("\n\n")
    match = US_DATELINE.match(first)
    if not match:
        return "", text
    place = match.group(1).strip(" ,")
    if len(re.sub(r"[^A-Z]", "", place)) < 3:
        return "", text
    return place, (first[match.end():] + sep + rest).strip()
