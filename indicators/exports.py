"""Excel export of the indicator tables (sections 3.2.1 and 3.3.1) for people who keep spreadsheets.

One row per indicator with data, the rows the report prints (``indicators.figures.indicator_lines``):
baseline, progress N-1 and N (the year's row as entered or stated, else the figure made of its
quarters), target N, final target, achievement N (ratio, stated or computed) and comment.
Missing figures are empty cells; "Sin dato" marks a row entered as no data or an achievement that
cannot be computed. User text goes through cse_monitor.lib.spreadsheets (formula injection neutralised).
"""

from openpyxl import Workbook

from cse_monitor.lib.spreadsheets import append_row, as_number, to_bytes, write_header
from indicators.figures import Printed, figure_book, indicator_lines
from indicators.models import Indicator, Programme

NO_DATA = "Sin dato"
PERCENT = "0%"
NUMBER = "#,##0.##"


def _figure(printed: Printed) -> tuple[object, object]:
    """(value, share as a ratio for a % cell) of a printed figure; its text when it has no number."""
    if printed.no_data:
        return NO_DATA, None
    if printed.value is None and printed.share is None and printed.source_text:
        return printed.source_text, None
    return as_number(printed.value), None if printed.share is None else as_number(printed.share / 100)


def indicator_tables_workbook(programme: Programme, year: int) -> bytes:
    """The programme's indicator tables for ``year`` as .xlsx, the rows the report prints. Five queries."""
    indicators = list(
        Indicator.objects.filter(result__programme=programme, has_data=True)
        .select_related("result")
        .order_by("result__order", "result__code", "order", "code")
    )
    lines = indicator_lines(indicators, year, figure_book(indicators, last_year=year))

    book = Workbook()
    sheet = book.active
    sheet.title = f"Indicadores {year}"
    header = [
        "Nivel",
        "Código",
        "Indicador",
        "Unidad",
        "Línea de base",
        "% base",
        f"Avance {year - 1}",
        f"% {year - 1}",
        f"Avance {year}",
        f"% {year}",
        f"Meta {year}",
        f"% meta {year}",
        "Meta final",
        "% meta final",
        f"Logro {year}",
        "Origen del logro",
        "Comentario",
    ]
    write_header(sheet, header, [7, 8, 60, 12, 12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 10, 12, 80])
    formats = {5: NUMBER, 6: PERCENT, 7: NUMBER, 8: PERCENT, 9: NUMBER, 10: PERCENT, 11: NUMBER, 12: PERCENT}
    formats |= {13: NUMBER, 14: PERCENT, 15: PERCENT}
    for line in lines:
        indicator, achievement = line.indicator, line.achievement
        append_row(
            sheet,
            [
                indicator.result.code,
                indicator.code,
                indicator.name,
                indicator.unit,
                *_figure(line.baseline),
                *_figure(line.previous.printed),
                *_figure(line.current.printed),
                *_figure(line.target),
                *_figure(line.final_target),
                NO_DATA if achievement.value is None else as_number(achievement.value),
                str(achievement.origin),
                line.comment,
            ],
            formats,
        )
    return to_bytes(book)
