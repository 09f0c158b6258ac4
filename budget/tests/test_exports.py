"""Excel export of budget vs actuals (annex 7.3): lines, subtotals per financing mode, no formulas."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from budget.exports import budget_vs_actuals_workbook
from budget.models import BudgetExpense, BudgetLine, FinMode
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def _line(programme, code, name, amount, fin_mode=FinMode.COGES, parent=None, order=0, **expenses):
    line = BudgetLine.objects.create(
        programme=programme,
        code=code,
        name=name,
        amount=amount,
        fin_mode=fin_mode,
        parent=parent,
        order=order,
        is_header=amount is None,
    )
    for year, spent in expenses.items():
        BudgetExpense.objects.create(
            line=line, year_from=None if year == "y2010" else 2011, year_to=int(year[1:]), amount=spent
        )
    return line


@pytest.fixture
def programme():
    programme = ProgrammeFactory(code="PER0601011")
    header = _line(programme, "A", "Objetivo específico", None, fin_mode="", order=1)
    _line(
        programme,
        "A/01/01",
        "Capacitación",
        Decimal("253015.00"),
        parent=header,
        order=2,
        y2010=Decimal("103122.43"),
        y2011=Decimal("0"),
    )
    _line(
        programme,
        "Z/01/01",
        "Personal",
        Decimal("100000.00"),
        fin_mode=FinMode.REGIE,
        order=3,
        y2010=Decimal("40000"),
        y2011=Decimal("20000"),
    )
    return programme


def _rows(programme, year):
    sheet = load_workbook(io.BytesIO(budget_vs_actuals_workbook(programme, year))).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_lines_carry_amount_spent_total_balance_and_rate(programme):
    with translation.override("es"):
        sheet, rows = _rows(programme, 2010)

    assert rows[0][:6] == ["Código", "Línea presupuestaria", "Mod. fin.", "Monto", "Inicio - 2010", "Gastos 2011"]
    line = next(r for r in rows if r[0] == "A/01/01")
    assert line[3:8] == [253015.0, 103122.43, 0, 103122.43, 149892.57]
    assert line[8] == pytest.approx(103122.43 / 253015.0)
    assert sheet["I3"].number_format == "0%" and sheet["D3"].number_format == "#,##0.00"


def test_subtotals_per_financing_mode_and_total(programme):
    _sheet, rows = _rows(programme, 2010)
    totals = [row for row in rows[1:] if row[0] is None and row[1]]
    by_label = {row[1]: row for row in totals}

    assert [row[1] for row in totals] == ["REGIE", "COGES", "TOTAL"]  # the report's order
    assert by_label["COGES"][3] == 253015.0 and by_label["REGIE"][6] == 60000.0
    assert by_label["TOTAL"][3] == 353015.0 and by_label["TOTAL"][6] == pytest.approx(163122.43)
    # Both spending columns of the subtotal: before 2011 (103,122.43 + 40,000) and in 2011 (0 + 20,000).
    assert by_label["TOTAL"][4:6] == [pytest.approx(143122.43), 20000.0]


def test_line_names_never_become_formulas(programme):
    _line(programme, "Z/09/09", '=HYPERLINK("http://x")', Decimal("1"), order=9)

    sheet = load_workbook(io.BytesIO(budget_vs_actuals_workbook(programme, 2010))).active
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "Z/09/09")

    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_year_without_extract_prints_sin_dato_never_zero_and_says_why(programme):
    with translation.override("en"):
        _sheet, rows = _rows(programme, 2011)  # the extract recorded is the 2010 report's

    assert rows[0] == ["Code", "Budget line", "Fin mode", "Amount", "Total", "Balance", "% exec."]
    line = next(r for r in rows if r[0] == "A/01/01")
    assert line[3:] == [253015.0, "Sin dato", "Sin dato", "Sin dato"]
    total = next(r for r in rows if r[1] == "TOTAL")
    assert total[3:] == [353015.0, "Sin dato", "Sin dato", "Sin dato"]
    assert not any(cell == 0 for row in rows for cell in row[3:])
    notes = [r[0] for r in rows if r[0] and r[0].startswith(("No FIT", "FIT extracts"))]
    assert notes == [
        "No FIT extract was recorded for 2011: the spending of each budget line is not known (Sin dato).",
        "FIT extracts are recorded for the reports of: 2010.",
    ]
