"""The Federal Register's identifiers: a document number (2026-01234), a citation
(90 FR 12345), a Regulation Identifier Number (RIN, 0694-AJ12) and a docket
(BIS-2025-0001, USTR-2024-0016).

A Federal Register document has its number, and its citation, RINs and dockets as the API
gives them. Any document that names one of them in its text (a press release giving the
rule's number or citation, a correction naming the corrected document) meets that document.

A number or citation named in a text links only when the two were published close together
(the Federal Register document at most 7 days before the naming document or 30 days after
it): a release that recalls an older rule by its citation is not about that rule. Between
two Federal Register documents only a correction links this way: a rule naming another rule
amends it, which is an action of its own. A RIN or docket shared by two documents published
within 30 days links them; a proceeding's proposed and final rules, months apart, stay
apart. Anti-dumping and countervailing duty case numbers (A-583-831) name proceedings that
run for years, so they are not dockets here. A Taiwan-government statement naming a US
document is left to reactions.py (its window and role are a reaction's).
"""

from __future__ import annotations

import re

from .docs import Doc, answers, days_between
from .evidence import Candidate, Found, candidate

KEY_PAIRS = (("fr_ref", "fr"), ("citation_ref", "citation"), ("rin", "rin"),
             ("docket", "docket"))

FR_NUMBER = re.compile(r"(?<![\w-])((?:C\d+-)?(?:19|20)\d{2}-\d{5})(?![\w-])")
CITATION = re.compile(r"\b(\d{1,3})\s*FR\s*(\d{1,6})\b")
RIN = re.compile(r"\b(\d{4}-A[A-Z]\d{2})\b")
DOCKET = re.compile(r"\b((?:[A-Z]{2,6})-\d{4}-\d{4})\b")
CASE_NUMBER = re.compile(r"^[AC]-\d{3}-\d{3}$")
NAMED_BEFORE, NAMED_AFTER = 7, 30  # days the document may precede / follow its naming
SHARED_WITHIN = 30


def _citation(text: str) -> str | None:
    match = CITATION.search(text or "")
    return f"{int(match.group(1))} FR {int(match.group(2))}" if match else None


def _docket(value: str) -> str | None:
    value = re.sub(r"^\s*(docket\s*(no\.?|number)?\s*:?)\s*", "", value or "",
                   flags=re.I).strip().upper()
    if not value or CASE_NUMBER.match(value):
        return None
    return value


def keys(doc: Doc) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    text = f"{doc.title}\n{doc.text}"
    for number in FR_NUMBER.findall(text):
        if number != doc.external_id:
            found.add(("fr_ref", number))
    for match in CITATION.finditer(text):
        found.add(("citation_ref", f"{int(match.group(1))} FR {int(match.group(2))}"))
    found |= {("rin", rin) for rin in RIN.findall(text)}
    found |= {("docket", d) for d in (_docket(m) for m in DOCKET.findall(text)) if d}
    if doc.is_fr:
        found.add(("fr", doc.external_id))
        citation = _citation(str(doc.metadata.get("citation") or ""))
        if citation:
            found.add(("citation", citation))
            found.discard(("citation_ref", citation))
        for rin in doc.metadata.get("regulation_id_numbers") or []:
            if isinstance(rin, str) and rin.strip():
                found.add(("rin", rin.strip().upper()))
        for raw in doc.metadata.get("docket_ids") or []:
            docket = _docket(raw) if isinstance(raw, str) else None
            if docket:
                found.add(("docket", docket))
    return found


def find(a: Doc, b: Doc, shared: set[tuple[str, str, str]]) -> list[Candidate]:
    found = []
    for kind_a, kind_b, value in sorted(shared):
        pair = {kind_a, kind_b}
        if pair == {"fr_ref", "fr"} or pair == {"citation_ref", "citation"}:
            named = a if kind_a in ("fr_ref", "citation_ref") else b
            document = b if named is a else a
            if _names_in_time(named, document):
                reason = "fr_number" if "fr" in pair else "fr_citation"
                what = f"FR Doc. {value}" if reason == "fr_number" else value
                found.append(candidate(a, b, reason, 92,
                                       f"{_label(named)} names {what}", key=value))
        elif kind_a == kind_b and kind_a in ("rin", "docket"):
            gap = days_between(a, b)
            if gap is not None and abs(gap) <= SHARED_WITHIN:
                found.append(candidate(a, b, kind_a, 80,
                                       f"both carry {'RIN' if kind_a == 'rin' else 'docket'} "
                                       f"{value}", key=value))
    return found


def _names_in_time(named: Doc, document: Doc) -> bool:
    if named.is_fr and not named.is_correction:
        return False  # a rule naming another rule amends it: an action of its own
    if answers(named, document):
        return False  # Taiwan's statement naming a US document: a reaction (reactions.py)
    gap = days_between(named, document)
    return gap is not None and -NAMED_BEFORE <= gap <= NAMED_AFTER


def _label(doc: Doc) -> str:
    if doc.is_fr:
        return f"FR Doc. {doc.external_id}"
    return "the release" if doc.is_announcement else "the text"


def accept(item: Candidate, found: Found) -> bool:
    return True
