"""The report's number conventions: thousands ",", decimals ".", percentages, "Sin dato" for None."""

from decimal import Decimal

import pytest

from cse_monitor.lib import formatting as f


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("8115563"), None, "8,115,563"),
        (Decimal("10801814.35"), None, "10,801,814.35"),
        (Decimal("339.5000"), None, "339.5"),
        (Decimal("2507.0000"), None, "2,507"),
        (Decimal("-116429.48"), None, "-116,429.48"),
        (Decimal("999"), None, "999"),
        (Decimal("1000"), None, "1,000"),
        (Decimal("0.3450"), 2, "0.35"),
        (Decimal("-0.001"), 2, "0.00"),
        (None, None, "Sin dato"),
        ("", None, "Sin dato"),
        (3, None, "3"),
    ],
)
def test_number_uses_comma_thousands_and_point_decimals(value, places, expected):
    assert f.number(value, places) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("3550151.99"), "3,550,151.99"),
        (Decimal("713756.975"), "713,756.98"),  # half up, as FIT rounds
        (Decimal("0"), "0.00"),
        (None, "Sin dato"),
    ],
)
def test_money_has_two_decimals(value, expected):
    assert f.money(value) == expected


@pytest.mark.parametrize(
    ("ratio", "places", "expected"),
    [
        (Decimal("0.8397"), 0, "84%"),
        (Decimal("1.52"), 0, "152%"),  # uncapped
        (Decimal("0.005"), 0, "1%"),
        (Decimal("0.958"), 1, "95.8%"),
        (Decimal("0"), 0, "0%"),
        (None, 0, "Sin dato"),
    ],
)
def test_percent_rounds_a_ratio_half_up(ratio, places, expected):
    assert f.percent(ratio, places) == expected


def test_score_prints_sustainability_with_two_decimals():
    assert f.score(Decimal("0.605")) == "0.61"
    assert f.score(None) == "Sin dato"


def test_not_a_number_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="not a number"):
        f.number("abc")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"value": Decimal("51.50"), "unit_kind": "percentage"}, "51.5%"),
        ({"value": Decimal("34.50"), "unit_kind": "percentage"}, "34.5%"),
        ({"value": Decimal("116"), "unit_kind": "percentage"}, "116%"),
        ({"value": Decimal("41.74"), "unit_kind": "percentage"}, "41.74%"),
        ({"value": None, "share": Decimal("68.1"), "unit_kind": "count_share"}, "68.1%"),
        ({"value": Decimal("927"), "share": Decimal("35"), "unit_kind": "count_share"}, "927 (35%)"),
        ({"value": Decimal("1072"), "share": Decimal("40"), "unit_kind": "count_share"}, "1,072 (40%)"),
        ({"value": Decimal("23432855"), "unit_kind": "money"}, "23,432,855"),
        ({"value": Decimal("339.5"), "unit_kind": "area"}, "339.5"),
        ({"value": None, "source_text": "%", "unit_kind": "percentage"}, "%"),
        ({"value": None, "unit_kind": "count"}, "Sin dato"),
        ({"value": Decimal("3"), "no_data": True, "unit_kind": "count"}, "Sin dato"),
        ({"value": None, "source_text": "en proceso", "unit_kind": "qualitative"}, "en proceso"),
    ],
)
def test_indicator_figure_prints_the_value_in_its_unit_kind(kwargs, expected):
    assert f.indicator_figure(**kwargs) == expected
