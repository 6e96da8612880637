"""Text as the classifier sees it: Unicode-normalised, one script for Chinese, split into
sentences with their offsets so that a match can be shown in the sentence it came from."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

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


_WIDE = re.compile(r"[\uff01-\uff5e\uff61]+")  # full-width ASCII forms, halfwidth 。


def _narrow(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group())


def clean(value: str | None) -> str:
    """NFC, full-width letters, digits and punctuation to their plain forms (as NFKC), one
    space between words, single newlines between paragraphs."""
    if not value:
        return ""
    if not value.isascii():  # plain ASCII is already all of this
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        if _WIDE.search(value):  # NFKC on whole Chinese texts is slow; fold only what matters
            value = _WIDE.sub(_narrow, value)
        value = value.replace("\u200b", " ")
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


# How Chinese is folded for matching, in one place. Text is folded to Simplified characters
# (SCRIPT: character by character, so offsets hold and evidence quotes the source's own
# words). Each rule term is also written in the other side's words for the same
# thing (REGIONS: OpenCC's Taiwan-to-mainland and mainland-to-Taiwan phrase tables, so 晶片 and
# 芯片, 記憶體 and 内存 are one term), then folded the same way.
SCRIPT = "t2s"
REGIONS = ("tw2sp", "s2twp")


@lru_cache(maxsize=4)
def _converter(config: str):
    import opencc  # imported on first use: no work at import time

    return opencc.OpenCC(config)


def fold(value: str) -> str:
    """Chinese folded for matching (Simplified characters); other text as it is."""
    if not CJK.search(value):
        return value
    return _converter(SCRIPT).convert(value)


def fold_forms(value: str) -> list[str]:
    """The forms a rule term is matched in: folded, and each side's word for it, folded."""
    if not CJK.search(value):
        return [value]
    folded = fold(value)
    forms = [folded]
    for config in REGIONS:
        other = fold(_converter(config).convert(folded if config.startswith("s") else value))
        if other not in forms:
            forms.append(other)
    return forms


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
            for index, (start, end) in enumerate(zip(self.starts, bounds)):
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
