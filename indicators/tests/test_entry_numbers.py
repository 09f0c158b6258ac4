"""Number parsing as users type: both conventions, and ambiguity asks instead of guessing."""

from decimal import Decimal

import pytest

from indicators.numbers import AmbiguousNumber, InvalidNumber, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("1234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("3'550,000.00", Decimal("3550000.00")),
        ("427.160,00", Decimal("427160.00")),
        ("8,676,396", Decimal("8676396")),
        ("8.676.396", Decimal("8676396")),
        ("95,8%", Decimal("95.8")),
        ("0,125", Decimal("0.125")),
        ("0.125", Decimal("0.125")),
        ("1234,567", Decimal("1234.567")),
        (",5", Decimal("0.5")),
        ("  42 ", Decimal("42")),
        ("-3,5", Decimal("-3.5")),
        ("1 234,5", Decimal("1234.5")),
        ("12,34", Decimal("12.34")),
        ("00", Decimal("0")),
    ],
)
def test_parse_number_reads_both_conventions(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("1.234", {".": Decimal("1.234"), ",": Decimal("1234")}),
        ("1,234", {",": Decimal("1.234"), ".": Decimal("1234")}),
        ("12.500", {".": Decimal("12.500"), ",": Decimal("12500")}),
        ("-999,000", {",": Decimal("999.000"), ".": Decimal("999000")}),
    ],
)
def test_parse_number_asks_on_ambiguity_with_both_readings(text, readings):
    with pytest.raises(AmbiguousNumber) as info:
        parse_number(text)
    assert info.value.readings == readings
    assert "ambiguous" in str(info.value)


@pytest.mark.parametrize(
    ("text", "mark", "expected"),
    [
        ("1.234", ",", Decimal("1234")),
        ("1.234", ".", Decimal("1.234")),
        ("1,234", ",", Decimal("1.234")),
        ("1,234", ".", Decimal("1234")),
        ("1.234,5", ",", Decimal("1234.5")),
        ("7", ".", Decimal("7")),
    ],
)
def test_parse_number_uses_the_users_answer(text, mark, expected):
    assert parse_number(text, decimal_mark=mark) == expected


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("", None),
        ("abc", None),
        ("1.2.3", None),
        ("1,23,456", None),
        ("1.234,5,6", None),
        ("12,", None),
        ("1..2", None),
        ("--1", None),
        ("1.234,5", "."),
        ("1e5", None),
        ("%", None),
        ("1,2345.6", None),
    ],
)
def test_parse_number_refuses_what_is_not_a_number(text, mark):
    with pytest.raises(InvalidNumber):
        parse_number(text, decimal_mark=mark)


def test_parse_number_rejects_unknown_decimal_mark():
    with pytest.raises(ValueError, match="decimal_mark"):
        parse_number("1", decimal_mark=";")
