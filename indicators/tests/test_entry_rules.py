"""The pure rules of quarterly entry, as tables."""

import io
import zipfile
from datetime import date
from decimal import Decimal as D

import pytest

from indicators.entry import rules
from indicators.entry.rules import EvidenceKind, WindowState
from indicators.precision import Precision

Q1_START, Q1_END = date(2012, 1, 1), date(2012, 3, 31)


@pytest.mark.parametrize(
    ("today", "opens_on", "approved", "reopened", "expected"),
    [
        (date(2011, 12, 31), None, False, False, WindowState.NOT_YET_OPEN),
        (date(2012, 1, 1), None, False, False, WindowState.OPEN),
        (date(2012, 3, 31), date(2012, 4, 1), False, False, WindowState.NOT_YET_OPEN),
        (date(2012, 4, 1), date(2012, 4, 1), False, False, WindowState.OPEN),
        (date(2012, 4, 30), None, False, False, WindowState.OPEN),  # last day: 30 days after 31 March
        (date(2012, 5, 1), None, False, False, WindowState.CLOSED),
        (date(2013, 1, 1), None, False, True, WindowState.OPEN),  # a reviewer reopened it
        (date(2012, 2, 1), None, True, False, WindowState.APPROVED),
        (date(2012, 2, 1), None, True, True, WindowState.APPROVED),  # approval locks even a reopened quarter
    ],
)
def test_entry_window_opens_on_its_date_and_closes_days_after_the_quarter(
    today, opens_on, approved, reopened, expected
):
    state = rules.entry_window(
        today=today,
        quarter_start=Q1_START,
        quarter_end=Q1_END,
        opens_on=opens_on,
        close_after_days=30,
        approved=approved,
        reopened=reopened,
    )
    assert state is expected


@pytest.mark.parametrize(
    ("unit", "value", "share", "expected"),
    [
        ("count", D("12"), None, []),
        ("count", D("12.5"), None, [rules.MSG_NOT_WHOLE]),
        ("count", D("-1"), None, [rules.MSG_NEGATIVE]),
        ("money", D("1234.5"), None, []),
        ("money", D("-3"), None, [rules.MSG_NEGATIVE]),
        ("area", D("0.25"), None, []),
        ("percentage", D("100"), None, []),
        ("percentage", D("116"), None, []),  # R2.1 profitability growth, 2011
        ("percentage", D("-7.72"), None, []),  # a decrease is a percentage too
        ("count_share", D("927"), D("35"), []),
        ("count_share", D("927"), None, [rules.MSG_COUNT_SHARE_BOTH]),
        ("count_share", None, D("35"), [rules.MSG_COUNT_SHARE_BOTH]),
        ("count_share", D("927"), D("135"), [rules.MSG_SHARE_RANGE]),
        ("qualitative", D("-5"), None, []),
    ],
)
def test_unit_errors(unit, value, share, expected):
    assert rules.unit_errors(unit, value, share) == expected


@pytest.mark.parametrize(
    ("no_data", "reason", "value", "expected"),
    [
        (True, "no survey this quarter", None, []),
        (True, "  ", None, [rules.MSG_NO_DATA_REASON]),
        (True, "why", D("0"), [rules.MSG_NO_DATA_WITH_NUMBER]),
        (False, "", None, [rules.MSG_EMPTY_VALUE]),
        (False, "", D("0"), []),
    ],
)
def test_no_data_needs_a_reason_and_no_number(no_data, reason, value, expected):
    assert rules.no_data_errors(no_data=no_data, reason=reason, value=value, share=None) == expected


@pytest.mark.parametrize(
    ("value", "previous", "factor", "expected"),
    [
        (D("200"), D("100"), D("2"), False),
        (D("201"), D("100"), D("2"), True),
        (D("50"), D("100"), D("2"), False),
        (D("49"), D("100"), D("2"), True),
        (D("0"), D("100"), D("2"), True),
        (D("-5"), D("100"), D("2"), True),
        (D("500"), D("0"), D("2"), False),  # no ratio to a zero
        (D("500"), None, D("2"), False),
        (None, D("100"), D("2"), False),
        (D("160"), D("100"), D("1.5"), True),
    ],
)
def test_outlier_is_a_move_beyond_the_factor_either_way(value, previous, factor, expected):
    assert rules.is_outlier(value, previous, factor) is expected


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (D("5"), D("10"), D("90"), True),
        (D("10"), D("10"), D("90"), False),
        (D("91"), D("10"), D("90"), True),
        (D("91"), None, None, False),
        (D("91"), D("10"), None, False),
        (None, D("10"), D("90"), False),
    ],
)
def test_expected_range(value, low, high, expected):
    assert rules.out_of_range(value, low, high) is expected


@pytest.mark.parametrize(
    ("share", "total", "women", "ok"),
    [
        (D("35"), D("927"), D("324"), True),  # 34.95 %
        (D("35"), D("927"), D("400"), False),  # 43.1 %
        (D("35"), D("927"), None, True),
        (None, D("927"), D("300"), True),
        (D("35"), D("0"), D("0"), True),
    ],
)
def test_count_with_share_matches_its_women_part(share, total, women, ok):
    assert (rules.share_consistency_error(share, total, women) is None) is ok


@pytest.mark.parametrize(
    ("total", "parts", "flagged", "parts_sum"),
    [
        (D("10"), [D("4"), D("6")], False, D("10")),
        (D("10"), [D("4"), D("5")], True, D("9")),
        (D("10"), [D("4"), None], True, D("4")),
        (None, [D("4"), D("6")], False, D("10")),  # no total: nothing to compare, nothing summed into it
        (D("10"), [None, None], True, None),
    ],
)
def test_disaggregation_flags_missing_parts_and_mismatched_sums(total, parts, flagged, parts_sum):
    check = rules.check_disaggregation(total, parts)
    assert check.flagged is flagged
    assert check.parts_sum == parts_sum


def _xlsx_names() -> list[str]:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return zipfile.ZipFile(buffer).namelist()


@pytest.mark.parametrize(
    ("head", "names", "expected"),
    [
        (b"%PDF-1.7\n...", (), EvidenceKind.PDF),
        (b"\x89PNG\r\n\x1a\n....", (), EvidenceKind.PNG),
        (b"\xff\xd8\xff\xe0JFIF", (), EvidenceKind.JPEG),
        (b"GIF89a...", (), EvidenceKind.GIF),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", (), EvidenceKind.WEBP),
        (b"PK\x03\x04rest", tuple(_xlsx_names()), EvidenceKind.XLSX),
        (b"PK\x03\x04rest", ("word/document.xml",), None),  # a .docx is a ZIP but not a spreadsheet
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", (), EvidenceKind.XLS),
        (b"ubigeo;distrito\n050101;Ayacucho\n", (), EvidenceKind.CSV),
        (b"MZ\x90\x00 executable", (), None),
        (b"<html><script>alert(1)</script>", (), None),
        (b"#!/bin/sh\nrm -rf /", (), None),
        (b"", (), None),
    ],
)
def test_evidence_kind_is_read_from_content(head, names, expected):
    assert rules.sniff_evidence(head, zip_names=names) == expected


@pytest.mark.parametrize(
    ("name", "kind", "ok"),
    [
        ("acta.pdf", EvidenceKind.PDF, True),
        ("ACTA.PDF", EvidenceKind.PDF, True),
        ("acta.xlsx", EvidenceKind.PDF, False),
    ],
)
def test_extension_must_agree_with_content(name, kind, ok):
    assert rules.extension_matches(name, kind) is ok


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("Acta de reunión Nº 3.pdf", "Acta_de_reunion_No_3.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "evidence"),
        ("///", "evidence"),
        ("a" * 200 + ".pdf", "a" * 76 + ".pdf"),
    ],
)
def test_safe_filename_removes_paths_and_odd_characters(name, expected):
    assert rules.safe_filename(name) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (D("1.2345"), []),
        (D("1.23450"), []),  # trailing zero: nothing lost
        (D("1.23456"), [rules.MSG_TOO_PRECISE.format(places=4)]),
        (D("99999999999.9999"), []),  # 15 digits: what SQLite holds exactly
        (D("-99999999999.9999"), []),
        (D("12345678901.2345"), []),
        (D("100000000000"), [rules.MSG_TOO_LARGE.format(largest="99999999999.9999")]),
        (D("12345678901.23456"), [rules.MSG_TOO_PRECISE.format(places=4)]),
        (D("9999999999999999"), [rules.MSG_TOO_LARGE.format(largest="99999999999.9999")]),  # stored 1E16 once
        (D("1234567890123.4567"), [rules.MSG_TOO_LARGE.format(largest="99999999999.9999")]),  # rounded once
        (D("Infinity"), [rules.MSG_TOO_LARGE.format(largest="99999999999.9999")]),
        (D("1E+400"), [rules.MSG_TOO_LARGE.format(largest="99999999999.9999")]),
        (D("1E-400"), [rules.MSG_TOO_PRECISE.format(places=4)]),
        (None, []),
    ],
)
def test_numbers_the_database_would_round_are_refused(number, expected):
    assert rules.precision_errors(number, Precision(15, 4)) == expected


@pytest.mark.parametrize(
    ("precision", "largest", "step"),
    [
        (Precision(15, 4), D("99999999999.9999"), D("0.0001")),
        (Precision(15, 2), D("9999999999999.99"), D("0.01")),
        (Precision(7, 4), D("999.9999"), D("0.0001")),
        (Precision(10, 0), D("9999999999"), D("1")),
    ],
)
def test_a_precision_knows_its_largest_number_and_its_step(precision, largest, step):
    assert (precision.largest, precision.step) == (largest, step)


@pytest.mark.parametrize(("digits", "places"), [(16, 4), (20, 4), (4, 4), (5, -1)])
def test_a_precision_beyond_what_every_database_holds_is_refused_when_declared(digits, places):
    with pytest.raises(ValueError, match="15 digits"):
        Precision(digits, places)


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (D("100"), D("0"), D("100"), []),
        (D("0"), D("0"), D("100"), []),
        (D("100.0001"), D("0"), D("100"), [rules.MSG_OUTSIDE_ALLOWED.format(low="0", high="100")]),
        (D("-0.0001"), D("0"), D("100"), [rules.MSG_OUTSIDE_ALLOWED.format(low="0", high="100")]),
        (D("1234"), D("0"), D("100"), [rules.MSG_OUTSIDE_ALLOWED.format(low="0", high="100")]),
        (D("133"), D("0"), D("200"), []),
        (D("-5"), D("0"), None, [rules.MSG_BELOW_ALLOWED.format(low="0")]),
        (D("1E+9"), D("0"), None, []),
        (D("250.5"), None, D("200.50"), [rules.MSG_ABOVE_ALLOWED.format(high="200.5")]),
        (D("5"), None, None, []),
        (None, D("0"), D("100"), []),
    ],
)
def test_values_outside_the_allowed_range_are_refused(value, low, high, expected):
    assert rules.range_errors(value, low, high) == expected


# --- numerator and denominator (ratio indicators) -----------------------------------------------


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "expected"),
    [
        ("percentage", None, None, []),  # nothing entered: no_data_errors says what is missing
        ("percentage", D("30"), D("120"), []),
        ("percentage", D("150"), D("120"), []),  # more than 100 %: a warning elsewhere, never a block
        ("percentage", D("0"), D("5"), []),
        ("percentage", D("30"), None, [rules.MSG_RATIO_BOTH]),
        ("percentage", None, D("120"), [rules.MSG_RATIO_BOTH]),
        ("percentage", D("30"), D("0"), [rules.MSG_DENOMINATOR_NOT_POSITIVE]),
        ("percentage", D("30"), D("-4"), [rules.MSG_DENOMINATOR_NOT_POSITIVE]),
        ("percentage", D("-1"), D("4"), [rules.MSG_NUMERATOR_NEGATIVE]),
        ("percentage", D("2.5"), D("4.25"), []),  # money or areas may be fractional
        ("count", D("2.5"), D("4"), [rules.MSG_RATIO_NOT_WHOLE]),
        ("count_share", D("2"), D("4.5"), [rules.MSG_RATIO_NOT_WHOLE]),
        ("count", D("2.000"), D("4"), []),
        (
            "count",
            D("-1.5"),
            D("0"),
            [rules.MSG_NUMERATOR_NEGATIVE, rules.MSG_DENOMINATOR_NOT_POSITIVE, rules.MSG_RATIO_NOT_WHOLE],
        ),
    ],
)
def test_ratio_errors(unit, numerator, denominator, expected):
    assert rules.ratio_errors(unit, numerator, denominator) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (D("30"), D("120"), D("25.0000")),
        (D("1"), D("3"), D("33.3333")),
        (D("2"), D("3"), D("66.6667")),
        (D("133"), D("100"), D("133.0000")),
        (D("0"), D("7"), D("0.0000")),
        (D("1"), D("0"), None),  # never a made-up 0 or 100 %
        (None, D("3"), None),
        (D("3"), None, None),
    ],
)
def test_ratio_percent_is_the_rows_own_share(numerator, denominator, expected):
    assert rules.ratio_percent(numerator, denominator) == expected


# --- disaggregation with value-chain, region and sex parts --------------------------------------

F = rules.Figures
NOT_ENTERED = F(entered=False)


@pytest.mark.parametrize(
    ("ratio", "total", "groups", "expected"),
    [
        # Regions that add up: no flag.
        (False, F(True, D("12")), [[F(True, D("3")), F(True, D("4")), F(True, D("5"))]], []),
        # Regions that do not: flagged with both sums, never summed into the total.
        (
            False,
            F(True, D("10")),
            [[F(True, D("3")), F(True, D("4")), F(True, D("5"))]],
            ["Incomplete disaggregation: the parts add up to 12, the total is 10."],
        ),
        # A region not entered yet.
        (
            False,
            F(True, D("12")),
            [[F(True, D("3")), NOT_ENTERED, F(True, D("5"))]],
            [rules.MSG_DISAGGREGATION_INCOMPLETE],
        ),
        # A region marked "sin dato" has no number: the parts are incomplete.
        (False, F(True, D("12")), [[F(True, D("3")), F(True), F(True, D("9"))]], [rules.MSG_DISAGGREGATION_INCOMPLETE]),
        # Nothing entered in a group, nor its total: nothing to say yet.
        (False, NOT_ENTERED, [[NOT_ENTERED, NOT_ENTERED]], []),
        # Chains fine, regions off: only the regions are flagged.
        (
            False,
            F(True, D("12")),
            [[F(True, D("12"))], [F(True, D("2")), F(True, D("2")), F(True, D("2"))]],
            ["Incomplete disaggregation: the parts add up to 6, the total is 12."],
        ),
        # A part entered without its total: the total is what is missing.
        (False, NOT_ENTERED, [[F(True, D("3")), F(True, D("4"))]], []),
        # A ratio compares numerators and denominators, never percentages.
        (
            True,
            F(True, D("28.5714"), D("40"), D("140")),
            [[F(True, D("25"), D("30"), D("120")), F(True, D("50"), D("10"), D("20"))]],
            [],
        ),
        (
            True,
            F(True, D("28.5714"), D("40"), D("140")),
            [[F(True, D("25"), D("30"), D("120")), F(True, D("33.3333"), D("10"), D("30"))]],
            ["Incomplete disaggregation: the parts' denominators add up to 150, the total's is 140."],
        ),
        (
            True,
            F(True, D("50"), D("50"), D("100")),
            [[F(True, D("40"), D("20"), D("50")), F(True, D("40"), D("20"), D("50"))]],
            ["Incomplete disaggregation: the parts' numerators add up to 40, the total's is 50."],
        ),
    ],
)
def test_disaggregation_messages_per_group(ratio, total, groups, expected):
    assert rules.disaggregation_messages(ratio=ratio, total=total, groups=groups) == expected


def test_disaggregation_message_keeps_its_template_for_translation():
    [message] = rules.disaggregation_messages(
        ratio=False, total=F(True, D("10")), groups=[[F(True, D("3")), F(True, D("4"))]]
    )
    assert message.template == rules.MSG_DISAGGREGATION_MISMATCH and message.params == {"parts": "7", "total": "10"}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [("050101", "Ayacucho", "AYACUCHO"), ("030101", "Apurímac", "APURIMAC"), ("090101", "", "HUANCAVELICA")],
            {"03": "Apurímac", "05": "Ayacucho", "09": "Huancavelica"},
        ),
        # The programme's spelling beats the register's, and the most frequent spelling wins.
        (
            [("030101", "", "APURIMAC"), ("030102", "Apurimac", "APURIMAC"), ("030103", "Apurímac", "APURIMAC")]
            + [("030104", "Apurímac", "APURIMAC")],
            {"03": "Apurímac"},
        ),
        ([("12345", "Lima", "LIMA"), ("", "", ""), ("ab0101", "x", "X")], {}),  # not an ubigeo
        ([], {}),
    ],
)
def test_departments_from_beneficiary_districts(rows, expected):
    assert rules.departments(rows) == expected
    assert list(rules.departments(rows)) == sorted(expected)


@pytest.mark.parametrize(
    ("number", "text"),
    [(D("10.50"), "10.5"), (D("1E+3"), "1000"), (D("-0.0100"), "-0.01"), (D("0"), "0"), (None, "—")],
)
def test_plain_number_shows_a_number_as_entered_and_a_missing_one_as_a_dash(number, text):
    assert rules.plain_number(number) == text


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (D("50"), D("10"), D("90"), None),
        (D("5"), D("10"), D("90"), "Outside the expected range 10 – 90: check it."),
        (D("5"), D("10.0"), None, "Below the expected minimum 10: check it."),
        (D("95"), None, D("90"), "Above the expected maximum 90: check it."),
        (D("95"), None, None, None),
        (None, D("10"), D("90"), None),
    ],
)
def test_expected_range_warning_names_the_bound_crossed(value, low, high, expected):
    assert rules.expected_range_warning(value, low, high) == expected
