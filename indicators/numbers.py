"""Parsing numbers as Peruvian users type them. Pure: imports nothing from Django.

Both conventions are in use: "1.234,5" (comma decimals, as FIT exports) and "1,234.5"
(point decimals). When both marks appear, the last one is the decimal mark. When a single
mark appears once followed by exactly three digits ("1.234", "1,234") the input reads as
either a thousand-something or a decimal: that is ambiguous, and :class:`AmbiguousNumber`
is raised with both readings so that the user is asked, never guessed for. Passing
``decimal_mark`` (the user's answer) resolves it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DECIMAL_MARKS = (",", ".")
_THOUSANDS_APOSTROPHE = "'"  # "3'550,000.00" as the seed prints some amounts
_ALLOWED = re.compile(r"^[+-]?[0-9.,]+$")

MSG_EMPTY = "Enter a number."
MSG_INVALID = "“{text}” is not a number."
MSG_GROUPING = "“{text}”: digit groups between thousands separators must have three digits."
MSG_AMBIGUOUS = "“{text}” is ambiguous: did you mean {thousands} or {decimal}?"


class InvalidNumber(ValueError):
    """The text is not a number in either convention."""


class AmbiguousNumber(InvalidNumber):
    """The text reads as two different numbers; ``readings`` maps decimal mark to value."""

    def __init__(self, text: str, readings: dict[str, Decimal]):
        self.text = text
        self.readings = readings
        mark = _single_mark(text)
        other = "." if mark == "," else ","
        super().__init__(MSG_AMBIGUOUS.format(text=text, thousands=readings[other], decimal=readings[mark]))


def _single_mark(text: str) -> str:
    return "," if "," in text else "."


def _to_decimal(text: str, original: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the pattern
        raise InvalidNumber(MSG_INVALID.format(text=original)) from exc


def _check_grouping(integer_part: str, separator: str, original: str) -> str:
    """The integer part without its thousands separators; groups must be 1–3 digits then threes."""
    if separator not in integer_part:
        return integer_part
    groups = integer_part.split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise InvalidNumber(MSG_GROUPING.format(text=original))
    return "".join(groups)


def _with_decimal_mark(body: str, mark: str, original: str) -> Decimal:
    thousands = "." if mark == "," else ","
    if body.count(mark) > 1:
        raise InvalidNumber(MSG_INVALID.format(text=original))
    integer_part, _, fraction = body.partition(mark)
    if mark in body and not fraction:
        raise InvalidNumber(MSG_INVALID.format(text=original))
    if thousands in fraction:
        raise InvalidNumber(MSG_INVALID.format(text=original))
    integer_digits = _check_grouping(integer_part, thousands, original) if integer_part else "0"
    return _to_decimal(f"{integer_digits}.{fraction}" if fraction else integer_digits, original)


def _apostrophe_as_thousands(text: str) -> str:
    """ "3'550,000.00" → "3,550,000.00": the apostrophe stands for the thousands separator in use."""
    rest = text.replace(_THOUSANDS_APOSTROPHE, "")
    if "," in rest and "." in rest:
        thousands = "," if rest.rfind(",") < rest.rfind(".") else "."
    elif "," in rest or "." in rest:
        mark = "," if "," in rest else "."
        thousands = "." if mark == "," else ","
        # "3'550,5": the single mark is the decimal one; "3'550'000" has none.
    else:
        thousands = ","
    return text.replace(_THOUSANDS_APOSTROPHE, thousands)


def parse_number(text: str, *, decimal_mark: str | None = None) -> Decimal:
    """The Decimal a user typed; raises InvalidNumber, or AmbiguousNumber when ``decimal_mark`` is needed.

    A trailing "%" and spaces are ignored (the field says what the unit is).
    """
    if decimal_mark is not None and decimal_mark not in DECIMAL_MARKS:
        raise ValueError(f"decimal_mark must be ',' or '.', not {decimal_mark!r}")
    original = (text or "").strip()
    cleaned = original.removesuffix("%").replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS_APOSTROPHE in cleaned:
        cleaned = _apostrophe_as_thousands(cleaned)
    if not cleaned:
        raise InvalidNumber(MSG_EMPTY)
    if not _ALLOWED.match(cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise InvalidNumber(MSG_INVALID.format(text=original))
    sign = ""
    if cleaned[0] in "+-":
        sign, cleaned = ("-" if cleaned[0] == "-" else ""), cleaned[1:]
    has_comma, has_point = "," in cleaned, "." in cleaned
    if has_comma and has_point:
        mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        if decimal_mark is not None and decimal_mark != mark:
            raise InvalidNumber(MSG_INVALID.format(text=original))
        value = _with_decimal_mark(cleaned, mark, original)
    elif has_comma or has_point:
        mark = "," if has_comma else "."
        value = _single_separator(cleaned, mark, original, decimal_mark)
    else:
        value = _to_decimal(cleaned, original)
    return -value if sign == "-" else value


def _single_separator(body: str, mark: str, original: str, decimal_mark: str | None) -> Decimal:
    if body.count(mark) > 1:
        # "1.234.567": only thousands separators can repeat.
        if decimal_mark == mark:
            raise InvalidNumber(MSG_INVALID.format(text=original))
        return _to_decimal(_check_grouping(body, mark, original), original)
    integer_part, _, fraction = body.partition(mark)
    could_be_thousands = len(fraction) == 3 and 1 <= len(integer_part) <= 3 and not integer_part.startswith("0")
    if not could_be_thousands:
        if decimal_mark is not None and decimal_mark != mark:
            raise InvalidNumber(MSG_GROUPING.format(text=original))
        return _with_decimal_mark(body, mark, original)
    if decimal_mark is None:
        readings = {
            mark: _to_decimal(f"{integer_part}.{fraction}", original),
            ("." if mark == "," else ","): _to_decimal(integer_part + fraction, original),
        }
        raise AmbiguousNumber(original, readings)
    if decimal_mark == mark:
        return _to_decimal(f"{integer_part}.{fraction}", original)
    return _to_decimal(integer_part + fraction, original)
