"""The languages chipwatch stores documents in, declared once."""

from __future__ import annotations

# code -> (English name, Chinese name); the codes are BCP 47 tags.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "英文"),
    "zh-Hant": ("Traditional Chinese", "繁體中文"),
    "zh-Hans": ("Simplified Chinese", "简体中文"),
}

# The encodings pages in each language were written in before UTF-8 (what a browser set to
# that language falls back to), tried when a page's own declaration turns out to be wrong.
LEGACY_ENCODINGS: dict[str, tuple[str, ...]] = {
    "en": ("windows-1252",),
    "zh-Hant": ("big5hkscs",),
    "zh-Hans": ("gb18030",),
}


def language_name(code: str) -> str:
    return LANGUAGES.get(code, (code, code))[0]


def is_chinese(code: str) -> bool:
    return code.startswith("zh")
