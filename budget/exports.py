"""Excel export of budget vs actuals (annex 7.3) from ``budget.selectors.budget_vs_actuals``.

Amounts are numbers in the programme's currency, rates Excel percentages (ratio cells), subtotals
per financing mode and the total as the selector computes them. Line names go through
cse_monitor.spreadsheets (formula injection neutralised).
"""

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from budget.selectors import Span, budget_vs_actuals
from cse_monitor.spreadsheets import append_row, as_number, to_bytes, write_header
from indicators.models import Programme

MONEY = "#,##0.00"
PERCENT = "0%"
BOLD = Font(bold=True)


def _spanish_label(span: Span | None, fallback: str) -> str:
    # The workbook's headers are Spanish whatever the language of the request, like its other columns.
    if span is None:
        return fallback
    with translation.override("es"):
        return span.label()


def budget_vs_actuals_workbook(programme: Programme, year: int | None = None) -> bytes:
    """Annex 7.3 for ``year`` (default: the last year with expenses) as .xlsx. Two queries."""
    table = budget_vs_actuals(programme, year)
    shown_year = table.year
    book = Workbook()
    sheet = book.active
    sheet.title = f"Budget vs Actuals {shown_year or ''}".strip()
    header = [
        "Código",
        "Descripción",
        "Modo fin.",
        "Monto",
        _spanish_label(table.before, "Gastos anteriores"),
        _spanish_label(table.during, "Gastos del año"),
        "Total",
        "Saldo",
        "% ejec.",
    ]
    write_header(sheet, header, [14, 50, 10, 16, 16, 16, 16, 16, 9])
    formats = {4: MONEY, 5: MONEY, 6: MONEY, 7: MONEY, 8: MONEY, 9: PERCENT}
    for row in table.rows:
        execution = row.execution
        line = execution.line
        append_row(
            sheet,
            [
                line.code,
                line.name,
                line.fin_mode,
                as_number(line.amount),
                as_number(line.spent_before),
                as_number(line.spent_this_year),
                as_number(execution.total),
                as_number(execution.balance),
                as_number(execution.rate),
            ],
            formats,
        )
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(indent=row.depth)
        if line.is_header:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
    append_row(sheet, [])
    subtotals = [
        (mode or "—", execution, table.spending_by_fin_mode[mode])
        for mode, execution in sorted(table.by_fin_mode.items())
    ]
    for label, execution, spending in [*subtotals, ("TOTAL", table.total, table.spending_total)]:
        append_row(
            sheet,
            [
                "",
                label,
                "",
                as_number(execution.budget),
                as_number(spending.before),
                as_number(spending.this_year),
                as_number(execution.spent),
                as_number(execution.balance),
                as_number(execution.rate),
            ],
            formats,
        )
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    return to_bytes(book)
