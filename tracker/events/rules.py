"""A release that names or describes the rule it announces.

A Commerce or BIS press release often comes out days before its rule is published in the
Federal Register (a rule placed on public inspection on the 7th is published on the 13th).
Three kinds of evidence join them:

- **names_rule**: the release (or a Federal Register notice about the rule) quotes the
  rule's title, whole or up to its first `;` ("Implementation of Additional Export
  Controls: ..."). The rule must be published at most 7 days before the release or 30 days
  after it; a notice naming a rule must be within 7 days of it (a rule naming a rule of last
  year amends it: another action).
- **describes_rule, by words**: every significant word of the rule's title (before its
  first `;`, leaving out words any rule title has: "additional", "certain", "revisions",
  ...) is in the release's title or opening paragraphs, at least four of them and at least
  half of them in the release's own title (a release about one CHIPS award does not describe
  the programme's notice, whose words its body repeats), and the rule is published between
  the day before the release and 14 days after it.
- **describes_rule, by count**: the release adds N entities to the Entity List and a rule
  on the Entity List published between the day before and 14 days after adds N entities
  (N at least 2).

A tie links nothing: a rule described by two different releases, a release whose count or
quoted title fits two rules. Titles such as "Additions to the Entity List" have too few
words to be described, so two Entity List rules of one week are told apart by their counts
or not linked at all.
"""

from __future__ import annotations

import re
from datetime import timedelta

from .docs import WEAK, Doc, answers, days_between, normalise, significant, stem, words
from .evidence import Candidate, Found, candidate

KEY_PAIRS = (("title_ref", "title_full"), ("title_ref", "title_head"),
             ("fr_window", "fr_day"))

NAMED_BEFORE, NAMED_AFTER = 7, 30  # days the rule may precede / follow the naming release
NOTICE_WINDOW = 7  # days between a notice and the rule it names
DESCRIBED_BEFORE, DESCRIBED_AFTER = 1, 14
MIN_WORDS = 4
MIN_ENTITIES = 2

QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{15,300})[\"\u201d]")
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen "
                 "fourteen fifteen sixteen seventeen eighteen nineteen twenty").split()
NUMBER_WORDS = {word: index + 1 for index, word in enumerate(_NUMBER_WORDS)}
_COUNT = r"(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")"
ENTITY_COUNT = re.compile(
    r"\b(?:add(?:s|ed|ing)?|plac(?:es|ed|ing)|designat(?:es|ed|ing))\s+(?:a\s+total\s+of\s+)?"
    + _COUNT + r"\s+(?:new\s+|additional\s+|more\s+)?(?:entities|entries|parties|companies|"
    r"organizations)\b|\b" + _COUNT + r"\s+(?:new\s+)?additions\s+to\s+the\s+entity\s+list",
    re.I)
ENTITY_LIST_NEAR = 160  # characters after the count within which "Entity List" must follow


def _count(text: str) -> int:
    text = text.lower().replace(",", "")
    return int(text) if text.isdigit() else NUMBER_WORDS.get(text, 0)


def entity_counts(text: str) -> set[int]:
    """How many entities a text says are added to the Entity List (each count it gives)."""
    counts = set()
    for match in ENTITY_COUNT.finditer(text or ""):
        number = _count(match.group(1) or match.group(2))
        if number >= MIN_ENTITIES and \
                "entity list" in text[match.start():match.end() + ENTITY_LIST_NEAR].lower():
            counts.add(number)
    return counts


def quoted_titles(text: str) -> set[str]:
    return {normalise(q) for q in QUOTED.findall(text or "") if significant(q)}


def rule_words(doc: Doc) -> set[str]:
    """The stems a release must contain to describe this rule (empty: too few to say)."""
    stems = {stem(w) for w in words(doc.title_head) if w not in WEAK}
    return stems if len(stems) >= MIN_WORDS else set()


def keys(doc: Doc) -> set[tuple[str, str]]:
    found = {("title_ref", title) for title in quoted_titles(doc.text)}
    if doc.is_fr:
        if significant(doc.title):
            found.add(("title_full", doc.norm_title))
        head = normalise(doc.title_head)
        if head != doc.norm_title and significant(doc.title_head):
            found.add(("title_head", head))
        if doc.day:
            found.add(("fr_day", doc.day.isoformat()))
        if "entity list" in doc.norm_title:
            found |= {("entities", str(n)) for n in entity_counts(doc.text)}
        found.discard(("title_ref", doc.norm_title))
    elif doc.is_announcement and doc.day:
        found |= {("fr_window", (doc.day + timedelta(days=offset)).isoformat())
                  for offset in range(-DESCRIBED_BEFORE, DESCRIBED_AFTER + 1)}
        found |= {("entities", str(n)) for n in entity_counts(doc.text)}
    return found


def find(a: Doc, b: Doc, shared: set[tuple[str, str, str]]) -> list[Candidate]:
    found = []
    for kind_a, kind_b, value in sorted(shared):
        if kind_a == "title_ref" and kind_b in ("title_full", "title_head"):
            found += _names(a, b, value)
        elif kind_b == "title_ref" and kind_a in ("title_full", "title_head"):
            found += _names(b, a, value)
    if {(k_a, k_b) for k_a, k_b, _ in shared} & {("fr_window", "fr_day"),
                                                  ("fr_day", "fr_window")}:
        release, rule = (a, b) if b.is_fr else (b, a)
        found += _describes(release, rule)
    return found


def _names(naming: Doc, rule: Doc, title: str) -> list[Candidate]:
    gap = days_between(naming, rule)
    if gap is None or not rule.is_fr or answers(naming, rule):  # a reaction: reactions.py
        return []
    if naming.is_fr:
        if abs(gap) > NOTICE_WINDOW:
            return []
    elif not -NAMED_BEFORE <= gap <= NAMED_AFTER:
        return []
    return [candidate(naming, rule, "names_rule", 75,
                      f"{'FR Doc. ' + naming.external_id if naming.is_fr else 'the release'} "
                      f"quotes the title of FR Doc. {rule.external_id}: “{rule.title_head}”",
                      key=f"title:{title}", named=rule.id)]


def _describes(release: Doc, rule: Doc) -> list[Candidate]:
    gap = days_between(release, rule)
    if not (release.is_announcement and rule.is_fr) or gap is None \
            or not -DESCRIBED_BEFORE <= gap <= DESCRIBED_AFTER:
        return []
    found = []
    needed = rule_words(rule)
    if needed:
        have = {stem(w) for w in words(f"{release.title}\n{release.lead_text}")}
        in_title = needed & {stem(w) for w in words(release.title)}
        if needed <= have and 2 * len(in_title) >= len(needed):
            shown = dict.fromkeys(w for w in words(rule.title_head) if w not in WEAK)
            found.append(candidate(
                release, rule, "describes_rule", 55,
                f"the release's title and opening contain every word of the title of FR Doc. "
                f"{rule.external_id} ({', '.join(shown)}), {gap} day"
                f"{'s' if abs(gap) != 1 else ''} before it was published",
                key="words", named=rule.id))
    if "entity list" in rule.norm_title and not rule.is_correction:
        for number in sorted(entity_counts(release.text) & entity_counts(rule.text)):
            found.append(candidate(
                release, rule, "describes_rule", 55,
                f"both add {number} entities to the Entity List; FR Doc. {rule.external_id} "
                f"was published {gap} day{'s' if abs(gap) != 1 else ''} after the release",
                key=f"entities:{number}", named=rule.id))
    return found


def accept(item: Candidate, found: Found) -> bool:
    rule = item.named
    naming = Found.other(item, rule)
    docs = found.docs
    if item.reason == "names_rule":
        rules = {c.named for c in found.of(naming, "names_rule", item.key)
                 if not docs[c.named].is_correction}
        return rules == {rule} or docs[rule].is_correction and len(rules) <= 1
    # describes_rule: one story describes the rule; a count fits one rule only
    releases = [Found.other(c, rule) for c in found.of(rule, "describes_rule", item.key)]
    if len({docs[r].norm_title for r in releases}) > 1:
        return False
    if item.key.startswith("entities:"):
        rules = {c.named for c in found.of(naming, "describes_rule", item.key)}
        return rules == {rule}
    return True
