"""fixtures/seed_numbers.py: every number format of the seed (fixtures/NOTES.md, "Number formats")."""

from decimal import Decimal

import pytest

from fixtures.seed_numbers import NumberFormatError, parse_cell, parse_decimal, percent_to_ratio


@pytest.mark.parametrize(
    ("printed", "style", "expected"),
    [
        ("3'550,000.00", "report", "3550000.00"),
        ("3'614,800.00", "report", "3614800.00"),
        ("64,800.00", "report", "64800.00"),
        ("8,676,396", "report", "8676396"),
        ("1,949", "report", "1949"),
        ("10,801,814.35", "report", "10801814.35"),
        ("339.5", "report", "339.5"),
        ("95,8", "report", "95.8"),
        ("00", "report", "0"),
        ("2'836,395.02", "report", "2836395.02"),
        ("427.160,00", "fit", "427160.00"),
        ("3.140.844,35", "fit", "3140844.35"),
        ("-116.429,48", "fit", "-116429.48"),
        ("21,83", "fit", "21.83"),
        ("0,00", "fit", "0.00"),
        ("427,16", "fit", "427.16"),
        ("-8,68", "fit", "-8.68"),
    ],
)
def test_parse_decimal_reads_every_number_format_of_the_seed(printed, style, expected):
    assert parse_decimal(printed, style=style) == Decimal(expected)


@pytest.mark.parametrize("printed", ["", "abc", "12a", "1,2,3", "%"])
def test_parse_decimal_refuses_what_is_not_a_number(printed):
    with pytest.raises(NumberFormatError):
        parse_decimal(printed)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("73%", "0.73"), ("95,8%", "0.958"), ("41.74%", "0.4174"), ("00%", "0.00"), ("116%", "1.16"), ("2.6%", "0.026")],
)
def test_percentages_become_exact_ratios(printed, expected):
    assert percent_to_ratio(printed) == Decimal(expected)


@pytest.mark.parametrize(
    ("printed", "form", "value", "share", "unit"),
    [
        ("927 (35%)", "count_share", "927", "0.35", ""),
        ("1072 (40%)", "count_share", "1072", "0.40", ""),
        ("2 acuerdos", "count_unit", "2", None, "acuerdos"),
        ("83 actividades", "count_unit", "83", None, "actividades"),
        ("8,115,563", "number", "8115563", None, ""),
        ("51.5%", "percent", "0.515", None, ""),
        ("00", "number", "0", None, ""),
        ("00%", "percent", "0.00", None, ""),
        ("0", "number", "0", None, ""),
    ],
)
def test_indicator_cells_are_read_with_their_form(printed, form, value, share, unit):
    cell = parse_cell(printed)
    assert (cell.form, cell.no_data, cell.unit) == (form, False, unit)
    assert cell.value == Decimal(value)
    assert cell.share == (None if share is None else Decimal(share))
    assert cell.source_text == printed


@pytest.mark.parametrize("printed", ["Sin dato", "sin dato", "-", "--", "NA", "/", "", "  ", "%", None])
def test_no_data_markers_are_no_data_never_zero(printed):
    cell = parse_cell(printed)
    assert cell.no_data is True
    assert cell.value is None and cell.share is None


def test_an_unreadable_indicator_cell_is_refused():
    with pytest.raises(NumberFormatError, match="Unreadable"):
        parse_cell("about 12")
