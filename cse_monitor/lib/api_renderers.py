"""CSV and XLSX renderers for flat tables (the series). Columns come in the order the view declares.

A view returns a list of dicts and sets ``renderer_context["columns"]`` through
``get_renderer_context``; the first row is the header. Numbers arrive as decimal strings from the
serializers: the CSV keeps them verbatim, the XLSX writes them as numeric cells.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from rest_framework import renderers

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _columns(data, renderer_context) -> list[str]:
    columns = (renderer_context or {}).get("columns")
    if columns:
        return list(columns)
    return list(data[0].keys()) if data else []


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        columns = _columns(data, renderer_context)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in data:
            writer.writerow(["" if row.get(name) is None else row.get(name) for name in columns])
        return out.getvalue().encode(self.charset)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"
    numeric_columns: frozenset[str] = frozenset()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        columns = _columns(data, renderer_context)
        numeric = set((renderer_context or {}).get("numeric_columns", ()))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        sheet.append(columns)
        for row in data:
            sheet.append([_cell(row.get(name), name in numeric) for name in columns])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def _cell(value, numeric: bool):
    if value is None:
        return None
    if numeric and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value
