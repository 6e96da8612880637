"""The full text of a Federal Register document (SOURCES-NEW.md §9), and the Entity List
changes a rule makes. Pure functions over what `raw_text_url` or `body_html_url` returned.

`raw_text_url` serves the Government Publishing Office's plain text: a bracketed header
("[Federal Register Volume 91, Number 163 (Monday, August 24, 2026)]", "[Rules and
Regulations]", "[Pages ...]", "From the Federal Register Online via ...", "[FR Doc No: ...]"),
page markers ("[[Page 54321]]"), rules of dashes, lines wrapped near 70 characters with
paragraphs apart by blank lines, "0" lines before amendatory instructions, and a closing
"[FR Doc. ... Filed ...]" and "BILLING CODE" line. `body_html_url` serves the same document
as HTML. Both become paragraphs separated by blank lines.

An Entity List rule says what it changes in its amendatory instructions, in one form:
"Supplement No. 4 to part 744 is amended ... a. Under CHINA, PEOPLE'S REPUBLIC OF, by adding
in alphabetical order entries for ``Alpha Co.'' and ``Beta Ltd.''; b. Under TAIWAN, by
removing the entry for ``Gamma Corp.''". Those instructions are read here; the table that
follows them (addresses, licence policy) is not.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.pagetext import article_text

HEADER_LINE = re.compile(
    r"^\s*(?:\[Federal Register Volume [^\]]*\]|\[(?:Rules and Regulations|Proposed Rules|"
    r"Notices|Presidential Documents)\]|\[Pages? [^\]]*\]|From the Federal Register Online "
    r"via .*|\[FR Doc(?: No)?[.:][^\]]*\]|\[\[Page \d+\]\]|(?i:BILLING CODE) .*|-{5,}|_{5,}|0)\s*$")
# The running head the Register prints over presidential documents, as paragraphs.
RUNNING_HEAD = re.compile(r"^(?:Federal Register / Vol\. \d+.*|Presidential Documents|"
                          r"Title 3-- The President)$")
PAGE_MARK = re.compile(r"\[\[Page \d+\]\]")
FILED = re.compile(r"\[FR Doc\. [^\]]*Filed[^\]]*\]")


def full_text(body: bytes, content_type: str = "") -> str:
    """The document's paragraphs, from the raw text or the HTML the API links."""
    text = body.decode("utf-8", errors="replace")
    head = text[:2000].lower()
    if "html" in content_type.lower() or "<html" in head or "<body" in head or "<p" in head:
        selector = Selector(text=text)
        pre = selector.css("pre")
        if pre:  # a text rendering wrapped in <pre>
            text = "\n".join(pre.xpath("string(.)").getall())
        else:
            body_node = selector.css("body") or selector.xpath("/*")
            return article_text(body_node[0]) if body_node else ""
    return reflow(text)


def reflow(raw: str) -> str:
    """GPO plain text as paragraphs: header, page markers and rules dropped, wrapped lines
    joined, one blank line between paragraphs."""
    raw = FILED.sub("", PAGE_MARK.sub("", raw.replace("\r\n", "\n")))
    paragraphs: list[str] = []
    current: list[str] = []
    for line in raw.split("\n"):
        if not line.strip() or HEADER_LINE.match(line):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    paragraphs = [re.sub(r"\s+", " ", p) for p in paragraphs]
    return "\n\n".join(p for p in paragraphs if not RUNNING_HEAD.match(p))


# -- the Entity List -------------------------------------------------------------------------

AMENDED = re.compile(r"supplement\s+no\.?\s*4\s+to\s+part\s+744\s+is\s+amended", re.I)
END_OF_INSTRUCTIONS = re.compile(
    r"(?:the\s+(?:additions|revisions|additions\s+and\s+revisions|revision|addition)\s+"
    r"reads?\s+as\s+follows|Supplement\s+No\.?\s*4\s+to\s+Part\s+744\s*(?:--|—|–)\s*Entity\s+List)",
    re.I)
UNDER = re.compile(r"\bunder\s+(?:the\s+destination\s+(?:of\s+)?)?"
                   r"(?P<country>[A-Z][A-Za-z ,.'()-]*?)"
                   r"\s*,?\s+(?=by\b|the\s+entr|entr)", re.I)
VERB = re.compile(r"\b(?P<verb>adding|removing|revising|amending)\b", re.I)
QUOTED = re.compile(r"``(?P<a>.+?)''|“(?P<b>.+?)”|\"(?P<c>.+?)\"", re.S)
CHANGES = {"adding": "added", "removing": "removed", "revising": "revised",
           "amending": "revised"}


def entity_list_changes(text: str) -> dict[str, list[dict]]:
    """{"added": [{"name", "country"}], "removed": [...], "revised": [...]} as the rule's
    amendatory instructions for supplement no. 4 to part 744 state them; {} when the text
    has none."""
    start = AMENDED.search(text)
    if not start:
        return {}
    rest = text[start.end():]
    end = END_OF_INSTRUCTIONS.search(rest)
    block = re.sub(r"\s+", " ", rest[:end.start()] if end else rest[:20000])
    # Names are set aside first: their own periods and semicolons are not clause ends.
    names: list[str] = []

    def aside(match: re.Match) -> str:
        names.append(_name(next(g for g in match.groups() if g is not None)))
        return f" \x00{len(names) - 1}\x00 "

    block = QUOTED.sub(aside, block)
    found: dict[str, list[dict]] = {}
    for clause in re.split(r";|\.\s+(?=(?:and\s+)?[a-z]\.\s|\d+\.\s|[A-Z])", block):
        under = UNDER.search(clause)
        country = _country(under.group("country")) if under else ""
        verb = ""
        for token in re.finditer(r"\x00(\d+)\x00|" + VERB.pattern, clause, re.I):
            if token.group(1) is None:
                verb = token.group("verb").lower()
                continue
            change = CHANGES.get(verb)
            name = names[int(token.group(1))]
            if change and name:
                entry = {"name": name, "country": country}
                bucket = found.setdefault(change, [])
                if entry not in bucket:
                    bucket.append(entry)
    return found


def _name(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().rstrip(",;")


def _country(value: str) -> str:
    """A destination as the instructions write it, in capitals ("CHINA, PEOPLE'S REPUBLIC
    OF") or as a name ("China"), without the words around it."""
    value = re.sub(r"\s+", " ", value).strip(" ,.")
    return re.sub(r"^(?:the\s+)?destination\s+(?:of\s+)?", "", value, flags=re.I)
