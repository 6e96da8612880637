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
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if _WIDE.search(value):  # NFKC on whole Chinese texts is slow; fold only what matters
        value = _WIDE.sub(_narrow, value)
    lines = (" ".join(line.replace("\u200b", " ").split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


# How Chinese is folded for matching, in one place. Text is folded to Simplified characters
# (SCRIPT: character by character, so offsets nearly always hold and evidence quotes the
# source's own words). Each rule term is also written in the other side's words for the same
# thing (REGIONS: OpenCC's Taiwan-to-mainland and mainland-to-Taiwan phrase tables, so 晶片 and
# 芯片, 記憶體 and 内存 are one term), then folded the same way.
SCRIPT = "t2s"
REGIONS = ("tw2sp", "s2twp")

_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_RUN = re.compile(CJK.pattern + "+")


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


def fold_with_origin(value: str) -> tuple[str, list[int] | None]:
    """`value` folded, and for each offset of the result (and its end) the offset of `value`
    it came from; None when the folding kept every offset (nearly always)."""
    folded = fold(value)
    if len(folded) == len(value):
        return folded, None
    before = list(_NOT_CJK.finditer(value))
    after = list(_NOT_CJK.finditer(folded))
    if [m.group() for m in before] != [m.group() for m in after]:
        return _fold_by_run(value)
    # Only runs of ideographs changed length: pair them up between what stayed the same.
    origin: list[int] = []
    done_before = done_after = 0
    for old, new in zip([*before, None], [*after, None]):
        start = old.start() if old else len(value)
        stop = new.start() if new else len(folded)
        run, out = value[done_before:start], folded[done_after:stop]
        if len(run) == len(out):
            origin.extend(range(done_before, start))
        else:
            origin.extend(done_before + i for i in _align(run, out))
        if old:
            origin.extend(range(old.start(), old.end()))
            done_before, done_after = old.end(), new.end()
    origin.append(len(value))
    return folded, origin


def _fold_by_run(value: str) -> tuple[str, list[int]]:
    """Each run of ideographs folded on its own (when folding changed more than them)."""
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    for run in _CJK_RUN.finditer(value):
        start, end = run.span()
        parts.append(value[done:start])
        origin.extend(range(done, start))
        out = fold(run.group())
        parts.append(out)
        if len(out) == end - start:
            origin.extend(range(start, end))
        else:
            origin.extend(start + i for i in _align(run.group(), out))
        done = end
    parts.append(value[done:])
    origin.extend(range(done, len(value) + 1))
    return "".join(parts), origin


def _align(run: str, out: str) -> list[int]:
    """For each character of `out` (a run of ideographs folded), the offset in `run` it came
    from: exact where characters correspond one to one, proportional inside a phrase that
    changed length."""
    from difflib import SequenceMatcher  # only for the rare phrase that changes length

    mapped = [0] * len(out)
    for _, i1, i2, j1, j2 in SequenceMatcher(None, run, out, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            mapped[j] = i1 + (j - j1) * (i2 - i1) // max(j2 - j1, 1)
    return mapped


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
    """A document ready for matching. `match` is what patterns run on (Chinese folded);
    `display` is what evidence quotes (the source's own words). Offsets are offsets of `match`;
    `origin` maps them to `display` when a phrase changed length (None: the same offsets)."""

    display: str
    match: str
    lowered: str
    has_cjk: bool
    title_end: int
    starts: list[int]
    sentences: list[tuple[int, int]]
    origin: list[int] | None = None
    body_end: int | None = None  # where boilerplate (a footer) begins, if anywhere
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
        """The source's own text between two offsets of `match`."""
        if self.origin is None:
            return self.display[start:end]
        return self.display[self.origin[start]:self.origin[end]]


def prepare(title: str | None, text: str | None) -> Prepared:
    """Title and text as one string (the title is always a sentence of its own)."""
    title, body = clean(title), clean(text)
    display = f"{title}\n{body}" if body else title
    has_cjk = bool(CJK.search(display))
    match, origin = fold_with_origin(display) if has_cjk else (display, None)
    title_end = len(title) if origin is None else origin.index(len(title)) if title else 0
    sentences = [(0, title_end)] if title else []
    if body:
        sentences += split_sentences(match[title_end + 1:], title_end + 1)
    if not sentences:
        sentences = [(0, len(match))]
    return Prepared(display=display, match=match, lowered=lower(match), has_cjk=has_cjk,
                    title_end=title_end, starts=[s for s, _ in sentences],
                    sentences=sentences, origin=origin)


def lower(text: str) -> str:
    """Lower case with the same length (a few characters lower-case to two: kept as they are,
    so that offsets stay true)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered
