"""Numbers as documents write them: 3,000 and 6.6, and Chinese numerals (一千, 二十五點五)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10 ** 4, "亿": 10 ** 8, "兆": 10 ** 12}
CHINESE_NUMERALS = "".join([*_DIGITS, *_UNITS, *_BIG])

# Scale words after a number.
SCALES = {"trillion": 1e12, "tn": 1e12, "tr": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
          "万亿": 1e12, "兆": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4}


def arabic(text: str) -> float | None:
    """'3,000' -> 3000.0, '6.6' -> 6.6; None when it is not a number."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def chinese(text: str) -> float | None:
    """Chinese numerals (Simplified forms) -> a number: 一千亿 -> 1e11, 二十五点五 -> 25.5,
    三亿五千万 -> 3.5e8; None when `text` holds anything else."""
    if "点" in text:
        whole, _, fraction = text.partition("点")
        head = chinese(whole) if whole else 0.0
        if head is None or not fraction or any(c not in _DIGITS for c in fraction):
            return None
        return head + float("0." + "".join(str(_DIGITS[c]) for c in fraction))
    total, section, digit, last_big = 0, 0, None, 0
    for char in text:
        if char in _DIGITS:
            if digit is not None:  # 二〇二六: digits one by one
                digit = digit * 10 + _DIGITS[char]
            else:
                digit = _DIGITS[char]
        elif char in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        elif char in _BIG:
            section += digit or 0
            big = _BIG[char]
            if big > last_big:  # 一万亿: everything so far times the larger unit
                total = (total + section) * big
                last_big = big
            else:  # 三亿五千万: a smaller part added
                total += section * big
            section, digit = 0, None
        else:
            return None
    value = total + section + (digit or 0)
    return float(value) if text else None


def parse(text: str) -> float | None:
    """Arabic or Chinese numerals."""
    if text and text[0].isdigit():
        return arabic(text)
    return chinese(text)
