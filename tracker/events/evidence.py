"""What every kind of evidence gives the linker: a candidate link between two documents,
with the reason and a sentence a person can check.

Each evidence module (groups, identifiers, releases, rules, reactions) declares:

- `keys(doc)`: the (kind, value) pairs of a document it compares (kept in document_keys,
  so that the documents sharing one are found by an index, not by reading the store);
- `KEY_PAIRS`: which kinds meet which (("fr_ref", "fr"): a number named in a text meets the
  document that has it);
- `find(a, b, shared)`: candidate links between two documents sharing keys (`shared` holds
  (a's kind, b's kind, value));
- `accept(candidate, found)`: whether a candidate survives the others (a tie links nothing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from .docs import Doc


@dataclass(frozen=True)
class Candidate:
    a: str  # the smaller document id of the pair
    b: str
    reason: str  # vocab/events.py REASONS
    strength: float  # the stronger link is kept when an analyst's split forbids some
    evidence: str  # what shows it, for a person to check
    key: str = ""  # what the candidate rests on (a title, a count), for ties
    named: str = ""  # of a naming link: the document named (the rule a release announces)


def candidate(x: Doc, y: Doc, reason: str, strength: float, evidence: str,
              key: str = "", named: str = "") -> Candidate:
    a, b = sorted((x.id, y.id))
    return Candidate(a, b, reason, strength, evidence, key, named)


class Found:
    """Every candidate the linker found, by document, for the ties `accept` looks at."""

    def __init__(self, candidates: list[Candidate], docs: dict[str, Doc],
                 judge: Callable[[Candidate, Found], bool] | None = None):
        self.docs = docs
        self.judge = judge  # whether a candidate survives (the linker's, per reason)
        self.by_doc: dict[str, list[Candidate]] = defaultdict(list)
        for item in candidates:
            self.by_doc[item.a].append(item)
            self.by_doc[item.b].append(item)

    def of(self, doc_id: str, reason: str, key: str | None = None) -> list[Candidate]:
        return [c for c in self.by_doc.get(doc_id, []) if c.reason == reason
                and (key is None or c.key == key)]

    def accepted(self, item: Candidate) -> bool:
        """Whether a candidate of another kind survives its own ties (a reaction asks this of
        the links between the actions it fits)."""
        return self.judge(item, self) if self.judge else True

    @staticmethod
    def other(item: Candidate, doc_id: str) -> str:
        return item.b if item.a == doc_id else item.a
