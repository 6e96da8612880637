"""A statement that answers an action: reserved for the Taiwan sources.

When chipwatch reads Taiwan's government (the Presidential Office, the Executive Yuan, the
Ministry of Economic Affairs, the trade negotiators) and the White House and USTR, a statement
answering a US measure joins the measure's event with the role `reaction` and the reason
`reaction`. This module is where that evidence goes, in the shape of the others:

- `keys(doc)`: what a reaction names of the action it answers: a Federal Register number or
  citation, the rule's title, the measure's own name ("Section 232", "Entity List") with the
  day it was announced, in English or Chinese (232條款, 實體清單);
- `KEY_PAIRS`: those kinds against the action's documents' keys;
- `find(a, b, shared)`: a `reaction` candidate when a statement of a government or company
  source names an action published shortly before it;
- `accept`: a statement that fits two actions links to neither.

Until those sources exist it proposes nothing.
"""

from __future__ import annotations

from .docs import Doc
from .evidence import Candidate, Found

KEY_PAIRS: tuple[tuple[str, str], ...] = ()


def keys(doc: Doc) -> set[tuple[str, str]]:
    return set()


def find(a: Doc, b: Doc, shared: set[tuple[str, str, str]]) -> list[Candidate]:
    return []


def accept(item: Candidate, found: Found) -> bool:
    return False
