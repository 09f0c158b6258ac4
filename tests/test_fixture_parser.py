"""The seed parser (fixtures/build_per0601011.py): number formats, quirk decisions, reproducibility.

Expected figures are typed from the seed (000_2e9625137dd54512.txt), never read back from the JSON.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures.build_per0601011 import (
    DEFAULT_OUT,
    DEFAULT_REGISTER,
    DEFAULT_SEED,
    SeedFormatError,
    build,
    dumps,
    read_register,
)
from fixtures.seed_numbers import NumberFormatError, parse_cell, parse_decimal, percent_to_ratio

SEED_MISSING = not DEFAULT_SEED.exists()
needs_seed = pytest.mark.skipif(SEED_MISSING, reason=f"seed file absent: {DEFAULT_SEED}")


@pytest.mark.parametrize(
    ("printed", "style", "expected"),
    [
        ("3'550,000.00", "report", "3550000.00"),
        ("3'614,800.00", "report", "3614800.00"),
        ("64,800.00", "report", "64800.00"),
        ("8,676,396", "report", "8676396"),
        ("1,949", "report", "1949"),
        ("10,801,814.35", "report", "10801814.35"),
        ("339.5", "report", "339.5"),
        ("95,8", "report", "95.8"),
        ("00", "report", "0"),
        ("2'836,395.02", "report", "2836395.02"),
        ("427.160,00", "fit", "427160.00"),
        ("3.140.844,35", "fit", "3140844.35"),
        ("-116.429,48", "fit", "-116429.48"),
        ("21,83", "fit", "21.83"),
        ("0,00", "fit", "0.00"),
        ("427,16", "fit", "427.16"),
        ("-8,68", "fit", "-8.68"),
    ],
)
def test_parse_decimal_reads_every_number_format_of_the_seed(printed, style, expected):
    assert parse_decimal(printed, style=style) == Decimal(expected)


@pytest.mark.parametrize("printed", ["", "abc", "12a", "1,2,3", "%"])
def test_parse_decimal_refuses_what_is_not_a_number(printed):
    with pytest.raises(NumberFormatError):
        parse_decimal(printed)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("73%", "0.73"), ("95,8%", "0.958"), ("41.74%", "0.4174"), ("00%", "0.00"), ("116%", "1.16"), ("2.6%", "0.026")],
)
def test_percentages_become_exact_ratios(printed, expected):
    assert percent_to_ratio(printed) == Decimal(expected)


@pytest.mark.parametrize(
    ("printed", "form", "value", "share", "unit"),
    [
        ("927 (35%)", "count_share", "927", "0.35", ""),
        ("1072 (40%)", "count_share", "1072", "0.40", ""),
        ("2 acuerdos", "count_unit", "2", None, "acuerdos"),
        ("83 actividades", "count_unit", "83", None, "actividades"),
        ("8,115,563", "number", "8115563", None, ""),
        ("51.5%", "percent", "0.515", None, ""),
        ("00", "number", "0", None, ""),
        ("00%", "percent", "0.00", None, ""),
        ("0", "number", "0", None, ""),
    ],
)
def test_indicator_cells_are_read_with_their_form(printed, form, value, share, unit):
    cell = parse_cell(printed)
    assert (cell.form, cell.no_data, cell.unit) == (form, False, unit)
    assert cell.value == Decimal(value)
    assert cell.share == (None if share is None else Decimal(share))
    assert cell.source_text == printed


@pytest.mark.parametrize("printed", ["Sin dato", "sin dato", "-", "--", "NA", "/", "", "  ", "%", None])
def test_no_data_markers_are_no_data_never_zero(printed):
    cell = parse_cell(printed)
    assert cell.no_data is True
    assert cell.value is None and cell.share is None


def test_an_unreadable_indicator_cell_is_refused():
    with pytest.raises(NumberFormatError, match="Unreadable"):
        parse_cell("about 12")


# ----------------------------------------------------------------------------------- whole seed


@pytest.fixture(scope="module")
def built():
    if SEED_MISSING:
        pytest.skip(f"seed file absent: {DEFAULT_SEED}")
    return build(DEFAULT_SEED.read_text(encoding="utf-8"), read_register(DEFAULT_REGISTER), seed_name=DEFAULT_SEED.name)


def _indicator(built, code):
    return next(i for i in built["indicators"] if i["code"] == code)


@needs_seed
def test_rerunning_the_parser_on_the_seed_reproduces_the_committed_json(built):
    assert DEFAULT_OUT.exists(), "fixtures/per0601011/programme.json is missing: run fixtures/build_per0601011.py"
    assert dumps(built) == DEFAULT_OUT.read_text(encoding="utf-8")


@needs_seed
def test_parser_refuses_a_seed_whose_table_lost_its_heading():
    text = DEFAULT_SEED.read_text(encoding="utf-8").replace("\n7.4. Beneficiarios\n", "\n7.4 Beneficiaries\n")
    with pytest.raises(SeedFormatError, match="7.4. Beneficiarios"):
        build(text, read_register(DEFAULT_REGISTER))


@needs_seed
def test_parser_refuses_an_ubigeo_missing_from_the_register():
    text = DEFAULT_SEED.read_text(encoding="utf-8").replace("030301\tPerú", "039999\tPerú")
    with pytest.raises(SeedFormatError, match="039999"):
        build(text, read_register(DEFAULT_REGISTER))


@needs_seed
def test_indicators_with_data_are_those_the_monitoring_card_names(built):
    with_data = [i for i in built["indicators"] if i["has_data"]]
    per_level = {level: sum(1 for i in with_data if i["level"] == level) for level in ("OE", "R1", "R2", "R3", "R4")}
    assert per_level == {"OE": 1, "R1": 6, "R2": 9, "R3": 5, "R4": 12}
    # every indicator of a result carries the seven periods of annex 7.2
    assert all(len(i["stated_achievements"]) == 7 for i in with_data if i["level"] != "OE")


@needs_seed
def test_four_r2_indicators_printed_in_the_r1_table_are_placed_under_r2(built):
    printed_in_r1 = {i["code"]: i["level"] for i in built["indicators"] if i["printed_in"] == "3.3.1 R1"}
    moved = {code for code, level in printed_in_r1.items() if level == "R2"}
    assert moved == {"R2.6", "R2.7", "R2.8", "R2.9"}
    assert _indicator(built, "R2.9")["name"].startswith("Acceso equitativo de mujeres")


@needs_seed
def test_duplicated_satisfaction_row_keeps_the_2011_figure_and_both_comments(built):
    indicator = _indicator(built, "R1.4")
    by_year = {v["year"]: v for v in indicator["values"]}
    assert by_year[2011]["value"] == "1.01" and by_year[2011]["source_text"] == "101%"
    assert by_year[2010]["no_data"] is True and by_year[2010]["source_text"] == "Sin dato"
    assert [c["source"] for c in indicator["comments"]] == ["3.3.1 R1", "3.3.1 R1 (duplicate row)"]
    assert indicator["duplicate_rows"][0]["cells"][:3] == ["0", "0", ""]


@needs_seed
def test_duplicated_communication_row_keeps_the_figure_the_chain_figures_average_to(built):
    indicator = _indicator(built, "R2.6")
    overall = next(v for v in indicator["values"] if v["year"] == 2011 and not v.get("chain"))
    assert overall["source_text"] == "95,8%"
    chains = {v["chain"]: Decimal(v["value"]) for v in indicator["values"] if v.get("chain")}
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
    assert indicator["duplicate_rows"][0]["cells"][2] == "74%"
    assert "3.3.1 R2 (duplicate row)" in [c["source"] for c in indicator["comments"]]


@needs_seed
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
def test_per_region_figures_of_the_comments_are_kept(built, code, region, value):
    values = [v for v in _indicator(built, code)["values"] if v.get("region") == region]
    assert len(values) == 1
    assert Decimal(values[0]["value"]) == Decimal(value)


@needs_seed
def test_oe_count_is_a_running_total_of_new_units(built):
    oe = _indicator(built, "OE.1")
    assert oe["aggregation"] == "running"
    # 3,032 units up to 2010 plus 180 new in 2011 = 3,212 (3.2.1 comment)
    assert sum(Decimal(v["value"]) for v in oe["values"]) == 3212


@needs_seed
def test_monitoring_card_2010_star_column_is_the_year_2010(built):
    headers = {(s["year"], s["quarter"]): s["period_header"] for s in built["stated_scores"] if s.get("period_header")}
    assert headers[(2010, 0)] == "2010 *"
    assert {(2011, q) for q in (1, 2, 3, 4)} <= set(headers)


@needs_seed
def test_place_name_typos_are_kept_as_printed_and_resolved_by_ubigeo(built):
    by_ubigeo = {b["ubigeo"]: b for b in built["beneficiaries"]}
    assert by_ubigeo["090411"]["province"] == "CASTROVIRREYN A"
    assert by_ubigeo["090502"]["province"] == "CHURCAMPÁ"
    assert by_ubigeo["030401"]["district"] == "AYMARAES - CHALHUANCA"
    assert by_ubigeo["030401"]["register_name"] == "CHALHUANCA"
    assert by_ubigeo["030602"]["district"] == "ANCO HUALLO"
    pilots = {p["name_as_reported"]: p["ubigeo"] for p in built["pilot_municipalities"]}
    assert pilots["Ranracancho"] == "030608"
    assert pilots["Mayocc"] == "090508"
    assert len(pilots) == 10


@needs_seed
def test_header_lines_keep_the_subtotal_fit_printed(built):
    lines = {line["code"]: line for line in built["budget"]["lines"]}
    children = [line for code, line in lines.items() if code.startswith("Z/04/")]
    assert lines["Z/04"]["amount"] == "103000.00"
    assert sum(Decimal(c["amount"]) for c in children) == Decimal("185000.00")


@pytest.mark.parametrize("module", ["build_per0601011.py", "seed_numbers.py"])
def test_parser_modules_import_nothing_from_django(module):
    source = (Path(__file__).resolve().parent.parent / "fixtures" / module).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+django", source, flags=re.M)
