"""How chipwatch normalises text, in one place for the crawler, the classifier, search and
the edition linker.

Stored text is NFC with runs of spaces collapsed and paragraph breaks kept. For matching
(classification, search, comparing titles), Chinese is folded to one script with OpenCC and
full-width Latin forms to their plain ones; `HAN` is the one definition of a Chinese
character everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CJK Unified Ideographs, Extension A, Compatibility Ideographs and the supplementary planes.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN = re.compile(f"[{HAN_CLASS}]")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
# Traditional -> Simplified, character by character (OpenCC's offline tables): the length of
# the text holds, so an offset found in the folded text is the same place in the original.
OPENCC_CONFIG = "t2s"
# Taiwan's and the mainland's words for the same thing (晶片 and 芯片, 記憶體 and 内存):
# OpenCC's phrase tables, Taiwan to mainland and mainland to Taiwan.
REGION_CONFIGS = ("tw2sp", "s2twp")

_SPACES = re.compile(r"[ \t\r\f\v]+")
_PARAGRAPH = re.compile(r"\n\s*\n")
_INVISIBLE = {"\u00a0": " ", "\u200b": " ", "\ufeff": ""}
_WIDE = re.compile(r"[\uff01-\uff5e\uff61]+")  # full-width ASCII forms, halfwidth 。


def _nfc(value: str) -> str:
    if value.isascii():  # plain ASCII is already all of this
        return value
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    for char, replacement in _INVISIBLE.items():
        if char in value:
            value = value.replace(char, replacement)
    return value


def clean_text(value: str | None) -> str:
    """NFC, runs of spaces collapsed, paragraphs (blank-line separated) kept: stored text."""
    if not value:
        return ""
    paragraphs = (_SPACES.sub(" ", p).strip() for p in _PARAGRAPH.split(_nfc(value)))
    return "\n\n".join(p for p in paragraphs if p)


def clean_line(value: str | None) -> str:
    """As clean_text, on one line: titles, names, dates."""
    return " ".join(clean_text(value).split())


def clean_lines(value: str | None) -> str:
    """As clean_text, with one line per non-empty line: what the classifier reads."""
    if not value:
        return ""
    lines = (" ".join(line.split()) for line in _nfc(value).splitlines())
    return "\n".join(line for line in lines if line)


# The full-width forms Chinese text is full of, replaced directly (each is its NFKC form).
_COMMON_WIDE = {"\uff0c": ",", "\uff1a": ":", "\uff1b": ";", "\uff08": "(", "\uff09": ")",
                "\uff01": "!", "\uff1f": "?", "\uff05": "%"}


def fold_width(value: str) -> str:
    """Full-width Latin letters, digits and punctuation to their plain forms (NFKC on those
    only: NFKC over whole Chinese texts is slow and changes more than matching needs)."""
    if value.isascii():
        return value
    for wide, plain in _COMMON_WIDE.items():  # one pass each instead of a call per comma
        if wide in value:
            value = value.replace(wide, plain)
    if not _WIDE.search(value):
        return value
    return _WIDE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value)


def has_han(value: str | None) -> bool:
    return bool(value) and HAN.search(value) is not None


@lru_cache(maxsize=4)
def _converter(config: str = OPENCC_CONFIG):
    import opencc  # imported on first use: no work at import time

    return opencc.OpenCC(config)


def to_simplified(value: str | None) -> str:
    """Traditional Chinese to Simplified; text without Chinese is returned untouched."""
    if not has_han(value):
        return value or ""
    return _converter().convert(value)


def regional_forms(value: str) -> list[str]:
    """A Chinese word or phrase in every form it is matched in: folded to Simplified, and the
    other side of the Strait's word for it, folded too (晶片 -> 晶片, 芯片). Latin text and
    phrases with no regional variant give one form."""
    if not has_han(value):
        return [value]
    folded = to_simplified(value)
    forms = [folded]
    for config in REGION_CONFIGS:
        source = folded if config.startswith("s") else value
        other = to_simplified(_converter(config).convert(source))
        if other not in forms:
            forms.append(other)
    return forms
