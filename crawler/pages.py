"""Reading US government press-release pages: datelines and body text without navigation.
Pure functions over strings and Scrapy selectors."""

from __future__ import annotations

import re

from vocab.text import clean_line, clean_text

# "WASHINGTON, D.C. – Today, …", "WASHINGTON — …": an upper-case place, then a dash.
DATELINE = re.compile(r"^\s*((?:[A-Z][A-Z.'’]*\.?[ ,]*){1,6}?)\s*[–—-]{1,2}\s+(?=\S)")
# Blocks that carry text; nested blocks are skipped so no paragraph is read twice.
BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "blockquote", "pre", "td")
NOISE = ("nav", "header", "footer", "aside", "form", "script", "style", "noscript", "button",
         "svg", "template")


def split_dateline(text: str) -> tuple[str, str]:
    """("WASHINGTON, D.C.", "Today, …") from "WASHINGTON, D.C. – Today, …"; ("", text) when
    the text opens with no dateline."""
    match = DATELINE.match(text or "")
    if not match:
        return "", text
    place = match.group(1).strip(" ,")
    if len(re.sub(r"[^A-Z]", "", place)) < 3:
        return "", text
    return place, text[match.end():]


def block_text(node, skip=()) -> str:
    """The readable text of a selector: its paragraphs, list items and headings in document
    order, blank-line separated, leaving out navigation, forms and scripts, and any block
    whose text is in `skip` (the title, a header line)."""
    if node is None:
        return ""
    noise = " or ".join(f"ancestor::{tag}" for tag in NOISE)
    nested = " or ".join(f"ancestor::{tag}" for tag in BLOCKS)
    path = " | ".join(f".//{tag}[not({noise})][not({nested})]" for tag in BLOCKS)
    skipped = {clean_line(s).casefold() for s in skip if s}
    paragraphs = []
    for block in node.xpath(path):
        text = clean_text(" ".join(block.xpath(".//text()").getall()))
        if text and clean_line(text).casefold() not in skipped:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def body_with_dateline(text: str) -> tuple[str, str]:
    """Split the dateline off the first paragraph of a body."""
    first, sep, rest = text.partition("\n\n")
    place, first = split_dateline(first)
    if not place:
        return "", text
    return place, (first + sep + rest).strip()
