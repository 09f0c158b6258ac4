"""Annex 7.2, the monitoring card (card.py), and table 2.1 (summary.py): stated scores, never computed."""

from decimal import Decimal


def test_monitoring_card_2010_star_column_is_the_year_2010(built):
    headers = {(s["year"], s["quarter"]): s["period_header"] for s in built["stated_scores"] if s.get("period_header")}
    assert headers[(2010, 0)] == "2010 *"
    assert {(2011, q) for q in (1, 2, 3, 4)} <= set(headers)


def test_table_2_1_scores_carry_the_average_achievement_2_2_prints(built):
    year = {s["level"]: s for s in built["stated_scores"] if s["source"] == "Informe anual 2011, 2.1"}
    assert sorted(year) == ["OE", "R1", "R2", "R3", "R4"]
    # "en promedio, de 81% del cumplimiento" is the specific objective's
    assert year["OE"]["average_achievement_text"] == "81%"
    assert Decimal(year["OE"]["average_achievement"]) == Decimal("0.81")


def test_card_header_month_only_dates_are_the_first_of_the_month(built):
    card = built["monitoring_card"]
    assert card["start_planned"] == {"date": "2007-11-01", "source_text": "mes Nov Año 2007"}
    assert card["executing_agency"] == "Ministerio de la Producción - PRODUC"
