"""The facts a document states, extracted along with its classification: amounts of money
(a number and its ISO 4217 currency), rates (percentages where a tariff or duty is spoken
of), deadlines (effective, comments_close, compliance) and actors (canonical names from
vocab/actors.toml, ECCNs, CFR parts), each with the words it came from."""

from .extract import extract_facts
from .model import DEADLINE_KINDS, ActorMention, Amount, Deadline, Facts, Rate

__all__ = ["DEADLINE_KINDS", "ActorMention", "Amount", "Deadline", "Facts", "Rate",
           "extract_facts"]
