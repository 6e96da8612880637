"""The facts a document states, as the classifier gives them: amounts of money, rates,
deadlines and actors, each with the words it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

DEADLINE_KINDS = ("effective", "comments_close", "compliance")


def number(value: float) -> int | float:
    """A value as JSON shows it: whole numbers without a fraction."""
    return int(value) if float(value).is_integer() else round(value, 6)


@dataclass
class Amount:
    value: float  # in units of the currency (US$6.6 billion -> 6600000000)
    currency: str  # ISO 4217: USD, TWD, CNY, EUR, JPY...
    text: str  # the words as the source wrote them
    sentence: str = ""  # the sentence it stands in
    actors: list[str] = field(default_factory=list)  # actors named in that sentence
    start: int = 0  # offset in the classifier's text (for ordering)

    def as_dict(self) -> dict:
        return {"value": number(self.value), "currency": self.currency, "text": self.text}


@dataclass
class Rate:
    percent: float
    text: str
    sentence: str = ""
    start: int = 0

    def as_dict(self) -> dict:
        return {"percent": number(self.percent), "text": self.text}


@dataclass
class Deadline:
    kind: str  # effective | comments_close | compliance
    date: str  # YYYY-MM-DD
    text: str  # the phrase, or the source field it came from
    origin: str = "text"  # text | metadata

    def as_dict(self) -> dict:
        return {"kind": self.kind, "date": self.date, "text": self.text}


@dataclass
class ActorMention:
    name: str  # canonical: "TSMC", "ECCN 3A090", "15 CFR 744"
    kind: str  # company | government | eccn | cfr
    text: str  # the first words that named it
    country: str = ""
    start: int = 0


@dataclass
class Facts:
    amounts: list[Amount] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The shape `chipwatch classify` prints."""
        return {"amounts": [a.as_dict() for a in self.amounts],
                "rates": [r.as_dict() for r in self.rates],
                "deadlines": [d.as_dict() for d in self.deadlines],
                "actors": [a.name for a in self.actors]}
