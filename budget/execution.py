"""Budget execution: pure functions over Decimals (money in the programme's currency). No Django imports.

Rates are ratios (0.84 = 84 %), uncapped (an overspent line is above 1) and None when the
budget is 0 or missing (FIT prints "??%"). Balances may be negative (overspending).
Spending that was never recorded is None ("Sin dato"), never 0: whatever is derived from it
(a line's total, balance and rate; a subtotal over it) is None too.

- :func:`execution` — budget, spent, balance, rate of any amount pair.
- :func:`line_execution` — one line of annex 7.3 (spent to last year + this year = total).
- :func:`group_execution` — Σ over leaf lines per key (result, financing mode, …).
- :func:`group_spending` — the same subtotals' two spending columns (before / this year).
- :func:`yearly_execution` — table 2.1 (per year: budget, spent, cumulative, balance, rate).
- :func:`percent` — a rate as a whole percentage for display, rounded half up like FIT.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

K = TypeVar("K", bound=Hashable)  # what lines are grouped by: a financing mode, a result code
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def execution_rate(spent: Decimal, budget: Decimal | None) -> Decimal | None:
    """Ratio spent ÷ budget, uncapped; None when the budget is 0 or None."""
    if budget is None or budget == 0:
        return None
    return spent / budget


def percent(rate: Decimal | None, places: int = 0) -> Decimal | None:
    """Rate as a percentage rounded half up to ``places`` decimals (0.8397 -> 84); None stays None."""
    if rate is None:
        return None
    return (rate * HUNDRED).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Execution:
    """Budget, spent, balance (budget − spent, may be negative) and rate (ratio, None without a budget).

    ``spent`` None: the spending is not known, so neither are the balance and the rate.
    """

    budget: Decimal
    spent: Decimal | None
    balance: Decimal | None
    rate: Decimal | None


def balance(budget: Decimal, spent: Decimal) -> Decimal:
    """Money: budget − spent; negative when more was spent than budgeted."""
    return budget - spent


def execution(budget: Decimal | None, spent: Decimal | None) -> Execution:
    """Execution of ``spent`` against ``budget`` (money); a missing budget counts as 0 with no rate.

    Unknown spending (None) has no balance and no rate.
    """
    amount = ZERO if budget is None else budget
    if spent is None:
        return Execution(amount, None, None, None)
    return Execution(amount, spent, balance(amount, spent), execution_rate(spent, budget))


@dataclass(frozen=True)
class LineFigures:
    """A budget line as FIT reports it: amount, spent up to the previous year, spent this year (None: unknown)."""

    code: str
    amount: Decimal | None
    spent_before: Decimal | None = ZERO
    spent_this_year: Decimal | None = ZERO
    name: str = ""
    fin_mode: str = ""
    result: str | None = None
    is_header: bool = False


@dataclass(frozen=True)
class LineExecution:
    """One row of annex 7.3 (money; ``rate`` is a ratio or None when the amount is 0 or missing).

    ``total`` None: a spending column is unknown, so the balance and the rate are too.
    """

    line: LineFigures
    total: Decimal | None
    balance: Decimal | None
    rate: Decimal | None


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """a + b where an unknown term makes the sum unknown."""
    return None if a is None or b is None else a + b


def line_execution(line: LineFigures) -> LineExecution:
    """Total = spent before + spent this year; balance = amount − total (None without an amount or a total)."""
    total = _add(line.spent_before, line.spent_this_year)
    if total is None:
        return LineExecution(line, None, None, None)
    balance = None if line.amount is None else line.amount - total
    return LineExecution(line, total, balance, execution_rate(total, line.amount))


def group_execution(lines: Iterable[LineFigures], key: Callable[[LineFigures], K]) -> dict[K, Execution]:
    """Σ amount and Σ total spent (money) of the leaf lines per ``key(line)``; headers skipped; first-seen order.

    A group with a leaf whose spending is unknown has an unknown spent (None), not a partial sum.
    """
    budgets: dict[K, Decimal] = {}
    spent: dict[K, Decimal | None] = {}
    for line in lines:
        if line.is_header:
            continue
        k = key(line)
        budgets[k] = budgets.get(k, ZERO) + (line.amount or ZERO)
        spent[k] = _add(spent.get(k, ZERO), _add(line.spent_before, line.spent_this_year))
    return {k: execution(budgets[k], spent[k]) for k in budgets}


@dataclass(frozen=True)
class Spending:
    """A subtotal's two spending columns as FIT prints REGIE / COGES / TOTAL (money; None: a leaf's is unknown)."""

    before: Decimal | None = ZERO
    this_year: Decimal | None = ZERO


def group_spending(lines: Iterable[LineFigures], key: Callable[[LineFigures], K]) -> dict[K, Spending]:
    """Σ spent before and Σ spent this year of the leaf lines per ``key(line)``; headers skipped; first-seen order."""
    spending: dict[K, Spending] = {}
    for line in lines:
        if line.is_header:
            continue
        k = key(line)
        seen = spending.get(k, Spending())
        spending[k] = Spending(_add(seen.before, line.spent_before), _add(seen.this_year, line.spent_this_year))
    return spending


def total_execution(lines: Iterable[LineFigures]) -> Execution:
    """Σ over the leaf lines (header subtotals are stated figures and are not added again)."""
    return group_execution(lines, lambda _line: None).get(None, execution(ZERO, ZERO))


@dataclass(frozen=True)
class YearFigures:
    """A year's POA budget and what was spent in that year (money)."""

    year: int
    budget: Decimal
    spent: Decimal


@dataclass(frozen=True)
class YearExecution:
    """A row of table 2.1: cumulative spent since the start and balance of the total budget (money); rate ratio."""

    year: int
    budget: Decimal
    spent: Decimal
    cumulative: Decimal
    balance: Decimal
    rate: Decimal | None


def yearly_execution(years: Sequence[YearFigures], total_budget: Decimal) -> list[YearExecution]:
    """Table 2.1: per year (sorted) rate = spent ÷ POA budget, cumulative Σ spent, balance = total − cumulative."""
    rows = sorted(years, key=lambda y: y.year)
    if len({y.year for y in rows}) != len(rows):
        raise ValueError("a year appears twice")
    out = []
    cumulative = ZERO
    for row in rows:
        cumulative += row.spent
        out.append(
            YearExecution(
                row.year,
                row.budget,
                row.spent,
                cumulative,
                total_budget - cumulative,
                execution_rate(row.spent, row.budget),
            )
        )
    return out
