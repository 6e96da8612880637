"""Extracting a document's facts after it has been classified: the same prepared text (folded,
split into sentences, boilerplate blanked) and the same look at its terms."""

from __future__ import annotations

from ..rules import RuleBook, Scan
from ..text import Prepared
from . import deadlines as deadline_finder
from .actors import find_actors
from .dates import base_date
from .model import Amount, Deadline, Facts, Rate
from .money import find_amounts
from .rates import find_rates

SENTENCE_CHARS = 400


def extract_facts(scan: Scan, book: RuleBook, doc: dict, metadata: dict,
                  labels: list[str]) -> Facts:
    """`doc` is what was classified (its `published` or `date` dates the text's "August 17");
    `labels` the categories it was given."""
    prepared = scan.doc
    base = base_date(doc.get("published") or doc.get("date"))
    actors, where = find_actors(scan, book, metadata, "export_control" in labels)
    facts = Facts(actors=actors)
    amounts: dict[tuple, Amount] = {}  # one entry per amount, however often it is repeated
    for start, end, value, currency in find_amounts(prepared):
        index = prepared.sentence_at(start)
        named = [a.name for a in actors if index in where.get(a.name, ())]
        known = amounts.get((value, currency))
        if known is None:
            amounts[(value, currency)] = Amount(value, currency,
                                                prepared.quote(start, end).strip(),
                                                sentence(prepared, index), named, start)
        else:  # the actors of every sentence that states it
            known.actors += [name for name in named if name not in known.actors]
    facts.amounts = list(amounts.values())
    rates: dict[float, Rate] = {}
    for start, end, percent in find_rates(scan, book):
        if percent not in rates:
            index = prepared.sentence_at(start)
            rates[percent] = Rate(percent, prepared.quote(start, end).strip(),
                                  sentence(prepared, index), start)
    facts.rates = list(rates.values())
    found = deadline_finder.from_metadata(metadata, base)
    for start, end, kind, day in sorted(deadline_finder.from_text(prepared, base)):
        found.append(Deadline(kind, day.isoformat(), prepared.quote(start, end).strip()))
    seen = set()
    for deadline in found:  # the source's own field first, then what the text adds
        if (deadline.kind, deadline.date) not in seen:
            seen.add((deadline.kind, deadline.date))
            facts.deadlines.append(deadline)
    return facts


def sentence(doc: Prepared, index: int) -> str:
    """A sentence as the source wrote it, cut to SENTENCE_CHARS."""
    start, end = doc.sentences[index]
    text = doc.quote(start, end).strip()
    return text if len(text) <= SENTENCE_CHARS else text[:SENTENCE_CHARS - 1] + "…"
