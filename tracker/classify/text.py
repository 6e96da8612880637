"""Text as the classifier sees it: Unicode-normalised, one script for Chinese, split into
sentences with their offsets so that a match can be shown in the sentence it came from."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from vocab.text import HAN, clean_lines, fold_width, to_simplified

CJK = HAN  # the one definition of a Chinese character (vocab/text.py)

# Where a sentence may end: Chinese full stops always; ! and ? always; a full stop followed
# by space and something that starts a sentence, unless the word before it is an
# abbreviation (U.S., Co., Inc., No., Jan., ...).
_BOUNDARY = re.compile(
    r"[\u3002!?]+[\"'\u201d\u2019\u300d\u300f)]*\s*"          # 。 ! ? (！？ are folded)
    r"|\.[\"'\u201d\u2019)]*\s+(?=[A-Z\"'\u201c\u2018(\u3400-\u9fff])"  # . then a capital
    r"|\n+")
_STOP = re.compile(r"[.!?\u3002\n]")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Za-z](?:\.[A-Za-z]){0,3}"             # initials, U.S., U.S.C., R.O.C.
    r"|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Sec|St|No|Nos|Co|Corp|Inc|Ltd|Jr|Sr|vs|etc|al|Fig"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Dept|Univ|approx|Pub|Stat|Reg|Ch"
    r"|cf|e\.g|i\.e))\.[\"'\u201d\u2019)]*\s+$")


def clean(value: str | None) -> str:
    """Stored text as the classifier reads it: full-width Latin forms folded, one space
    between words, single newlines between paragraphs."""
    return clean_lines(fold_width(value)) if value else ""


def normalise_term(value: str) -> str:
    """What a rule's term is turned into before it is compiled: the same folding as text."""
    return to_simplified(clean(unicodedata.normalize("NFKC", value)))


def split_sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, offsets shifted by `start`."""
    spans, begin = [], 0
    for candidate in _STOP.finditer(text):
        if candidate.start() < begin:
            continue
        mark = _BOUNDARY.match(text, candidate.start())
        if not mark:
            continue
        end = mark.end()
        if mark.group().startswith(".") and _ABBREVIATION.search(
                text, max(begin, mark.start() - 12), end):
            continue
        if text[begin:end].strip():
            spans.append((start + begin, start + end))
        begin = end
    if text[begin:].strip():
        spans.append((start + begin, start + len(text)))
    return spans


@dataclass
class Prepared:
    """A document ready for matching. `display` is what evidence quotes (the source's own
    script); `match` is what patterns run on (Simplified for Chinese). They have the same
    length, so an offset in one is the same place in the other."""

    display: str
    match: str
    lowered: str
    has_cjk: bool
    title_end: int
    starts: list[int]
    sentences: list[tuple[int, int]]
    _owners: list[int] | None = field(default=None, repr=False)

    def owners(self) -> list[int]:
        """For every offset of the text, the index of its sentence (built once, on demand)."""
        if self._owners is None:
            owners = [0] * len(self.match)
            bounds = self.starts[1:] + [len(self.match)]
            for index, (start, end) in enumerate(zip(self.starts, bounds, strict=True)):
                owners[start:end] = [index] * (end - start)
            self._owners = owners
        return self._owners

    def in_title(self, index: int) -> bool:
        return self.sentences[index][0] < self.title_end


def prepare(title: str | None, text: str | None) -> Prepared:
    """Title and text as one string (the title is always a sentence of its own)."""
    title, body = clean(title), clean(text)
    display = f"{title}\n{body}" if body else title
    title_end = len(title)
    has_cjk = bool(CJK.search(display))
    match = to_simplified(display) if has_cjk else display
    if len(match) != len(display):
        # A phrase conversion changed the length (rare): quote the converted text so that
        # offsets stay true.
        display = match
    sentences = [(0, title_end)] if title else []
    if body:
        sentences += split_sentences(display[title_end + 1:], title_end + 1)
    if not sentences:
        sentences = [(0, len(display))]
    lowered = match.lower()
    if len(lowered) != len(match):  # a few characters lower-case to two; keep offsets true
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in match)
    return Prepared(display=display, match=match, lowered=lowered, has_cjk=has_cjk,
                    title_end=title_end, starts=[s for s, _ in sentences],
                    sentences=sentences)
