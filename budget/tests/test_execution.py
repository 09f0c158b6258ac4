"""Budget execution: hand-worked cases (pure), properties, selectors, and the PER0601011 tables."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from budget.execution import (
    Execution,
    LineFigures,
    Spending,
    YearFigures,
    execution,
    execution_rate,
    group_execution,
    group_spending,
    line_execution,
    percent,
    total_execution,
    yearly_execution,
)
from budget.models import BudgetExpense, BudgetLine, YearlyBudget
from budget.selectors import Extract, Span, budget_vs_actuals, total_budget
from budget.selectors import yearly_execution as yearly_execution_of
from fixtures.seed_numbers import parse_decimal
from indicators.models import Programme, Result


@pytest.mark.parametrize(
    ("spent", "budget", "expected"),
    [
        (D("537602.40"), D("770600.93"), D("537602.40") / D("770600.93")),
        (D("10"), D("0"), None),  # FIT prints "??%"
        (D("10"), None, None),
        (D("0"), D("100"), D("0")),
        (D("150"), D("100"), D("1.5")),  # uncapped
    ],
)
def test_execution_rate(spent, budget, expected):
    assert execution_rate(spent, budget) == expected


@pytest.mark.parametrize(
    ("rate", "places", "expected"),
    [
        (D("0.6976"), 0, D("70")),
        (D("0.845"), 0, D("85")),  # half up, as FIT rounds
        (D("0.0006"), 0, D("0")),
        (D("0.80101"), 1, D("80.1")),
        (None, 0, None),
    ],
)
def test_percent(rate, places, expected):
    assert percent(rate, places) == expected


def test_overspent_line_a_02_01_has_a_negative_balance_at_124_percent():
    line = LineFigures("A/02/01", D("485786.61"), spent_before=D("602216.09"), fin_mode="COGES")
    row = line_execution(line)
    assert row.total == D("602216.09")
    assert row.balance == D("-116429.48")
    assert percent(row.rate) == D("124")


def test_line_total_adds_spending_before_and_this_year():
    row = line_execution(LineFigures("Z/03/01", D("10777.00"), D("9000.00"), D("229.10")))
    assert (row.total, row.balance, percent(row.rate)) == (D("9229.10"), D("1547.90"), D("86"))


def test_line_without_an_amount_has_no_balance_nor_rate():
    row = line_execution(LineFigures("Z/03/09", D("0"), D("8355.37")))
    assert row.balance == D("-8355.37")
    assert row.rate is None
    header = line_execution(LineFigures("A", None, is_header=True))
    assert (header.balance, header.rate) == (None, None)


def test_unknown_spending_makes_the_total_balance_and_rate_unknown_never_zero():
    for line in (
        LineFigures("A/01/01", D("400.00"), spent_before=None, spent_this_year=None),
        LineFigures("A/01/01", D("400.00"), spent_before=D("300.00"), spent_this_year=None),
        LineFigures("A/01/01", D("400.00"), spent_before=None, spent_this_year=D("0.00")),
    ):
        row = line_execution(line)
        assert (row.total, row.balance, row.rate) == (None, None, None)


def test_a_subtotal_over_a_line_of_unknown_spending_is_unknown_not_a_partial_sum():
    lines = [
        LineFigures("A/01/01", D("100"), D("60"), D("5"), fin_mode="COGES"),
        LineFigures("A/01/02", D("100"), None, D("7"), fin_mode="COGES"),
        LineFigures("Z/01/01", D("100"), D("30"), D("7"), fin_mode="REGIE"),
        LineFigures("Z", None, None, None, is_header=True),  # headers are not added, known or not
    ]
    groups = group_execution(lines, key=lambda line: line.fin_mode)
    assert groups["COGES"] == Execution(D("200"), None, None, None)
    assert groups["REGIE"] == Execution(D("100"), D("37"), D("63"), D("0.37"))
    spending = group_spending(lines, key=lambda line: line.fin_mode)
    assert spending["COGES"] == Spending(None, D("12"))
    assert total_execution(lines).spent is None


def test_execution_of_unknown_spending_has_no_balance_nor_rate():
    assert execution(D("100"), None) == Execution(D("100"), None, None, None)


REGIE_AND_COGES = [
    LineFigures("Z", None, is_header=True),
    LineFigures("Z/01", D("599400.00"), D("493950.45"), is_header=True),  # a stated subtotal, not added
    LineFigures("Z/01/01", D("281092.36"), D("281092.36"), fin_mode="COGES", result=None),
    LineFigures("Z/01/02", D("318307.64"), D("212858.09"), fin_mode="REGIE"),
    LineFigures("Z/04/02", D("25000.00"), D("9112.07"), fin_mode="REGIE"),
    LineFigures("Z/04/03", D("16000.00"), D("28.85"), fin_mode="REGIE"),
    LineFigures("Z/04/05", D("50000.00"), D("22743.49"), fin_mode="REGIE"),
    LineFigures("A/04/02", D("274550.00"), D("298231.47"), fin_mode="COGES", result="R4"),
]


def test_group_by_financing_mode_sums_leaf_lines_like_the_regie_subtotal():
    groups = group_execution(REGIE_AND_COGES, key=lambda line: line.fin_mode)
    # Annex 7.3: REGIE 409.307,64 | 244.742,50 | 164.565,14 | 60%
    assert groups["REGIE"] == Execution(D("409307.64"), D("244742.50"), D("164565.14"), D("244742.50") / D("409307.64"))
    assert percent(groups["REGIE"].rate) == D("60")
    assert groups["COGES"].budget == D("281092.36") + D("274550.00")


def test_group_by_result_and_total_skip_header_subtotals():
    groups = group_execution(REGIE_AND_COGES, key=lambda line: line.result)
    assert groups["R4"].balance == D("-23681.47")
    assert list(groups) == [None, "R4"]
    total = total_execution(REGIE_AND_COGES)
    assert total.budget == sum((line.amount for line in REGIE_AND_COGES if not line.is_header), D(0))


def test_total_of_no_lines_is_zero_without_a_rate():
    assert total_execution([]) == Execution(D(0), D(0), D(0), None)


TABLE_2_1_INPUTS = [
    YearFigures(2011, D("758922.64"), D("637257.50")),  # unsorted on purpose
    YearFigures(2008, D("770600.93"), D("537602.40")),
    YearFigures(2009, D("991106.79"), D("852021.65")),
    YearFigures(2010, D("832912.68"), D("809513.47")),
]


def test_yearly_execution_reproduces_table_2_1_from_its_inputs():
    rows = yearly_execution(TABLE_2_1_INPUTS, D("3550151.99"))
    assert [r.year for r in rows] == [2008, 2009, 2010, 2011]
    assert [percent(r.rate) for r in rows] == [D("70"), D("86"), D("97"), D("84")]
    assert [r.cumulative for r in rows] == [D("537602.40"), D("1389624.05"), D("2199137.52"), D("2836395.02")]
    assert [r.balance for r in rows] == [D("3012549.59"), D("2160527.94"), D("1351014.47"), D("713756.97")]


def test_yearly_execution_refuses_a_year_twice():
    with pytest.raises(ValueError, match="twice"):
        yearly_execution([YearFigures(2008, D(1), D(1)), YearFigures(2008, D(2), D(2))], D(10))


money = st.decimals(min_value=-1_000_000, max_value=100_000_000, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=0, max_value=100_000_000, places=2, allow_nan=False, allow_infinity=False)


@hypothesis_settings(deadline=None)
@given(positive, money)
def test_balance_is_budget_minus_spent(budget, spent):
    result = execution(budget, spent)
    assert result.balance == budget - spent
    assert result.balance + result.spent == result.budget


@hypothesis_settings(deadline=None)
@given(st.lists(st.tuples(positive, positive, positive, st.sampled_from(["COGES", "REGIE"])), max_size=20))
def test_line_balances_add_up_to_the_group_balance(rows):
    lines = [LineFigures(f"L{i}", a, b, c, fin_mode=m) for i, (a, b, c, m) in enumerate(rows)]
    groups = group_execution(lines, key=lambda line: line.fin_mode)
    for mode, group in groups.items():
        members = [line_execution(line) for line in lines if line.fin_mode == mode]
        assert group.balance == sum((m.balance for m in members), D(0))
        assert group.balance == group.budget - group.spent


@hypothesis_settings(deadline=None)
@given(st.lists(st.tuples(positive, positive), min_size=1, max_size=10, unique_by=lambda t: t), positive)
def test_yearly_balance_is_total_minus_cumulative_spent(pairs, total):
    years = [YearFigures(2000 + i, b, s) for i, (b, s) in enumerate(pairs)]
    rows = yearly_execution(years, total)
    assert rows[-1].cumulative == sum((y.spent for y in years), D(0))
    for row in rows:
        assert row.balance == total - row.cumulative


# --- selectors, on data built in the database -------------------------------------------------


@pytest.fixture
def programme(db):
    return Programme.objects.create(code="TST001", name="Test", belgian_contribution=D("1000.00"))


def _line(programme, code, amount, order, *, header=False, fin_mode="COGES", result=None, spent=None):
    line = BudgetLine.objects.create(
        programme=programme,
        code=code,
        name=code,
        order=order,
        amount=amount,
        is_header=header,
        fin_mode="" if header else fin_mode,
        result=result,
    )
    for year_from, year_to, amount_spent in spent or []:
        BudgetExpense.objects.create(line=line, year_from=year_from, year_to=year_to, amount=amount_spent)
    return line


@pytest.fixture
def budget(programme):
    """Lines with what FIT's extract of the 2011 report records: "Start - 2011" and "Expenses 2012" per leaf."""
    r1 = Result.objects.create(programme=programme, code="R1", kind=Result.Kind.RESULT, statement="R1")
    _line(programme, "A", None, 1, header=True)
    _line(programme, "A/01", D("999.00"), 2, header=True)  # a stated subtotal that does not add up
    _line(programme, "A/01/01", D("400.00"), 3, result=r1, spent=[(None, 2011, D("300.00")), (2012, 2012, D("0.00"))])
    _line(programme, "A/01/02", D("100.00"), 4, result=r1, spent=[(None, 2011, D("150.00")), (2012, 2012, D("5.00"))])
    _line(
        programme, "Z/01/01", D("250.00"), 5, fin_mode="REGIE", spent=[(None, 2011, D("100.00")), (2012, 2012, D("0"))]
    )
    return r1


def _spent(table, code):
    row = table.row(code)
    return (row.spent, row.total, row.balance, row.rate)


def test_the_annex_of_the_extracts_year_prints_the_extract_under_its_own_spans(
    programme, budget, django_assert_num_queries
):
    with django_assert_num_queries(2):  # lines, expenses: no table 2.1 read when the extract is there
        table = budget_vs_actuals(programme, 2011)
    assert table.extract == Extract(2011, (Span(None, 2011), Span(2012, 2012)))
    with translation.override("es"):
        assert table.headers[4:6] == ["Inicio - 2011", "Gastos 2012"]
    assert _spent(table, "A/01/01") == ((D("300.00"), D("0.00")), D("300.00"), D("100.00"), D("0.75"))
    assert _spent(table, "A/01/02") == ((D("150.00"), D("5.00")), D("155.00"), D("-55.00"), D("1.55"))
    assert [r.depth for r in table.rows] == [0, 1, 2, 2, 2]


def test_a_header_without_figures_is_blank_and_a_stated_subtotal_keeps_its_amount(programme, budget):
    table = budget_vs_actuals(programme, 2011)
    assert table.row("A").blank and table.row("A").spent == ()
    header = table.row("A/01")  # a stated 999.00 that does not add up, and no spending recorded under it
    assert (header.blank, header.amount, header.spent, header.total) == (False, D("999.00"), (None, None), None)


def test_subtotals_per_financing_mode_then_total_from_the_leaf_lines(programme, budget):
    table = budget_vs_actuals(programme, 2011)
    assert [t.key for t in table.totals] == ["REGIE", "COGES", "TOTAL"]
    regie, coges, total = table.totals
    assert (regie.amount, regie.spent, regie.total, regie.rate) == (
        D("250.00"),
        (D("100.00"), D("0.00")),
        D("100.00"),
        D("0.4"),
    )
    assert coges.amount == D("500.00")  # not the stated 999.00 of the header
    assert (total.amount, total.spent, total.total, total.balance) == (
        D("750.00"),
        (D("550.00"), D("5.00")),
        D("555.00"),
        D("195.00"),
    )
    assert total.label == "TOTAL" and total.summary_year is None
    assert table.by_result["R1"].spent == D("455.00")


def test_a_year_before_the_extract_prints_no_spending_instead_of_zeros(programme, budget):
    table = budget_vs_actuals(programme, 2010)
    assert table.extract is None and table.columns == ()
    assert table.extract_years == (2011,)
    for row in table.rows:
        assert (row.spent, row.total, row.balance, row.rate) == ((), None, None, None), row.code
    assert table.row("A/01/01").amount == D("400.00")  # the budget is known, only the spending is not
    assert all(total.total is None for total in table.totals)  # no table 2.1 row for 2010 here
    with translation.override("en"):
        assert table.headers == ["Code", "Budget line", "Fin mode", "Amount", "Total", "Balance", "% exec."]
        assert "No FIT extract was recorded for 2010" in table.notes[0]
        assert table.notes[-1] == "FIT extracts are recorded for the reports of: 2011."


def test_a_year_without_extract_takes_its_total_spent_from_table_2_1_and_says_so(programme, budget):
    YearlyBudget.objects.create(programme=programme, year=2009, budget=D("300.00"), spent=D("120.00"))
    YearlyBudget.objects.create(programme=programme, year=2010, budget=D("400.00"), spent=D("280.00"))
    table = budget_vs_actuals(programme, 2010)
    total = table.totals[-1]
    assert (total.key, total.summary_year) == ("TOTAL", 2010)
    assert (total.amount, total.total, total.balance, total.rate) == (
        D("750.00"),
        D("400.00"),  # 120 + 280: the cumulative of table 2.1
        D("350.00"),
        D("400.00") / D("750.00"),
    )
    assert [t.total for t in table.totals[:-1]] == [None, None]  # never split into invented subtotals
    assert all(row.total is None for row in table.rows)
    with translation.override("en"):
        assert total.label == "TOTAL (spent: cumulative at 31/12/2010, table 2.1)"
        assert any("cumulative spent at 31/12/2010 of table 2.1" in note for note in table.notes)


@pytest.mark.parametrize("year", [2012, 2013])
def test_a_later_year_never_relabels_the_extract(programme, budget, year):
    YearlyBudget.objects.create(programme=programme, year=2011, budget=D("600.00"), spent=D("550.00"))
    table = budget_vs_actuals(programme, year)
    assert table.extract is None
    with translation.override("es"):
        assert not any(h.startswith(("Inicio", "Gastos")) for h in table.headers)
    assert all(row.total is None for row in table.rows)
    assert table.totals[-1].total is None  # table 2.1 has no row for the year: no total either


def test_a_line_missing_from_the_extract_is_unknown_and_so_is_its_subtotal(programme, budget):
    BudgetExpense.objects.filter(line__code="Z/01/01", year_to=2012).delete()
    table = budget_vs_actuals(programme, 2011)
    assert _spent(table, "Z/01/01") == ((D("100.00"), None), None, None, None)
    regie, _coges, total = table.totals
    assert (regie.spent, regie.total) == ((D("100.00"), None), None)
    assert (total.spent[1], total.total) == (None, None)


def test_an_extract_recorded_from_the_programmes_first_year_counts_as_from_the_start(programme):
    programme.start_effective = date(2008, 3, 1)
    programme.save()
    _line(programme, "A/01/01", D("400.00"), 1, spent=[(2008, 2010, D("300.00")), (2011, 2011, D("10.00"))])
    table = budget_vs_actuals(programme, 2010)
    assert table.extract == Extract(2010, (Span(2008, 2010), Span(2011, 2011)))
    assert budget_vs_actuals(programme, 2011).extract is None  # "Expenses 2011" alone is no 2011 extract


@pytest.mark.parametrize(
    ("span", "label"),
    [(Span(None, 2011), "Start - 2011"), (Span(2012, 2012), "Expenses 2012"), (Span(2010, 2011), "2010 - 2011")],
)
def test_span_labels_as_fit_heads_its_columns(span, label):
    with translation.override("en"):
        assert span.label() == label


def test_budget_vs_actuals_without_lines_is_empty(programme):
    table = budget_vs_actuals(programme, 2011)
    assert (table.extract, table.rows, table.totals, table.total) == (None, [], [], Execution(D(0), D(0), D(0), None))


def test_yearly_execution_balances_against_the_sum_of_leaf_lines(programme, budget):
    YearlyBudget.objects.create(programme=programme, year=2011, budget=D("300.00"), spent=D("246.00"))
    YearlyBudget.objects.create(programme=programme, year=2010, budget=D("400.00"), spent=D("300.00"))
    assert total_budget(programme) == D("750.00")
    rows = yearly_execution_of(programme)
    assert [(r.year, r.cumulative, r.balance) for r in rows] == [
        (2010, D("300.00"), D("450.00")),
        (2011, D("546.00"), D("204.00")),
    ]
    assert percent(rows[1].rate) == D("82")


def test_yearly_execution_without_lines_balances_against_the_belgian_contribution(programme):
    YearlyBudget.objects.create(programme=programme, year=2008, budget=D("100.00"), spent=D("70.00"))
    assert yearly_execution_of(programme)[0].balance == D("930.00")


# --- PER0601011: table 2.1 and annex 7.3 as the 2011 annual report prints them ----------------------


def test_table_2_1_is_reproduced(per0601011):
    rows = yearly_execution_of(per0601011)
    assert [r.year for r in rows] == [2008, 2009, 2010, 2011]
    assert [percent(r.rate) for r in rows] == [D("70"), D("86"), D("97"), D("84")]
    assert [r.cumulative for r in rows] == [D("537602.40"), D("1389624.05"), D("2199137.52"), D("2836395.02")]
    assert [r.balance for r in rows] == [D("3012549.59"), D("2160527.94"), D("1351014.47"), D("713756.97")]
    assert str(rows[-1].balance) == "713756.97"  # no stray digits on any backend


def _fit(text):
    return parse_decimal(text, style="fit")


def test_every_percentage_and_balance_of_annex_7_3_is_reproduced(per0601011, per0601011_data):
    table = budget_vs_actuals(per0601011, 2011)
    printed_lines = per0601011_data["budget"]["lines"]
    assert [row.code for row in table.rows] == [line["code"] for line in printed_lines]
    checked, without_rate = 0, 0
    for line in printed_lines:
        row = table.row(line["code"])
        printed = line["printed"]
        if "amount" not in printed:
            # Header without amounts: FIT prints "0%"; we print the header blank rather than a made-up 0.
            assert (printed["exec"], row.blank, row.rate) == ("0%", True, None)
            continue
        assert row.spent == (_fit(printed["start_2011"]), _fit(printed["expenses_2012"])), line["code"]
        assert row.total == _fit(printed["total"]), line["code"]
        assert row.balance == _fit(printed["balance"]), line["code"]
        if printed["exec"].startswith("??"):
            assert row.rate is None, line["code"]  # a zero amount has no rate
            without_rate += 1
        else:
            assert f"{percent(row.rate)}%" == printed["exec"], line["code"]
        checked += 1
    # 33 leaf lines and the 5 headers FIT prints with amounts (Z, Z/01, Z/03, Z/04, Z/99);
    # FIT prints "??%" for Z, Z/03/09, Z/99, Z/99/01 and Z/99/02, whose amount is 0.
    assert (checked, without_rate) == (38, 5)


def test_line_a_02_01_is_overspent_at_124_percent(per0601011):
    row = budget_vs_actuals(per0601011, 2011).row("A/02/01")
    assert row.balance == D("-116429.48")
    assert percent(row.rate) == D("124")


def test_financing_mode_subtotals_and_total_of_annex_7_3_are_reproduced(per0601011, per0601011_data):
    table = budget_vs_actuals(per0601011, 2011)
    computed = dict(table.by_fin_mode) | {"TOTAL": table.total}
    for stated in per0601011_data["budget"]["stated_totals"]:
        result = computed[stated["fin_mode"]]
        printed = stated["printed"]
        assert result.budget == _fit(printed["amount"]), stated["label"]
        assert result.spent == D(stated["total"]), stated["label"]
        assert result.balance == _fit(printed["balance"]), stated["label"]
        assert f"{percent(result.rate)}%" == printed["exec"], stated["label"]
    assert set(computed) == {"COGES", "REGIE", "TOTAL"}
    # The subtotal rows as printed, in FIT's order, with both spending columns.
    stated = per0601011_data["budget"]["stated_totals"]
    assert [t.key for t in table.totals] == [s["fin_mode"] for s in stated] == ["REGIE", "COGES", "TOTAL"]
    for row, s in zip(table.totals, stated, strict=True):
        assert row.spent == (D(s["spent_to_2011"]), D(s["expenses_2012"])), s["label"]


def test_subtotals_carry_both_spending_columns_of_the_leaf_lines():
    lines = [
        LineFigures("Z", None, is_header=True),
        LineFigures("Z/01", D("599400.00"), D("493950.45"), is_header=True),  # stated subtotal: not added
        LineFigures("Z/01/01", D("100"), D("60"), D("5"), fin_mode="COGES"),
        LineFigures("Z/01/02", D("100"), D("30"), D("7"), fin_mode="REGIE"),
        LineFigures("A/01/01", D("100"), D("10"), D("1"), fin_mode="COGES"),
    ]
    spending = group_spending(lines, key=lambda line: line.fin_mode)
    assert spending == {"COGES": Spending(D("70"), D("6")), "REGIE": Spending(D("30"), D("7"))}
    # The columns add up to the total spent of the same subtotal.
    executions = group_execution(lines, key=lambda line: line.fin_mode)
    assert all(executions[k].spent == s.before + s.this_year for k, s in spending.items())
