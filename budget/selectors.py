"""Reads for budget execution: table 2.1 and annex 7.3, computed by ``budget.execution`` in fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from budget import execution as ex
from budget.models import BudgetExpense, BudgetLine, YearlyBudget
from indicators.models import Programme

ZERO = Decimal("0")
# Lines with no result (general means, reserve) are grouped under this key.
NO_RESULT = ""


@dataclass(frozen=True)
class BudgetRow:
    """A line of annex 7.3 with its depth (0 = A, 1 = A/01, 2 = A/01/01) and execution."""

    line_id: int
    depth: int
    execution: ex.LineExecution

    @property
    def code(self) -> str:
        return self.execution.line.code


@dataclass(frozen=True)
class Span:
    """The years a spending column covers; ``first`` None = from the programme's start."""

    first: int | None
    last: int

    def label(self) -> str:
        """As FIT heads its columns: "Start - 2011", "Expenses 2012", "2010 - 2011"."""
        if self.first is None:
            return _("Start - %(year)s") % {"year": self.last}
        if self.first == self.last:
            return _("Expenses %(year)s") % {"year": self.last}
        return f"{self.first} - {self.last}"


def _covering(spans: list[tuple[int | None, int]], default: Span) -> Span:
    if not spans:
        return default
    firsts = [first for first, _last in spans]
    first = None if None in firsts else min(firsts)
    return Span(first, max(last for _first, last in spans))


@dataclass(frozen=True)
class BudgetVsActuals:
    """Annex 7.3 for ``year``: ``spent_before`` = up to ``year - 1``, ``spent_this_year`` = in ``year`` (money).

    ``before`` and ``during`` are the years the two spending columns actually cover, read from the
    recorded expenses: FIT's "Start - 2011" and "Expenses 2012" for the 2011 report.
    """

    programme_code: str
    year: int | None
    rows: list[BudgetRow]
    by_fin_mode: dict[str, ex.Execution]
    by_result: dict[str, ex.Execution]
    total: ex.Execution
    before: Span | None = None
    during: Span | None = None
    # The two spending columns of the subtotals: per financing mode, and of the total (key None).
    spending_by_fin_mode: dict[str, ex.Spending] = field(default_factory=dict)
    spending_total: ex.Spending = field(default_factory=ex.Spending)

    def row(self, code: str) -> BudgetRow:
        return next(row for row in self.rows if row.code == code)


def total_budget(programme: Programme) -> Decimal:
    """Money: Σ of the leaf budget lines (FIT "Amount", 3,550,151.99 for PER0601011), else the Belgian contribution.

    Table 2.1 measures its balance against the FIT budget, not the agreement's round figure. One query.
    """
    # Summed in Python: exact on every backend (SQLite sums decimals as floats).
    amounts = list(BudgetLine.objects.filter(programme=programme, is_header=False).values_list("amount", flat=True))
    if not amounts:
        return programme.belgian_contribution
    return sum((a for a in amounts if a is not None), ZERO)


def yearly_execution(programme: Programme, total: Decimal | None = None) -> list[ex.YearExecution]:
    """Table 2.1 (money; rates as ratios), balance against ``total`` or :func:`total_budget`. Two queries at most."""
    years = [
        ex.YearFigures(row.year, row.budget, row.spent)
        for row in YearlyBudget.objects.filter(programme=programme).order_by("year")
    ]
    return ex.yearly_execution(years, total_budget(programme) if total is None else total)


def budget_vs_actuals(
    programme: Programme, year: int | None = None, *, report_year: int | None = None
) -> BudgetVsActuals:
    """Annex 7.3 of ``programme`` (default: the last year with expenses), subtotals per financing mode and result.

    Two queries. Expenses recorded for spans ending after ``year`` are left out; spans ending
    before it are "spent before", the span ending in it is "spent this year".

    ``report_year`` asks for the annex of that year's annual report instead: FIT's year-to-date
    extract, taken early in the following year, so ``year`` is ``report_year + 1`` when expenses are
    recorded for it (the 2011 report prints "Start - 2011" and "Expenses 2012"), else ``report_year``.
    """
    lines = list(BudgetLine.objects.filter(programme=programme).select_related("result").order_by("order", "code"))
    expenses = list(
        BudgetExpense.objects.filter(line__programme=programme).values_list("line_id", "year_from", "year_to", "amount")
    )
    recorded = {year_to for _, _, year_to, _ in expenses}
    if report_year is not None:
        year = report_year + 1 if report_year + 1 in recorded else report_year
    elif year is None:
        year = max(recorded, default=None)
    before: dict[int, Decimal] = defaultdict(lambda: ZERO)
    during: dict[int, Decimal] = defaultdict(lambda: ZERO)
    before_spans: set[tuple[int | None, int]] = set()
    during_spans: set[tuple[int | None, int]] = set()
    for line_id, year_from, year_to, amount in expenses:
        if year is None or year_to > year:
            continue
        if year_to == year:
            during[line_id] += amount
            during_spans.add((year_from, year_to))
        else:
            before[line_id] += amount
            before_spans.add((year_from, year_to))
    figures = [
        ex.LineFigures(
            code=line.code,
            amount=line.amount,
            spent_before=before[line.pk],
            spent_this_year=during[line.pk],
            name=line.name,
            fin_mode=line.fin_mode,
            result=line.result.code if line.result_id else NO_RESULT,
            is_header=line.is_header,
        )
        for line in lines
    ]
    rows = [BudgetRow(line.pk, line.depth, ex.line_execution(fig)) for line, fig in zip(lines, figures, strict=True)]
    return BudgetVsActuals(
        programme.code,
        year,
        rows,
        ex.group_execution(figures, key=lambda f: f.fin_mode),
        ex.group_execution(figures, key=lambda f: f.result),
        ex.total_execution(figures),
        before=None if year is None else _covering(sorted(before_spans, key=str), Span(None, year - 1)),
        during=None if year is None else _covering(sorted(during_spans, key=str), Span(year, year)),
        spending_by_fin_mode=ex.group_spending(figures, key=lambda f: f.fin_mode),
        spending_total=ex.group_spending(figures, key=lambda _f: None).get(None, ex.Spending()),
    )
