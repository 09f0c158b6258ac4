"""The indicators the builder makes of 3.2.1/3.3.1, 7.1 and 7.2 (indicators, indicator_rows, comment_figures).

Expected figures are typed from the seed (000_2e9625137dd54512.txt), never read back from the JSON.
"""

from decimal import Decimal

import pytest

from fixtures.per0601011_builder.indicator_rows import indicator_rows


def test_indicators_with_data_are_those_the_monitoring_card_names(built):
    with_data = [i for i in built["indicators"] if i["has_data"]]
    per_level = {level: sum(1 for i in with_data if i["level"] == level) for level in ("OE", "R1", "R2", "R3", "R4")}
    assert per_level == {"OE": 1, "R1": 6, "R2": 9, "R3": 5, "R4": 12}
    # every indicator of a result carries the seven periods of annex 7.2
    assert all(len(i["stated_achievements"]) == 7 for i in with_data if i["level"] != "OE")


def test_indicators_only_the_logframe_names_have_no_data(built):
    without = {i["code"]: i for i in built["indicators"] if not i["has_data"]}
    assert sorted(without) == ["R1.7", "R1.8", "R1.9"]
    assert without["R1.8"]["name"].startswith("Disponibilidad creciente de proveedores")
    assert all(i["unit_kind"] == "qualitative" and not i["values"] for i in without.values())


def test_four_r2_indicators_printed_in_the_r1_table_are_placed_under_r2(built, indicator):
    printed_in_r1 = {i["code"]: i["level"] for i in built["indicators"] if i["printed_in"] == "3.3.1 R1"}
    moved = {code for code, level in printed_in_r1.items() if level == "R2"}
    assert moved == {"R2.6", "R2.7", "R2.8", "R2.9"}
    assert indicator("R2.9")["name"].startswith("Acceso equitativo de mujeres")


def test_duplicated_satisfaction_row_keeps_the_2011_figure_and_both_comments(indicator):
    r14 = indicator("R1.4")
    by_year = {v["year"]: v for v in r14["values"]}
    assert by_year[2011]["value"] == "1.01" and by_year[2011]["source_text"] == "101%"
    assert by_year[2010]["no_data"] is True and by_year[2010]["source_text"] == "Sin dato"
    assert [c["source"] for c in r14["comments"]] == ["3.3.1 R1", "3.3.1 R1 (duplicate row)"]
    assert r14["duplicate_rows"][0]["cells"][:3] == ["0", "0", ""]


def test_duplicated_communication_row_keeps_the_figure_the_chain_figures_average_to(indicator):
    r26 = indicator("R2.6")
    overall = next(v for v in r26["values"] if v["year"] == 2011 and not v.get("chain"))
    assert overall["source_text"] == "95,8%"
    chains = {v["chain"]: Decimal(v["value"]) for v in r26["values"] if v.get("chain")}
    assert chains == {
        "fibra-de-alpaca": Decimal("1.20"),
        "ceramica": Decimal("0.67"),
        "textiles": Decimal("1.00"),
        "kiwicha-quinua": Decimal("1.14"),
        "lacteos": Decimal("1.00"),
        "palta": Decimal("1.00"),
        "papa-nativa": Decimal("1.33"),
        "tara": Decimal("0.33"),
    }
    # The mean of the eight chain figures is 95.875 %, printed (truncated) as 95,8 %.
    assert sum(chains.values()) / 8 == Decimal("0.95875")
    assert r26["duplicate_rows"][0]["cells"][2] == "74%"
    assert "3.3.1 R2 (duplicate row)" in [c["source"] for c in r26["comments"]]


@pytest.mark.parametrize(
    ("code", "region", "value"),
    [
        ("R3.3", "03", "23"),
        ("R3.3", "09", "14"),
        ("R3.3", "05", "46"),
        ("R4.2", "03", "0.089"),
        ("R4.2", "05", "0.1828"),
        ("R4.2", "09", "0.0555"),
        ("R4.4", "03", "0.0233"),
        ("R4.4", "05", "0.0310"),
        ("R4.4", "09", "0.0169"),
        ("R4.11", "03", "3"),
        ("R4.11", "05", "2"),
        ("R4.11", "09", "0"),
    ],
)
def test_per_region_figures_of_the_comments_are_kept(indicator, code, region, value):
    values = [v for v in indicator(code)["values"] if v.get("region") == region]
    assert len(values) == 1
    assert Decimal(values[0]["value"]) == Decimal(value)


def test_oe_count_is_a_running_total_of_new_units(indicator):
    oe = indicator("OE.1")
    assert oe["aggregation"] == "running"
    # 3,032 units up to 2010 plus 180 new in 2011 = 3,212 (3.2.1 comment)
    assert sum(Decimal(v["value"]) for v in oe["values"]) == 3212


def test_rows_printed_under_a_result_heading_carry_its_level():
    lines = [
        "Indicadores\tLínea de base\tN-1\tN\tObjetivo N\tObjetivo\tComentario",
        "Resultado 2\t\t\t\t\t\t",
        "Mesas de concertación\t6\t18\t21\t20\t25\t<p>21 mesas.</p><p>En 3 regiones.</p>",
        "--\t\t\t\t\t\t",
    ]
    assert indicator_rows("3.3.1", lines) == [
        {
            "table": "3.3.1 R2",
            "printed_under": "R2",
            "label": "Mesas de concertación",
            "cells": ["6", "18", "21", "20", "25", "<p>21 mesas.</p><p>En 3 regiones.</p>"],
            "comment": "21 mesas.\n\nEn 3 regiones.",
        }
    ]
