"""Reads for budget execution: table 2.1 and annex 7.3, computed by ``budget.execution`` in fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from budget import execution as ex
from budget.models import BudgetExpense, BudgetLine, YearlyBudget
from indicators.models import Programme

ZERO = Decimal("0")
# Lines with no result (general means, reserve) are grouped under this key.
NO_RESULT = ""


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


@dataclass(frozen=True)
class Extract:
    """FIT's year-to-date extract behind the annex 7.3 of ``report_year``, as its expenses were recorded.

    ``columns`` are the spans of its spending columns, read from the recorded expenses and never
    from the year asked for: the 2011 report's extract is "Start - 2011", "Expenses 2012".
    """

    report_year: int
    columns: tuple[Span, ...]


@dataclass(frozen=True)
class AnnexRow:
    """A printed line of annex 7.3 (money; ``rate`` a ratio). None is a figure not known ("Sin dato").

    ``spent`` holds one amount per column of the extract; ``blank`` is a header FIT prints without figures.
    """

    line_id: int
    code: str
    name: str
    depth: int
    is_header: bool
    fin_mode: str
    blank: bool
    amount: Decimal | None
    spent: tuple[Decimal | None, ...]
    total: Decimal | None
    balance: Decimal | None
    rate: Decimal | None


@dataclass(frozen=True)
class AnnexTotal:
    """A subtotal row of annex 7.3: per financing mode (``key`` "REGIE", "COGES", "" for none) or "TOTAL".

    ``summary_year`` is set when the total spent is not the sum of the lines but table 2.1's cumulative
    spent at the end of that year (the year has no FIT extract); the row's label says so.
    """

    key: str
    amount: Decimal
    spent: tuple[Decimal | None, ...]
    total: Decimal | None
    balance: Decimal | None
    rate: Decimal | None
    summary_year: int | None = None

    @property
    def label(self) -> str:
        if self.summary_year is not None:
            return _("TOTAL (spent: cumulative at 31/12/%(year)s, table 2.1)") % {"year": self.summary_year}
        return self.key or "—"


TOTAL = "TOTAL"


@dataclass(frozen=True)
class BudgetVsActuals:
    """Annex 7.3 of the annual report of ``year``, as every surface prints it (report HTML, PDF, workbook).

    ``extract`` is None when no FIT extract was recorded for the year: then no spending column is
    printed, each line's spending is unknown, and the TOTAL row carries table 2.1's cumulative spent
    when that table has the year. ``extract_years`` are the report years that have an extract.
    """

    programme_code: str
    year: int
    extract: Extract | None
    rows: list[AnnexRow]
    totals: list[AnnexTotal]
    by_fin_mode: dict[str, ex.Execution]
    by_result: dict[str | None, ex.Execution]
    total: ex.Execution
    extract_years: tuple[int, ...] = ()

    @property
    def columns(self) -> tuple[Span, ...]:
        return self.extract.columns if self.extract else ()

    @property
    def figure_slots(self) -> range:
        """The cells after the code, line and financing mode: amount, each spending column, total, balance, rate."""
        return range(len(self.columns) + 4)

    @property
    def headers(self) -> list[str]:
        """The column headings, in the active language: code, line, fin mode, amount, the extract's spans, …"""
        code = str(capfirst(BudgetLine._meta.get_field("code").verbose_name))
        spans = [span.label() for span in self.columns]
        # The msgid the report's template used: {% translate %} doubles a "%", and so must this lookup.
        rate = _("%% exec.").replace("%%", "%")
        return [code, _("Budget line"), _("Fin mode"), _("Amount"), *spans, _("Total"), _("Balance"), rate]

    @property
    def notes(self) -> list[str]:
        """What the reader must know to read the figures, in the active language."""
        if self.extract is not None:
            return [
                _(
                    "FIT's year-to-date extract: spending from the programme's start to the report's year, then "
                    "what was registered in the following year. Totals are sums of the leaf lines."
                )
            ]
        notes = [
            _("No FIT extract was recorded for %(year)s: the spending of each budget line is not known (Sin dato).")
            % {"year": self.year}
        ]
        if any(total.summary_year is not None for total in self.totals):
            notes.append(
                _(
                    "The total spent is the cumulative spent at 31/12/%(year)s of table 2.1; "
                    "it is not broken down by budget line."
                )
                % {"year": self.year}
            )
        if self.extract_years:
            notes.append(
                _("FIT extracts are recorded for the reports of: %(years)s.")
                % {"years": ", ".join(str(y) for y in self.extract_years)}
            )
        return notes

    def row(self, code: str) -> AnnexRow:
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


def _covering(spans: set[tuple[int | None, int]]) -> Span:
    firsts = [first for first, _last in spans]
    known = [first for first in firsts if first is not None]
    return Span(None if None in firsts else min(known), max(last for _first, last in spans))


@dataclass
class _Recorded:
    """The recorded expenses sorted into FIT extracts: per report year, its to-date and following-year columns."""

    to_date: dict[int, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    to_date_spans: dict[int, set[tuple[int | None, int]]] = field(default_factory=lambda: defaultdict(set))
    following: dict[int, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    def extract(self, report_year: int) -> Extract | None:
        if report_year not in self.to_date:
            return None
        columns = [_covering(self.to_date_spans[report_year])]
        if self.following.get(report_year + 1):
            columns.append(Span(report_year + 1, report_year + 1))
        return Extract(report_year, tuple(columns))


def _recorded(expenses: list[tuple[int, int | None, int, Decimal]], start_year: int | None) -> _Recorded:
    """A span from the programme's start to year Y is the extract of report Y; a span of Y + 1 alone is its
    following-year column. Any other span (2012 alone with no extract of 2011, 2010 - 2011) is not a
    report's extract and is never relabelled as one.
    """
    recorded = _Recorded()
    for line_id, year_from, year_to, amount in expenses:
        if year_from is None or (start_year is not None and year_from <= start_year):
            recorded.to_date[year_to][line_id] = amount
            recorded.to_date_spans[year_to].add((year_from, year_to))
        if year_from == year_to:
            recorded.following[year_to][line_id] = amount
    return recorded


def _blank(line: BudgetLine, spent: tuple[Decimal | None, ...]) -> bool:
    """A header FIT prints without figures: no amount and nothing spent under it."""
    return line.is_header and line.amount is None and all(not amount for amount in spent)


def _total_row(key: str, execution: ex.Execution, spending: ex.Spending, columns: int) -> AnnexTotal:
    spent = (spending.before, spending.this_year)[:columns]
    return AnnexTotal(key, execution.budget, spent, execution.spent, execution.balance, execution.rate)


def budget_vs_actuals(programme: Programme, report_year: int) -> BudgetVsActuals:
    """Annex 7.3 of the ``report_year`` annual report: budget lines, FIT's spending, subtotals (money; rates ratios).

    The spending is FIT's year-to-date extract of that report as recorded (the 2011 report prints
    "Start - 2011" and "Expenses 2012", taken early in 2012). A year without an extract prints no
    spending per line ("Sin dato", never 0); its TOTAL row takes the cumulative spent of table 2.1 when
    that table has the year. Three queries at most.
    """
    lines = list(BudgetLine.objects.filter(programme=programme).select_related("result").order_by("order", "code"))
    expenses = list(
        BudgetExpense.objects.filter(line__programme=programme).values_list("line_id", "year_from", "year_to", "amount")
    )
    start = programme.start
    recorded = _recorded(expenses, start.year if start else None)
    extract = recorded.extract(report_year)
    columns = len(extract.columns) if extract else 0
    to_date = recorded.to_date.get(report_year, {})
    following = recorded.following.get(report_year + 1, {}) if columns == 2 else {}

    figures: list[ex.LineFigures] = []
    rows: list[AnnexRow] = []
    for line in lines:
        if extract is None:
            spent: tuple[Decimal | None, ...] = ()
            before, during = None, None
        else:
            spent = (to_date.get(line.pk), following.get(line.pk))[:columns]
            # A one-column extract has nothing after its to-date column: the total is that column.
            before, during = spent[0], spent[1] if columns == 2 else ZERO
        fig = ex.LineFigures(
            code=line.code,
            amount=line.amount,
            spent_before=before,
            spent_this_year=during,
            name=line.name,
            fin_mode=line.fin_mode,
            result=line.result.code if line.result is not None else NO_RESULT,
            is_header=line.is_header,
        )
        figures.append(fig)
        execution = ex.line_execution(fig)
        blank = _blank(line, spent)
        rows.append(
            AnnexRow(
                line.pk,
                line.code,
                line.name,
                line.depth,
                line.is_header,
                line.fin_mode,
                blank,
                None if blank else line.amount,
                () if blank else spent,
                None if blank else execution.total,
                None if blank else execution.balance,
                None if blank else execution.rate,
            )
        )

    by_fin_mode = ex.group_execution(figures, key=lambda f: f.fin_mode)
    spending = ex.group_spending(figures, key=lambda f: f.fin_mode)
    total = ex.total_execution(figures)
    totals = [
        _total_row(mode, by_fin_mode[mode], spending[mode], columns)
        for mode in sorted(by_fin_mode, key=lambda m: (m != "REGIE", m))
    ]
    if lines:
        total_spending = ex.group_spending(figures, key=lambda _f: None).get(None, ex.Spending())
        totals.append(_total_row(TOTAL, total, total_spending, columns))
        if extract is None:
            summary = next((y for y in yearly_execution(programme, total.budget) if y.year == report_year), None)
            if summary is not None:
                stated = ex.execution(total.budget, summary.cumulative)
                totals[-1] = AnnexTotal(
                    TOTAL, total.budget, (), stated.spent, stated.balance, stated.rate, summary_year=report_year
                )
    return BudgetVsActuals(
        programme.code,
        report_year,
        extract,
        rows,
        totals,
        by_fin_mode,
        ex.group_execution(figures, key=lambda f: f.result),
        total,
        extract_years=tuple(sorted(recorded.to_date)),
    )


def latest_extract_year(programme: Programme) -> int | None:
    """The report year of the latest FIT extract recorded for the programme (a span from its start); one query."""
    start = programme.start
    spans = BudgetExpense.objects.filter(line__programme=programme).values_list("year_from", "year_to").distinct()
    years = [to for first, to in spans if first is None or (start is not None and first <= start.year)]
    return max(years, default=None)


def spending_to_date(programme: Programme) -> BudgetVsActuals | None:
    """Each line's spending to date: annex 7.3 of the latest extract recorded; None without any. Four queries."""
    year = latest_extract_year(programme)
    return None if year is None else budget_vs_actuals(programme, year)
