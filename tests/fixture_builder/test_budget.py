"""The FIT exports (fit.py, budget.py, financial_plan.py): annex 7.3, 3.3.6 and annex 7.5."""

from decimal import Decimal

import pytest

from fixtures.per0601011_builder.financial_plan import plan_numbers
from fixtures.per0601011_builder.fit import assign_codes, fit_rows
from fixtures.per0601011_builder.seed import SeedFormatError


def test_fit_lines_get_hierarchical_codes_and_subtotals_stay_apart():
    lines = [
        "\tStatus\tFin Mode\tAmount\tStart - 2011",
        "Z MEDIOS GENERALES\t\t\t0,00\t0,00",
        "04 Gastos\t\t\t103.000,00\t1,00",
        "\t01 Oficina\tCOGES\t85.000,00\t1,00",
        "\tREGIE\t409.307,64\t244.742,50",
    ]
    entries = fit_rows(lines)
    assign_codes(entries)
    assert [(e.get("code"), e.get("is_header"), e.get("subtotal")) for e in entries] == [
        ("Z", True, None),
        ("Z/04", True, None),
        ("Z/04/01", False, None),
        (None, None, "REGIE"),
    ]
    assert entries[2]["numbers"] == ["85.000,00", "1,00"]
    assert entries[3]["numbers"] == ["409.307,64", "244.742,50"]


def test_a_leaf_before_any_header_is_refused():
    entries = fit_rows(["A GENERAR", "01 Suelta\tCOGES\t1,00"])
    with pytest.raises(SeedFormatError, match="Leaf without header"):
        assign_codes(entries)


def test_plan_page_two_prints_no_estimated_end_balance():
    eleven = ["427,16", "373,79", "53,37", "34,90", "27,15", "0,00", "-8,68", "53,37", "0,00", "0,00", "100%"]
    ten = eleven[:9] + ["100%"]
    assert plan_numbers("A/01/01", eleven)["est_end_balance"] == "0.00"
    page_two = plan_numbers("Z/03/01", ten)
    assert page_two["est_end_balance"] is None and page_two["printed"]["exec"] == "100%"
    assert [q["amount"] for q in page_two["quarters"]] == ["34.90", "27.15", "0.00", "-8.68"]
    with pytest.raises(SeedFormatError, match="7.5 line X"):
        plan_numbers("X", eleven[:9])


def test_header_lines_keep_the_subtotal_fit_printed(built):
    lines = {line["code"]: line for line in built["budget"]["lines"]}
    children = [line for code, line in lines.items() if code.startswith("Z/04/")]
    assert lines["Z/04"]["amount"] == "103000.00"
    assert sum(Decimal(c["amount"]) for c in children) == Decimal("185000.00")


def test_budget_and_plan_versions_are_the_exports_own(built):
    assert built["budget"]["version"] == "F01"
    plan = built["financial_plan"]
    assert (plan["version"], plan["budget_version"], plan["plan_year"], plan["unit"]) == ("2012Q1", "F01", 2012, "1000")
    assert plan["printed_on"] == "2012-01-25"


def test_every_activity_is_a_budget_leaf(built):
    leaves = {line["code"] for line in built["budget"]["lines"] if not line["is_header"]}
    assert {a["code"] for a in built["activities"]} <= leaves
    assert [a["code"] for a in built["activities"] if a["level"] == "R1"] == ["A/01/01", "A/01/02", "A/01/03"]
