"""What a digest shows of a document's facts: its instruments by title, the amounts and rates
it states (the ones in the quoted sentence first). One function for one document, so that an
entry made of several documents shows the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field

from vocab.categories import Categories
from vocab.text import has_han

SHOWN = 2  # amounts and rates shown per entry; the store keeps them all
# How an ISO 4217 currency is written before its amount.
SIGNS = {"USD": "US$", "TWD": "NT$", "EUR": "€", "JPY": "¥", "CNY": "CN¥", "HKD": "HK$",
         "KRW": "₩", "GBP": "£", "SGD": "S$", "AUD": "A$", "CAD": "C$"}
SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


@dataclass
class Shown:
    instruments: list[str] = field(default_factory=list)  # titles, strongest first
    amounts: list[str] = field(default_factory=list)  # "US$6.6 billion"
    rates: list[str] = field(default_factory=list)  # "25%"

    def __bool__(self) -> bool:
        return bool(self.instruments or self.amounts or self.rates)

    def figures(self) -> str:
        """'US$6.6 billion; rate 25%' (empty when there is neither)."""
        parts = []
        if self.amounts:
            parts.append(", ".join(self.amounts))
        if self.rates:
            parts.append("rate " + ", ".join(self.rates))
        return "; ".join(parts)


def format_amount(value: float, currency: str) -> str:
    """6.6e9, USD -> 'US$6.6 billion'; 5e4, TWD -> 'NT$50,000'."""
    sign = SIGNS.get(currency, currency + " ")
    for size, word in SCALES:
        if value >= size:
            return f"{sign}{_number(value / size)} {word}"
    return f"{sign}{value:,.0f}" if value >= 100 else f"{sign}{_number(value)}"


def format_rate(percent: float) -> str:
    return f"{_number(percent)}%"


def _number(value: float) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def shown_facts(facts: dict | None, categories: Categories, sentence: str = "") -> Shown:
    """What to show of one document's facts (as store.facts.facts_for gives them); amounts
    and rates named in `sentence` (the entry's evidence) come first. A figure written in
    Chinese is shown normalised, with the source's words after it."""
    if not facts:
        return Shown()
    amounts = sorted(facts.get("amounts", []),
                     key=lambda a: not (sentence and a["text"] in sentence))
    shown_amounts, seen = [], set()
    for amount in amounts:
        text = format_amount(amount["value"], amount["currency"])
        if text in seen:
            continue
        seen.add(text)
        shown_amounts.append(f"{text} ({amount['text']})" if has_han(amount["text"]) else text)
        if len(shown_amounts) == SHOWN:
            break
    rates = sorted(facts.get("rates", []),
                   key=lambda r: not (sentence and r["text"] in sentence))
    shown_rates = list(dict.fromkeys(format_rate(r["percent"]) for r in rates))[:SHOWN]
    return Shown(instruments=[categories.instrument(name).title
                              for name in facts.get("instruments", [])],
                 amounts=shown_amounts, rates=shown_rates)


def merged_facts(documents: list[dict | None]) -> dict:
    """The facts of several documents of one event as one (instruments in order, each
    once; every amount and rate), for `shown_facts`."""
    merged: dict = {"instruments": [], "amounts": [], "rates": []}
    for facts in documents:
        if not facts:
            continue
        for name in facts.get("instruments", []):
            if name not in merged["instruments"]:
                merged["instruments"].append(name)
        merged["amounts"] += facts.get("amounts", [])
        merged["rates"] += facts.get("rates", [])
    return merged
