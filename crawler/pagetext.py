"""Readable text from an HTML element: paragraphs kept, navigation and scripts dropped."""

from __future__ import annotations

import copy
import re

from lxml.cssselect import CSSSelector

BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "aside", "main", "li", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "dl", "dt", "dd",
    "figure", "figcaption", "br", "hr",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "form", "button", "nav"}
_BREAK = "\x00"


def without(element, selectors: tuple[str, ...] | list[str]):
    """A copy of `element` with everything matching `selectors` removed (tails kept)."""
    element = copy.deepcopy(element)
    for selector in selectors:
        for found in CSSSelector(selector, translator="html")(element):
            _drop(found)
    return element


def _drop(node) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def block_text(element) -> str:
    """The text of `element`, one paragraph per block element, separated by blank lines."""
    if element is None:
        return ""
    parts: list[str] = []
    _walk(element, parts, root=True)
    text = "".join(parts)
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in text.split(_BREAK)]
    return "\n\n".join(p for p in paragraphs if p)


def _walk(node, parts: list[str], root: bool = False) -> None:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag and tag not in SKIP_TAGS:
        block = tag in BLOCK_TAGS
        if block:
            parts.append(_BREAK)
        if node.text:
            parts.append(node.text)
        for child in node:
            _walk(child, parts)
        if block:
            parts.append(_BREAK)
    if node.tail and not root:
        parts.append(node.tail)
