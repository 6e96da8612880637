"""Reading a page in the encoding it is really written in. Scrapy believes the declaration
(a byte-order mark, then the Content-Type header, then `<meta charset>`) and replaces what
does not decode, so a GBK page served as UTF-8 would be stored as mojibake. Here each
declaration is checked: the page must decode strictly and read as text, not as garble.
When it does not, beautifulsoup4's EncodingDetector offers the other candidates (the
`<meta>` charset, the encodings of the page's language, a statistical guess by
charset-normalizer, UTF-8, windows-1252) and the first that reads cleanly is used; when none
does, the page is refused with a sentence naming the declared encoding. Pure functions."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from bs4.dammit import EncodingDetector
from charset_normalizer.md import mess_ratio
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from vocab.languages import LEGACY_ENCODINGS

# Garble above this share of a decoded sample (charset-normalizer's measure) means the
# encoding is wrong: Big5 read as GB18030 scores about 0.4, a right reading near 0.
MESS_LIMIT = 0.2
SAMPLE = 65536  # characters of a page judged for garble
# A UTF-8 page with a few broken bytes (a bad paste in a CMS) is still UTF-8: read in an
# 8-bit encoding, its good characters would all turn to mojibake (’ as â€™). At most this
# many errors, and good multi-byte characters outweighing them: text in a legacy encoding
# forms valid UTF-8 sequences only by accident, and three-byte ones (a CJK character, a
# curly quote) almost never, so each of those weighs THREE_BYTE_WEIGHT.
DAMAGE_LIMIT = 8  # more is not damage but another encoding mixed in: refused
PER_ERROR = 2
THREE_BYTE_WEIGHT = 10
_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
_THREE_BYTE = re.compile("[^\x00-\u07ff\ufffd]")
_SINGLE_BYTE = {"ascii", "iso8859-1", "cp1252", "iso8859-15", "cp1250", "iso8859-2"}


@dataclass
class Reading:
    encoding: str | None = None  # read the page in this (None: as Scrapy decided)
    note: str = ""  # what was wrong with the declaration, when it was read otherwise
    problem: str = ""  # why the page cannot be read at all


def _codec(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def _strict(body: bytes, encoding: str) -> tuple[str | None, str]:
    try:
        return body.decode(encoding), ""
    except UnicodeDecodeError as exc:
        return None, f"byte 0x{body[exc.start]:02X} at offset {exc.start} is not {encoding}"
    except LookupError:
        return None, f"{encoding} is not an encoding Python knows"


def utf8_damage(body: bytes) -> tuple[int, int]:
    """(errors, weight of the good multi-byte characters) of `body` read as UTF-8, errors
    counted up to DAMAGE_LIMIT + 1."""
    errors, start = 0, 0
    while errors <= DAMAGE_LIMIT:
        try:
            body[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            errors += 1
            start += exc.end
    text = body.decode("utf-8", "replace")
    three = len(_THREE_BYTE.findall(text))
    good = len(_NON_ASCII.findall(text)) - three + THREE_BYTE_WEIGHT * three
    return errors, good


def _reads_as_text(text: str, encoding: str, body: bytes) -> bool:
    if _codec(encoding) in _SINGLE_BYTE and max(body) >= 0x80:
        try:  # non-ASCII bytes that form valid UTF-8 are UTF-8, whatever was declared
            body.decode("utf-8")
            return False
        except UnicodeDecodeError:
            pass
    sample = text[:SAMPLE]
    if "\x00" in sample:  # UTF-16 read as an 8-bit encoding
        return False
    if not _NON_ASCII.search(sample):
        return True
    return mess_ratio(sample, MESS_LIMIT) < MESS_LIMIT


def declarations(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    """(encoding, where it was declared), in the order Scrapy believes them."""
    found = []
    bom, _ = read_bom(body)
    if bom:
        found.append((bom, "its byte-order mark"))
    header = http_content_type_encoding(content_type or "")
    if header:
        found.append((header, "the Content-Type header"))
    meta = html_body_declared_encoding(body[:4096])
    if meta:
        found.append((meta, "its <meta> charset"))
    seen, unique = set(), []
    for encoding, where in found:
        if _codec(encoding) not in seen:
            seen.add(_codec(encoding))
            unique.append((encoding, where))
    return unique


def settle(body: bytes, *, content_type: str | None, lang: str | None = None) -> Reading:
    """How to read `body`; `lang` is the language the page is expected in."""
    if not body or (max(body) < 0x80 and b"\x00" not in body[:4096]):
        return Reading()  # plain ASCII reads the same in every declared encoding
    declared = declarations(body, content_type)
    if not declared:  # Scrapy then reads UTF-8 if it can, else windows-1252
        declared_utf8 = True
        text, why = _strict(body, "utf-8")
        if text is not None and _reads_as_text(text, "utf-8", body):
            return Reading()
        failures = [("utf-8", UNDECLARED, why or "it reads as garbled text")]
    else:
        declared_utf8 = _codec(declared[0][0]) == "utf-8"
        failures = []
    for encoding, where in declared:
        text, why = _strict(body, encoding)
        if text is not None and _reads_as_text(text, encoding, body):
            if (encoding, where) == declared[0]:
                return Reading()  # the declaration Scrapy follows is right
            return Reading(encoding, _note(declared[0], encoding))
        failures.append((encoding, where, why or "it reads as garbled text"))
    if declared_utf8:
        errors, good = utf8_damage(body)
        if 0 < errors <= DAMAGE_LIMIT and good >= PER_ERROR * errors:
            return Reading("utf-8", f"{errors} byte(s) that are not UTF-8 were replaced")
    tried = {_codec(encoding) for encoding, _, _ in failures}
    hints = list(LEGACY_ENCODINGS.get(lang or "", ()))
    detector = EncodingDetector(body, is_html=True, user_encodings=hints)
    for encoding in detector.encodings:
        if _codec(encoding) in tried or _codec(encoding) is None:
            continue
        tried.add(_codec(encoding))
        text, _ = _strict(body, encoding)
        if text is not None and _reads_as_text(text, encoding, body):
            return Reading(encoding, _note(declared[0] if declared else None, encoding))
    encoding, where, why = failures[0]
    said = (f"declares no encoding and is not UTF-8 ({why})" if where == UNDECLARED else
            f"is declared {encoding} (by {where}) but is not: {why}")
    return Reading(problem=f"the page {said}; no other encoding reads it as text either, so "
                           f"nothing was taken from it")


UNDECLARED = "nothing"


def _note(declared: tuple[str, str] | None, used: str) -> str:
    if declared is None:
        return f"no encoding declared and not UTF-8; read as {used}"
    encoding, where = declared
    return f"declared {encoding} (by {where}) but written in {used}; read as {used}"
