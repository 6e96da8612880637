"""Text as the classifier sees it: Unicode-normalised, one script for Chinese, split into
sentences with their offsets so that a match can be shown in the sentence it came from."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from vocab.text import HAN, clean_lines, fold_width, regional_forms, to_simplified

CJK = HAN  # the one definition of a Chinese character (vocab/text.py)

# Words that end with a full stop without ending a sentence; a single letter is an initial
# (U.S., D.C., e.g.).
_ABBREVIATIONS = (
    "Mr Mrs Ms Dr Sen Rep Gov Gen Sec St No Nos Co Corp Inc Ltd Jr Sr vs etc al Fig Jan Feb "
    "Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Dept Univ approx Pub Stat Reg Ch cf").split()
_NOT_AFTER = "".join(rf"(?<!\b{word}\.)" for word in ["[A-Za-z]", *_ABBREVIATIONS])

# Where a sentence may end: Chinese full stops always; ! and ? always; a full stop followed
# by space and something that starts a sentence, unless the word before it is an
# abbreviation; a line break.
_BOUNDARY = re.compile(
    r"[\u3002!?]+[\"'\u201d\u2019\u300d\u300f)]*\s*"          # 。 ! ? (！？ are folded)
    r"|\.(?=[\"'\u201d\u2019)]*\s+[A-Z\"'\u201c\u2018(\u3400-\u9fff])" + _NOT_AFTER
    + r"[\"'\u201d\u2019)]*\s+"
    r"|\n+")
_STOP = re.compile(r"[.!?\u3002\n]")  # where a boundary may start


def clean(value: str | None) -> str:
    """Stored text as the classifier reads it: full-width Latin forms folded, one space
    between words, single newlines between paragraphs."""
    return clean_lines(fold_width(value)) if value else ""


def fold(value: str) -> str:
    """Chinese folded for matching (Simplified characters); other text as it is."""
    return to_simplified(value)


def fold_forms(value: str) -> list[str]:
    """The forms a rule term is matched in: folded, and each side's word for it, folded."""
    return regional_forms(value)


def normalise_term(value: str) -> list[str]:
    """What a rule's term is turned into before it is compiled: the same folding as text
    (every form it may take)."""
    return fold_forms(clean(unicodedata.normalize("NFKC", value)))


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
        if text[begin:end].strip():
            spans.append((start + begin, start + end))
        begin = end
    if text[begin:].strip():
        spans.append((start + begin, start + len(text)))
    return spans


@dataclass
class Prepared:
    """A document ready for matching. `display` is what evidence quotes (the source's own
    script); `match` is what patterns run on (Chinese folded). They have the same length, so
    an offset in one is the same place in the other."""

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

    def blank(self, spans: list[tuple[int, int]]) -> None:
        """Blank these stretches out of what rules see (offsets and quotes stay true)."""
        parts, done = [], 0
        for start, end in sorted(spans):
            start = max(start, done)
            if end <= start:
                continue
            parts += [self.match[done:start], " " * (end - start)]
            done = end
        parts.append(self.match[done:])
        self.match = "".join(parts)
        self.lowered = lower(self.match)

    def quote(self, start: int, end: int) -> str:
        """The source's own text between two offsets."""
        return self.display[start:end]


def prepare(title: str | None, text: str | None) -> Prepared:
    """Title and text as one string (the title is always a sentence of its own)."""
    title, body = clean(title), clean(text)
    display = f"{title}\n{body}" if body else title
    title_end = len(title)
    has_cjk = bool(CJK.search(display))
    match = fold(display) if has_cjk else display
    if len(match) != len(display):
        # Folding changed the length (OpenCC's character table never does; a phrase might):
        # quote the folded text so that offsets stay true.
        display = match
    sentences = [(0, title_end)] if title else []
    if body:
        sentences += split_sentences(match[title_end + 1:], title_end + 1)
    if not sentences:
        sentences = [(0, len(match))]
    return Prepared(display=display, match=match, lowered=lower(match), has_cjk=has_cjk,
                    title_end=title_end, starts=[s for s, _ in sentences],
                    sentences=sentences)


def lower(text: str) -> str:
    """Lower case with the same length (a few characters lower-case to two: kept as they are,
    so that offsets stay true)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered
