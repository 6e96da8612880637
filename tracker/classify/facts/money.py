"""Amounts of money, in English and Chinese: US$6.6 billion, $100bn, NT$1.2 trillion, €43
billion, 6.6 billion dollars, 1650億美元, 新台幣3,000億元, 400亿美元, 一千億美元.

An amount needs its currency: a currency sign or code before the number, a currency word
after it, or (for a bare 元) the currency the same sentence names. A number without one (a
year, a document number, a CFR section, a telephone number, a count) is never an amount.
Only the text the classifier reads is searched, so footers (media contacts) are left out.
"""

from __future__ import annotations

import re

from ..text import Prepared
from .numbers import SCALES, parse

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW"}
# The letters before a $ that say whose dollar it is (US$, NT$, HK$...).
DOLLARS = {"US": "USD", "U.S.": "USD", "NT": "TWD", "HK": "HKD", "S": "SGD", "A": "AUD",
           "C": "CAD", "R": "BRL"}
CODES = {"usd": "USD", "eur": "EUR", "ntd": "TWD", "twd": "TWD", "rmb": "CNY", "cny": "CNY",
         "jpy": "JPY", "krw": "KRW", "gbp": "GBP", "hkd": "HKD", "sgd": "SGD"}
WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY",
         "yuan": "CNY", "renminbi": "CNY", "won": "KRW"}
_DOLLAR_OWNER = {"new taiwan": "TWD", "taiwan": "TWD", "nt": "TWD", "hong kong": "HKD",
                 "singapore": "SGD", "u.s.": "USD", "us": "USD", "american": "USD"}
HINT_WORDS = frozenset(CODES) | frozenset(WORDS)

# A scale word ends where a letter does not follow ("billion與" is "billion" too: no \b there).
_SCALE_EN = (r"(?:\s?(?P<scale>trillion|billion|million|thousand|bn|tn|mn|mln)(?![a-z])"
             r"|(?P<short>[bmk])(?![a-z0-9]))?")
# At a currency sign: the number and its scale.
_AT_SIGN = re.compile(r"[$€£¥₩]\s?(?P<num>" + NUMBER + r")" + _SCALE_EN, re.I)
_OWNER = re.compile(r"(?:(?<![A-Za-z.])(?P<owner>US|U\.S\.|NT|HK|S|A|C|R)\s?)$")
# A currency code before the number, or a currency word after it.
_BY_WORD = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<code>USD|EUR|NTD|TWD|RMB|CNY|JPY|KRW|GBP|HKD|SGD)\s?"
    r"(?P<num>" + NUMBER + r")" + _SCALE_EN + r"|(?P<num2>" + NUMBER + r")\s?"
    r"(?P<scale2>trillion|billion|million|thousand)?\s(?P<owner>(?:new taiwan|taiwan|nt|"
    r"hong kong|singapore|u\.s\.|us|american)\s)?(?P<word>dollars?|euros?|yen|yuan|renminbi|"
    r"won)(?![a-z]))", re.I)
# A figure with no currency of its own right after one that has it: "US$12bn to 65bn".
_FOLLOW = re.compile(r"(?:\s?,\s?(?:and\s|then\s)?|\s(?:to|and|or|then)\s|\s?[-\u2013]\s?)"
                     r"\s?(?P<num>" + NUMBER + r")\s?(?P<scale>trillion|billion|million|bn|tn|mn)"
                     r"(?![a-z])",
                     re.I)

_ZH_UNITS = ("美元|美金|新台币|台币|人民币|港币|港元|日圆|日元|欧元|韩元|英镑|元")
_ZH_CURRENCY = {"美元": "USD", "美金": "USD", "新台币": "TWD", "台币": "TWD", "人民币": "CNY",
                "港币": "HKD", "港元": "HKD", "日圆": "JPY", "日元": "JPY", "欧元": "EUR",
                "韩元": "KRW", "英镑": "GBP"}
_ZH_NUMBER = r"\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿兆点]+"
_ZH_SCALE = r"万亿|千亿|百亿|十亿|亿|兆|千万|百万|万"
# Read backwards from a currency unit: the number (and what comes before it) that it ends.
_ZH_BEFORE_UNIT = re.compile(
    r"(?:(?P<pre>新台币|台币|人民币|港币|美金)\s?)?(?:(?:约|逾|超过|近|达|高达|约为|共|合计)\s?)?"
    r"(?P<num>" + _ZH_NUMBER + r")\s?(?P<scale>" + _ZH_SCALE + r")?\s?(?:多|余)?\s?"
    r"(?P<unit>" + _ZH_UNITS + r")$")
# A currency named before its number, with no unit after: 美金66亿.
_ZH_PREFIXED = re.compile(
    r"(?P<pre>新台币|台币|人民币|港币|美金|美元|欧元|日圆|日元|韩元)\s?(?:约|逾|超过|近|达|高达)?"
    r"\s?(?P<num>" + _ZH_NUMBER + r")\s?(?P<scale>" + _ZH_SCALE + r")(?!\s?(?:多|余)?\s?(?:"
    + _ZH_UNITS + r"))")
_ZH_UNIT_ENDS = "元币金圆镑"  # the last character of every unit
# ... and the character before it, where the unit is two characters (金 alone is gold).
_ZH_UNIT_BEFORE = {"币": "台民港", "金": "美", "圆": "日", "镑": "英"}
_ZH_PREFIXES = ("新台币", "台币", "人民币", "港币", "美金", "美元", "欧元", "日圆", "日元", "韩元")
_ZH_UNIT_CHARS = frozenset("美港欧日韩英新台民人加坡")
_ZH_NUMBER_CHARS = frozenset("0123456789,. 零〇一二两三四五六七八九十百千万亿兆点多余")
_BEFORE_NUMBER = 8  # characters before a number that its currency and qualifier may take
_VAGUE = "数几上"  # 数千万: "tens of millions", not an amount


def find_amounts(doc: Prepared) -> list[tuple[int, int, float, str]]:
    """(start, end, value, currency) of every amount, in the order of the text."""
    text = doc.match
    found: list[tuple[int, int, float, str]] = []
    signs = [sign for sign in SIGNS if sign in text]
    if signs:
        found += _signed(text, signs)
    words = doc.words or set()
    if not HINT_WORDS.isdisjoint(words):
        found += _worded(text)
    if doc.has_cjk and any(char in text for char in _ZH_UNIT_ENDS):  # every currency word
        found += _chinese(doc)
    found.sort()
    kept, end = [], -1
    for item in found:  # one reading of each stretch of text
        if item[0] >= end:
            kept.append(item)
            end = item[1]
    return kept


def _value(number: str, scale: str | None) -> float | None:
    value = parse(number)
    if value is None or value <= 0:
        return None
    return value * SCALES.get((scale or "").lower(), 1.0)


def _signed(text: str, signs: list[str]) -> list[tuple[int, int, float, str]]:
    found = []
    for sign in signs:
        currency = SIGNS[sign]
        pos = text.find(sign)
        while pos >= 0:
            m = _AT_SIGN.match(text, pos)
            if m:
                value = _value(m.group("num"), m.group("scale") or m.group("short"))
                start, code = pos, currency
                if sign == "$":
                    owner = _OWNER.search(text, max(0, pos - 6), pos)
                    if owner:
                        start, code = owner.start("owner"), DOLLARS[owner.group("owner")]
                if value is not None:
                    found.append((start, m.end(), value, code))
                    found += _following(text, m.end(), code)
            pos = text.find(sign, pos + 1)
    return found


def _following(text: str, pos: int, currency: str) -> list[tuple[int, int, float, str]]:
    found = []
    while True:
        m = _FOLLOW.match(text, pos)
        if not m:
            return found
        value = _value(m.group("num"), m.group("scale"))
        if value is None:
            return found
        found.append((m.start("num"), m.end(), value, currency))
        pos = m.end()


def _worded(text: str) -> list[tuple[int, int, float, str]]:
    found = []
    for m in _BY_WORD.finditer(text):
        if m.group("code"):
            value = _value(m.group("num"), m.group("scale") or m.group("short"))
            currency = CODES[m.group("code").lower()]
        else:
            value = _value(m.group("num2"), m.group("scale2"))
            word = m.group("word").lower()
            currency = WORDS[word]
            owner = (m.group("owner") or "").strip().lower()
            if word.startswith("dollar") and owner:
                currency = _DOLLAR_OWNER.get(owner, currency)
            if word == "won" and not m.group("scale2"):
                continue  # "won 3 races": only "3 billion won" is money
        if value is not None:
            found.append((m.start(), m.end(), value, currency))
    return found


def _chinese(doc: Prepared) -> list[tuple[int, int, float, str]]:
    text = doc.match
    found = []
    for char in _ZH_UNIT_ENDS:
        pos = text.find(char)
        while pos >= 0:
            if pos and (char not in _ZH_UNIT_BEFORE or text[pos - 1] in _ZH_UNIT_BEFORE[char]):
                # back over the rest of the unit (美元, 新台币) and the number before it;
                # the search starts a little before that
                begin = pos
                while begin > 0 and text[begin - 1] in _ZH_UNIT_CHARS:
                    begin -= 1
                while begin > 0 and text[begin - 1] in _ZH_NUMBER_CHARS:
                    begin -= 1
                m = _ZH_BEFORE_UNIT.search(text, max(0, begin - _BEFORE_NUMBER), pos + 1)
                if m:
                    item = _chinese_amount(doc, m, m.group("unit"))
                    if item:
                        found.append(item)
            pos = text.find(char, pos + 1)
    for prefix in _ZH_PREFIXES:
        pos = text.find(prefix)
        while pos >= 0:
            m = _ZH_PREFIXED.match(text, pos)
            if m:
                item = _chinese_amount(doc, m, None)
                if item:
                    found.append(item)
            pos = text.find(prefix, pos + 1)
    return found


def _chinese_amount(doc: Prepared, m: re.Match, unit: str | None):
    text = doc.match
    number = m.group("num")
    start = m.start("pre") if m.group("pre") else m.start("num")
    if start and text[start - 1] in _VAGUE and not number[0].isdigit():
        return None
    value = _value(number, m.group("scale"))
    if value is None:
        return None
    prefix = m.group("pre")
    if prefix:
        currency = _ZH_CURRENCY[prefix]
    elif unit != "元":
        currency = _ZH_CURRENCY[unit]
    else:
        currency = _currency_nearby(doc, m.start())
        if currency is None:
            return None  # a bare 元 in a sentence that names no currency
    return start, m.end(), value, currency


def _currency_nearby(doc: Prepared, pos: int) -> str | None:
    """The currency a sentence names for its bare 元 ("2600.9億元(新台幣,下同)")."""
    index = doc.sentence_at(pos)
    start, end = doc.sentences[index]
    sentence = doc.match[start:end]
    for word in ("新台币", "台币", "人民币", "港币", "港元"):
        if word in sentence:
            return _ZH_CURRENCY[word]
    return None
