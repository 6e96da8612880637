"""A Taiwan-government statement that answers a US action joins the action's event.

A statement of a source speaking for Taiwan's government (`government = "TW"` in
vocab/sources.toml: the Presidential Office, the Executive Yuan, MOEA, the trade negotiators,
the Department of Investment Review, the Trade Administration) answers an action of a source
speaking for the US government (the Federal Register, Commerce, BIS, USTR, the White House)
when both hold:

- **the date window**: the statement is published from 1 day before the action to 7 days
  after it (by each document's own local day; a statement of Taipei's morning can carry the
  day before Washington's);
- **shared evidence**, at least one of:
  - the statement names the action: its Federal Register number (2026-99001), its citation
    (91 FR 61201) or its title in quotes;
  - the statement names a measure by its name (Section 232 / 232條款, Entity List / 實體清單,
    reciprocal tariffs / 對等關稅, ...; `MEASURES`) and the action is that measure (it names
    it too, or the classifier found that instrument in it);
  - the two share an instrument the classifier found in both (document_instruments), other
    than the measures above (those count only when the statement names them: the
    classifier finds the Entity List in "the SHTC entity list", Taiwan's own).
  Actors named in both (document_actors) are shown and weigh in a tie, but never link alone.

How well a statement fits an action is scored (a name of the action 100, each shared measure
name 10, each other shared instrument 3, each shared actor 1). A statement links to the
actions it fits best; when those best fits are two different actions (not joined to each
other by other evidence: a proclamation on the White House site and in the Federal Register
are one action), it links to neither and stays an event of its own. The date of the action
is not a tie-breaker: a statement of the 4th about "the Entity List" with Entity List rules
on the 1st and the 3rd is not guessed.

A Taiwan statement naming a Federal Register number links here, never as the identifiers'
`fr_number`: its window is the reaction's and its role `reaction`.
"""

from __future__ import annotations

import re
from datetime import timedelta

from vocab.events import short_label

from .docs import Doc, days_between
from .evidence import Candidate, Found, candidate

KEY_PAIRS = (("fr_ref", "fr"), ("citation_ref", "citation"), ("title_ref", "title_full"),
             ("title_ref", "title_head"), ("answers", "measure"))

REACTING, ACTING = "TW", "US"  # whose statements answer whose actions
BEFORE, AFTER = 1, 7  # days the statement may come before / after the action
NAMED, MEASURE, INSTRUMENT, ACTOR = 100, 10, 3, 1  # how much each piece of evidence weighs
STRENGTH_NAMED, STRENGTH = 70, 50

# A measure's own names, in English and Chinese (Traditional and Simplified), by the name of
# the classifier's instrument it is, with how an explanation names it. Taiwan's own
# export-control list (the SHTC entity list) is not the US Entity List: a mention of it right
# before is not this name.
_NOT_TAIWANS = r"(?<!SHTC )(?<!SHTC)(?<!高科技貨品)(?<!高科技货品)"
_MEASURES = {
    "section_232": ("Section 232 / 232條款",
                    r"\bsection\s*232\b|(?<!\d)232\s*(?:條款|条款|調查|调查|關稅|关税|措施|國安|国安)"
                    r"|第\s*232\s*(?:條|条)"),
    "section_301": ("Section 301 / 301條款",
                    r"\bsection\s*301\b|(?<!\d)301\s*(?:條款|条款|調查|调查|關稅|关税|措施)"
                    r"|第\s*301\s*(?:條|条)"),
    "entity_list": ("Entity List / 實體清單",
                    _NOT_TAIWANS + r"(?:\bentity list\b|實體清單|实体清单)"),
    "reciprocal_tariffs": ("reciprocal tariffs / 對等關稅",
                           r"\breciprocal tariffs?\b|對等關稅|对等关税"),
    "fdpr": ("Foreign Direct Product Rule / 外國直接產品規則",
             r"\bforeign direct product rule\b|\bFDPR\b|外國直接產品規則|外国直接产品规则"),
    "validated_end_user": ("Validated End-User / 經驗證最終用戶",
                           r"\bvalidated end[- ]users?\b|\bVEU\b|經驗證最終用戶|经验证最终用户"),
    "chips_awards": ("CHIPS Act / 晶片法案",
                     r"\bCHIPS (?:and Science )?Act\b|晶片法案|芯片法案|晶片與科學法|芯片与科学法"),
    "ad_cvd": ("anti-dumping and countervailing duties / 反傾銷與反補貼稅",
               r"\banti-?dumping\b|\bcountervailing dut|反傾銷|反倾销|反補貼|反补贴"),
}
MEASURES: dict[str, re.Pattern] = {name: re.compile(pattern, re.I)
                                   for name, (_, pattern) in _MEASURES.items()}
MEASURE_TITLES = {name: title for name, (title, _) in _MEASURES.items()}
# Instruments that are Taiwan's own measures: shared with a US action, they say nothing.
OWN_INSTRUMENTS = frozenset({"taiwan_export_controls"})


def named_measures(doc: Doc) -> set[str]:
    """The measures a document names by their own names."""
    text = f"{doc.title}\n{doc.text}"
    return {name for name, pattern in MEASURES.items() if pattern.search(text)}


def _instruments(doc: Doc) -> set[str]:
    return set(doc.instruments) - OWN_INSTRUMENTS


def statement_measures(doc: Doc) -> tuple[set[str], set[str]]:
    """What a statement speaks of: the measures it names, and the other instruments the
    classifier found in it. A measure with a name here counts only when named (the
    classifier finds the Entity List in "the SHTC entity list", Taiwan's own)."""
    return named_measures(doc), _instruments(doc) - set(MEASURES)


def action_measures(doc: Doc) -> set[str]:
    """What an action is: the measures it names and the instruments found in it."""
    return named_measures(doc) | _instruments(doc)


def is_statement(doc: Doc) -> bool:
    return doc.government == REACTING and doc.day is not None


def is_action(doc: Doc) -> bool:
    return doc.government == ACTING and doc.day is not None


def keys(doc: Doc) -> set[tuple[str, str]]:
    """A statement: each measure it names or has, on each day an action it answers could
    carry; an action: each measure it names or has, on its day."""
    if is_statement(doc):
        named, others = statement_measures(doc)
        measures = named | others
        days = [doc.day - timedelta(days=offset) for offset in range(-BEFORE, AFTER + 1)]
        return {("answers", f"{m} {day.isoformat()}") for m in measures for day in days}
    if is_action(doc):
        measures = action_measures(doc)
        return {("measure", f"{m} {doc.day.isoformat()}") for m in measures}
    return set()


def find(a: Doc, b: Doc, shared: set[tuple[str, str, str]]) -> list[Candidate]:
    if is_statement(a) and is_action(b):
        statement, action, mine = a, b, shared
    elif is_statement(b) and is_action(a):
        statement, action = b, a
        mine = {(kind_b, kind_a, value) for kind_a, kind_b, value in shared}
    else:
        return []
    gap = days_between(action, statement)
    if gap is None or not -BEFORE <= gap <= AFTER:
        return []
    names = sorted({_named(kind, value, action) for kind, _, value in mine
                    if kind in ("fr_ref", "citation_ref", "title_ref")})
    said, others = statement_measures(statement)
    measures = sorted(said & action_measures(action))
    instruments = sorted(others & _instruments(action))
    if not (names or measures or instruments):
        return []
    actors = sorted(set(statement.actors) & set(action.actors))
    score = (NAMED * bool(names) + MEASURE * len(measures) + INSTRUMENT * len(instruments)
             + ACTOR * len(actors))
    return [candidate(statement, action, "reaction", STRENGTH_NAMED if names else STRENGTH,
                      _evidence(statement, action, gap, names, measures, instruments, actors),
                      key=f"score:{score:04d}", named=action.id)]


def _named(kind: str, value: str, action: Doc) -> str:
    if kind == "fr_ref":
        return f"FR Doc. {value}"
    if kind == "citation_ref":
        return value
    return f"the title “{action.title_head}”"


def _evidence(statement: Doc, action: Doc, gap: int, names: list[str], measures: list[str],
              instruments: list[str], actors: list[str]) -> str:
    when = ("the same day" if gap == 0 else f"{abs(gap)} day{'s' if abs(gap) != 1 else ''} "
            + ("after" if gap > 0 else "before"))
    what = f"FR Doc. {action.external_id}" if action.is_fr else \
        f"the {short_label(action.source, 'en')} action of {action.day.isoformat()}"
    parts = [f"{short_label(statement.source, 'en')}'s statement answers {what}, {when}"]
    if names:
        parts.append("names " + ", ".join(names))
    if measures:
        parts.append("both name " + ", ".join(MEASURE_TITLES[m] for m in measures))
    if instruments:
        parts.append("shared instrument " + ", ".join(MEASURE_TITLES.get(i, i)
                                                      for i in instruments))
    if actors:
        parts.append("shared actors " + ", ".join(actors))
    return "; ".join(parts)


def score(item: Candidate) -> int:
    return int(item.key.split(":", 1)[1])


def accept(item: Candidate, found: Found) -> bool:
    """The statement's best fits are one action: the same document, the same group, or
    documents joined by other evidence the linker accepts."""
    statement = Found.other(item, item.named)
    fits = found.of(statement, "reaction")
    best = max(score(c) for c in fits)
    if score(item) < best:
        return False
    actions = sorted({c.named for c in fits if score(c) == best})
    return len(_actions(actions, found)) == 1


def _actions(documents: list[str], found: Found) -> list[set[str]]:
    """The documents grouped into actions by the other evidence between them."""
    parent = {d: d for d in documents}

    def root(d: str) -> str:
        while parent[d] != d:
            d = parent[d]
        return d

    for doc_id in documents:
        for other_item in found.by_doc.get(doc_id, []):
            other = Found.other(other_item, doc_id)
            if other_item.reason == "reaction" or other not in parent:
                continue
            if found.accepted(other_item):
                one, two = sorted((root(doc_id), root(other)))
                parent[two] = one
    groups: dict[str, set[str]] = {}
    for doc_id in documents:
        groups.setdefault(root(doc_id), set()).add(doc_id)
    return list(groups.values())

