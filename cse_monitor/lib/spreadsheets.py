"""Writing Excel exports safely: one place that neutralises formula injection and styles header rows.

A cell whose text comes from users and starts with =, +, -, @ (or a tab / carriage return) would be
run by Excel or LibreOffice as a formula (CSV/formula injection). Such text is written with a leading
apostrophe and as an explicit string cell, so the spreadsheet shows it and never evaluates it.
No Django imports.
"""

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; every other value is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def append_row(sheet: Worksheet, values: Iterable[object], number_formats: dict[int, str] | None = None) -> None:
    """Append one row with user text neutralised (openpyxl would store "=…" text as a formula)."""
    sheet.append([neutralise(value) for value in values])
    if number_formats:
        for column, number_format in number_formats.items():
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format


def write_header(sheet: Worksheet, header: Sequence[str], widths: Sequence[int] | None = None) -> None:
    append_row(sheet, header)
    row = sheet.max_row
    for column in range(1, len(header) + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for column, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{row + 1}"  # a string: asking for the cell would create it


def as_number(value: Decimal | int | None) -> float | int | None:
    """Excel stores IEEE doubles; Decimals are converted at the last moment, None stays an empty cell."""
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
