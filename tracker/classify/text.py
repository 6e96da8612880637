"""Text as the classifier sees it: Unicode-normalised, one script for Chinese, split into
sentences with their offsets so that a match can be shown in the sentence it came from."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from vocab.text import HAN, clean_lines, fold_width, regional_forms, to_simplified

CJK = HAN  # the one definition of a Chinese character (vocab/text.py)

# Words that end with a full stop without ending a sentence; a single letter is an initial
# (U.S., D.C., e.g.).
_ABBREVIATIONS = (
    "Mr Mrs Ms Dr Sen Rep Gov Gen Sec St No Nos Co Corp Inc Ltd Jr Sr vs etc al Fig Jan Feb "
    "Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Dept Univ approx Pub Stat Reg Ch cf").split()
_ABBREVIATED = frozenset(_ABBREVIATIONS)

# Where a sentence may end: Chinese full stops always; ! and ? always; a full stop followed
# by space and something that starts a sentence, unless the word before it is an
# abbreviation or a single letter; a line break. Each is tried where its first character
# stands (found with str.find, quicker than a pass of one expression over the text).
_MARKS = re.compile(r"[\u3002!?]+[\"'\u201d\u2019\u300d\u300f)]*\s*")  # 。 ! ? (！？ are folded)
_DOT = re.compile(r"\.(?=[\"'\u201d\u2019)]*\s+[A-Z\"'\u201c\u2018(\u3400-\u9fff])"
                  r"[\"'\u201d\u2019)]*\s+")
_LINES = re.compile(r"\n+")
_STOPS = ".!?\u3002\n"  # where a boundary may start


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
    stops = []
    for char in _STOPS:
        pos = text.find(char)
        while pos >= 0:
            stops.append(pos)
            pos = text.find(char, pos + 1)
    stops.sort()
    spans, begin = [], 0
    for stop in stops:
        if stop < begin:
            continue
        char = text[stop]
        if char == "\n":
            mark = _LINES.match(text, stop)
        elif char == ".":
            mark = _DOT.match(text, stop)
            if mark and _abbreviation_before(text, stop):
                continue
        else:
            mark = _MARKS.match(text, stop)
        if not mark:
            continue
        end = mark.end()
        if text[begin:end].strip():
            spans.append((start + begin, start + end))
        begin = end
    if text[begin:].strip():
        spans.append((start + begin, start + len(text)))
    return spans


_LONGEST = max(map(len, _ABBREVIATIONS))
_WORD_END = re.compile(r"\w+$")


def _abbreviation_before(text: str, dot: int) -> bool:
    """Whether the word before the full stop at `dot` is an abbreviation (Mr, Jan, Corp...)
    or a single letter (U.S., D.C.). Only the last few characters are read: a longer word is
    no abbreviation."""
    begin = max(0, dot - _LONGEST - 1)
    m = _WORD_END.search(text, begin, dot)
    if m is None:
        return False
    if m.start() == begin and begin and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        return False  # the word goes on before the window
    word = m.group()
    return (len(word) == 1 and word.isascii() and word.isalpha()) or word in _ABBREVIATED


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
    # The Latin words of the text (lower case), once the rule book's index has looked.
    words: set[str] | None = field(default=None, repr=False)

    def sentence_at(self, pos: int) -> int:
        """The index of the sentence that holds offset `pos` (looked up, not tabulated: a
        document asks for few offsets)."""
        return bisect_right(self.starts, pos) - 1 if pos >= self.starts[0] else 0

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
