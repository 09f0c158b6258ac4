"""Excel export of the indicator tables: figures as numbers, achievement from the engine, no formulas."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators.exports import indicator_tables_workbook
from indicators.models import Indicator, IndicatorComment
from tests.factories import IndicatorFactory, IndicatorTargetFactory, IndicatorValueFactory, ResultFactory

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _cells(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_indicator_row_has_values_targets_achievement_and_comment():
    result = ResultFactory(code="R1")
    indicator = IndicatorFactory(
        result=result,
        code="R1.1",
        name="Productores capacitados",
        unit="personas",
        baseline=Decimal("0"),
        final_target=Decimal("5000"),
        aggregation=Indicator.Aggregation.LATEST,
    )
    IndicatorValueFactory(indicator=indicator, year=2010, quarter=0, value=Decimal("1500"))
    IndicatorValueFactory(indicator=indicator, year=2011, quarter=0, value=Decimal("3212"))
    IndicatorTargetFactory(indicator=indicator, year=2011, quarter=0, value=Decimal("3032"))
    IndicatorComment.objects.create(indicator=indicator, year=2011, text="Meta superada")

    header, row = _rows(indicator_tables_workbook(result.programme, 2011))

    assert header[:3] == ["Nivel", "Código", "Indicador"] and header[6] == "Avance 2010" and header[14] == "Logro 2011"
    assert row[:5] == ["R1", "R1.1", "Productores capacitados", "personas", 0]
    assert (row[6], row[8], row[10], row[12]) == (1500, 3212, 3032, 5000)
    assert row[14] == pytest.approx(3212 / 3032, abs=1e-6)  # computed by the scores engine: 106 %
    assert (row[15], row[16]) == ("computed", "Meta superada")


def test_missing_and_no_data_figures_are_empty_or_sin_dato_never_zero():
    result = ResultFactory(code="R2")
    indicator = IndicatorFactory(result=result, code="R2.1")
    IndicatorValueFactory(indicator=indicator, year=2011, quarter=0, value=None, no_data=True)

    _, row = _rows(indicator_tables_workbook(result.programme, 2011))

    assert row[6] is None and row[8] == "Sin dato" and row[10] is None
    assert row[14] == "Sin dato" and row[15] == "none"


def test_shares_are_written_as_percent_cells():
    result = ResultFactory(code="R3")
    indicator = IndicatorFactory(result=result, code="R3.1", unit_kind=Indicator.UnitKind.COUNT_SHARE)
    IndicatorValueFactory(indicator=indicator, year=2011, quarter=0, value=Decimal("927"), share=Decimal("35"))

    sheet = _cells(indicator_tables_workbook(result.programme, 2011))

    assert sheet["I2"].value == 927 and sheet["J2"].value == pytest.approx(0.35) and sheet["J2"].number_format == "0%"


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+SUM(1)", "-1+2", "@evil"])
def test_user_text_never_becomes_a_formula(text):
    result = ResultFactory(code="R4")
    indicator = IndicatorFactory(result=result, code="R4.1", name=text, unit=text)
    IndicatorComment.objects.create(indicator=indicator, year=2011, text=text)

    sheet = _cells(indicator_tables_workbook(result.programme, 2011))

    for cell in (sheet["C2"], sheet["D2"], sheet["Q2"]):
        assert cell.data_type == "s" and cell.value == "'" + text


def test_indicators_without_data_are_left_out():
    result = ResultFactory(code="OE")
    IndicatorFactory(result=result, code="OE.9", has_data=False)

    assert len(_rows(indicator_tables_workbook(result.programme, 2011))) == 1
