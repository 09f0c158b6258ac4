"""Excel export of the indicator tables (sections 3.2.1 and 3.3.1) for people who keep spreadsheets.

One row per indicator with data: baseline, progress N-1 and N (programme-wide whole-year rows),
target N, final target, achievement N (ratio from the scores engine, stated or computed) and comment.
Missing figures are empty cells; "Sin dato" marks a row entered as no data or an achievement that
cannot be computed. User text goes through cse_monitor.spreadsheets (formula injection neutralised).
"""

from decimal import Decimal

from openpyxl import Workbook

from cse_monitor.spreadsheets import append_row, as_number, to_bytes, write_header
from indicators.models import Indicator, IndicatorComment, IndicatorTarget, IndicatorValue, Programme
from indicators.periods import Period
from indicators.selectors import indicator_achievements

NO_DATA = "Sin dato"
PERCENT = "0%"
NUMBER = "#,##0.##"


def _figure(value: Decimal | None, share: Decimal | None, no_data: bool = False) -> tuple[object, object]:
    """(value, share as a ratio for a % cell) of a value, target, baseline or final target."""
    if no_data:
        return NO_DATA, None
    return as_number(value), None if share is None else as_number(share / 100)


def indicator_tables_workbook(programme: Programme, year: int) -> bytes:
    """The programme's indicator tables for ``year`` as .xlsx (one sheet, one row per indicator). Six queries."""
    indicators = list(
        Indicator.objects.filter(result__programme=programme, has_data=True)
        .select_related("result")
        .order_by("result__order", "result__code", "order", "code")
    )
    ids = [i.pk for i in indicators]
    values = {
        (row.indicator_id, row.year): row
        for row in IndicatorValue.objects.filter(
            indicator_id__in=ids, year__in=[year - 1, year], quarter=0, chain__isnull=True, region="", sex=""
        )
    }
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(indicator_id__in=ids, year=year, quarter=0, chain__isnull=True)
    }
    comments: dict[int, str] = {}
    for comment in IndicatorComment.objects.filter(indicator_id__in=ids, year=year).order_by("source", "pk"):
        comments.setdefault(comment.indicator_id, comment.text)
    achievements = indicator_achievements(indicators, [Period(year)])

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
    for indicator in indicators:
        previous, current = values.get((indicator.pk, year - 1)), values.get((indicator.pk, year))
        target = targets.get(indicator.pk)
        achievement = achievements[indicator.pk][0].achievement
        append_row(
            sheet,
            [
                indicator.result.code,
                indicator.code,
                indicator.name,
                indicator.unit,
                *_figure(indicator.baseline, indicator.baseline_share),
                *(_figure(previous.value, previous.share, previous.no_data) if previous else (None, None)),
                *(_figure(current.value, current.share, current.no_data) if current else (None, None)),
                *(_figure(target.value, target.share) if target else (None, None)),
                *_figure(indicator.final_target, indicator.final_target_share),
                NO_DATA if achievement.value is None else as_number(achievement.value),
                str(achievement.origin),
                comments.get(indicator.pk, ""),
            ],
            formats,
        )
    return to_bytes(book)
