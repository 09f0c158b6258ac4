"""fixtures/per0601011_builder/curated.py: the builder's own decisions, each one checked on its own."""

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures.per0601011_builder import curated
from fixtures.per0601011_builder.seed import SeedFormatError

NOTES = Path(curated.__file__).resolve().parents[1] / "NOTES.md"


def _row(printed_under, cells, comment=""):
    return {"table": f"3.3.1 {printed_under}", "printed_under": printed_under, "cells": cells, "comment": comment}


def test_every_decision_is_explained_in_the_notes():
    tree = ast.parse(Path(curated.__file__).read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)} | {
        target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets
    }
    mentioned = set(re.findall(r"`curated\.(\w+)`", NOTES.read_text(encoding="utf-8"))) - {"py"}  # `curated.py`
    assert sorted(name for name in defined - mentioned if not name.startswith("_")) == []
    assert sorted(mentioned - defined) == []


def test_a_single_row_is_the_row_of_record():
    row = _row("R1", ["1", "2", "3", "4", "5", ""])
    assert curated.value_of_record("R1.1", [row]) == (row, [])
    assert curated.value_of_record("R4.12", []) == (None, [])


def test_satisfaction_printed_twice_keeps_the_row_with_a_2011_figure():
    first = _row("R1", ["0", "0", "", "70%", "70%", ""])
    second = _row("R1", ["0", "Sin dato", "101%", "70%", "70%", ""])
    assert curated.value_of_record("R1.4", [first, second]) == (second, [first])


def test_communication_printed_twice_keeps_the_row_printed_under_r1():
    in_r1 = _row("R1", ["Sin dato", "13%", "95,8%", "100%", "100%", ""])
    in_r2 = _row("R2", ["0", "13%", "74%", "100%", "100%", ""])
    assert curated.value_of_record("R2.6", [in_r2, in_r1]) == (in_r1, [in_r2])


def test_a_row_printed_twice_without_a_decision_is_refused():
    rows = [_row("R1", ["1"] * 6), _row("R2", ["2"] * 6)]
    with pytest.raises(SeedFormatError, match="R3.3: printed 2 times"):
        curated.value_of_record("R3.3", rows)


@pytest.mark.parametrize(
    ("printed", "unit_kind", "form", "value", "share"),
    [
        ("6", "percentage", "percent", "0.06", None),  # R4.4 N-1: a bare number in a percentage row
        ("00%", "count", "number", "0.00", None),  # R4.3 baseline: zero percent in a count row
        ("75%", "count_share", "percent", None, "0.75"),  # R4.6: the share of ODEL visited
        ("927 (35%)", "count_share", "count_share", "927", "0.35"),
        ("51.5%", "percentage", "percent", "0.515", None),
        ("12", "count", "number", "12", None),
    ],
)
def test_indicator_cells_are_read_in_the_row_unit(printed, unit_kind, form, value, share):
    cell = curated.indicator_cell(printed, unit_kind)
    assert (cell["form"], cell["no_data"], cell["source_text"]) == (form, False, printed)
    assert cell["value"] == value and cell["share"] == share
    if value is not None:
        assert Decimal(cell["value"]) == Decimal(value)


@pytest.mark.parametrize("printed", ["Sin dato", "-", "NA", "/", "", "%"])
def test_no_data_stays_no_data_in_every_unit(printed):
    for unit_kind in ("percentage", "count", "count_share"):
        cell = curated.indicator_cell(printed, unit_kind)
        assert cell["no_data"] is True and cell["value"] is None


def test_a_region_with_zero_percent_has_zero_plans_and_another_without_count_is_refused():
    assert curated.regional_plan_count("67", "2", "67% en Apurímac (2 planes)") == "2"
    assert curated.regional_plan_count("0", None, "0% en Huancavelica") == "0"
    with pytest.raises(SeedFormatError, match="no count"):
        curated.regional_plan_count("50", None, "50% en Ayacucho")


@pytest.mark.parametrize(
    ("word", "slug"),
    [("Alpaca", "fibra-de-alpaca"), ("Kiwicha/ Quinua", "kiwicha-quinua"), ("Papas nativas", "papa-nativa")],
)
def test_chain_words_of_the_seed_name_one_chain(word, slug):
    assert curated.chain_slug(word) == slug


def test_an_unknown_chain_is_refused():
    with pytest.raises(SeedFormatError, match="Unknown chain"):
        curated.chain_slug("café")


@pytest.mark.parametrize(
    ("reported", "register_name"),
    [("Ranracancho", "RANRACANCHA"), ("Mayocc", "SAN MIGUEL DE MAYOCC"), ("Acocro", "Acocro")],
)
def test_pilot_names_as_reported_map_to_the_register(reported, register_name):
    assert curated.pilot_register_name(reported) == register_name


def test_every_indicator_decision_names_a_curated_indicator():
    codes = set(curated.UNITS) | {code for code, _level, _key in curated.LOGFRAME_ONLY}
    assert set(curated.MATCH) == set(curated.UNITS)
    assert set(curated.ALLOWED_RANGES) <= {
        code for code, (_l, kind, _u, _a) in curated.UNITS.items() if kind == "percentage"
    }
    assert set(curated.LOGFRAME_ALIASES) <= codes


def test_card_period_headers():
    assert curated.CARD_PERIOD.fullmatch("2010 *").groups() == ("2010", None, " *")
    assert curated.CARD_PERIOD.fullmatch("2011 Q3").groups() == ("2011", "3", None)
    assert curated.CARD_PERIOD.fullmatch("Q3 2011") is None
