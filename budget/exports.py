"""Excel export of annex 7.3 (budget vs actuals) of a report year: the report's own annex, cell for cell.

The workbook reads ``budget.selectors.budget_vs_actuals`` as the report does and prints the same
headings, rows, subtotals and notes in the same order and language. Amounts are numbers in the
programme's currency, rates Excel percentages (ratio cells); a figure that is not known is the text
"Sin dato", as in the report, never an empty or zero cell. Line names go through
cse_monitor.lib.spreadsheets (formula injection neutralised).
"""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from budget.selectors import AnnexRow, AnnexTotal, budget_vs_actuals
from cse_monitor.lib.spreadsheets import append_row, as_number, to_bytes, write_header
from indicators.models import Programme

MONEY = "#,##0.00"
PERCENT = "0%"
BOLD = Font(bold=True)
NO_DATA = "Sin dato"


def _cell(value: Decimal | None) -> float | int | str:
    return NO_DATA if value is None else as_number(value)


def _figures(row: AnnexRow | AnnexTotal) -> list[object]:
    """Amount, each spending column, total, balance, rate: the cells the report prints after the labels."""
    return [
        _cell(row.amount),
        *(_cell(spent) for spent in row.spent),
        _cell(row.total),
        _cell(row.balance),
        _cell(row.rate),
    ]


def budget_vs_actuals_workbook(programme: Programme, year: int) -> bytes:
    """Annex 7.3 of the ``year`` annual report as .xlsx, in the active language. Three queries at most."""
    annex = budget_vs_actuals(programme, year)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Budget vs Actuals {year}"
    headers = annex.headers
    write_header(sheet, headers, [14, 50, 10] + [16] * (len(headers) - 4) + [9])
    money_columns = range(4, len(headers))  # amount, spending columns, total, balance
    formats = {column: MONEY for column in money_columns} | {len(headers): PERCENT}
    for row in annex.rows:
        figures = [None] * (len(headers) - 3) if row.blank else _figures(row)
        append_row(sheet, [row.code, row.name, row.fin_mode, *figures], formats)
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(indent=row.depth)
        if row.is_header:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
    append_row(sheet, [])
    for total in annex.totals:
        append_row(sheet, [None, total.label, None, *_figures(total)], formats)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    append_row(sheet, [])
    for note in annex.notes:
        append_row(sheet, [note])
    return to_bytes(book)
