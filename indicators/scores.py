"""The scores engine: pure functions over Decimals and small frozen dataclasses. Imports nothing from Django.

Units: achievements, efficacy, efficiency, sustainability and execution rates are *ratios*
(``Decimal("1.06")`` is 106 %). Indicator values and targets stay in the unit they are stored
in: an achievement only needs the actual and the target in the same unit. The RATIO aggregation
yields percent 0–100, the unit of the model's share fields. A figure that cannot be computed is
``None`` ("Sin dato"), never 0 and never 100 %.

Public API (stable; the report, the API and the forms call these):

- :func:`achievement` — actual against target, with the one direction rule used everywhere.
- :func:`entered_achievement` — a hand-entered percentage (qualitative indicators) as a ratio.
- :func:`cap` — cap a ratio (at 1 by default) for averages.
- :class:`Observation`, :func:`aggregate`, :func:`combine` — how an indicator's period values
  combine (sum / running total / latest / ratio).
- :func:`average_achievement`, :func:`weighted_mean` — averages that skip "no data".
- :func:`track_status` — on track / off track / no data.
- :class:`TaskFigures`, :func:`efficacy`, :func:`efficiency`, :func:`sustainability`,
  :func:`level_scores`, :func:`objective_scores` — task-based scores per level.
- :func:`suggest_rating` — A–D suggestion from thresholds (:data:`DEFAULT_RATING_THRESHOLDS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from indicators.periods import Period

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
DEFAULT_TRACK_BAND = Decimal("0.15")


class Direction(StrEnum):
    """Same values as ``Indicator.Direction``."""

    ASCENDING = "asc"
    DESCENDING = "desc"


class Aggregation(StrEnum):
    """Same values as ``Indicator.Aggregation``."""

    SUM = "sum"
    RUNNING_TOTAL = "running"
    LATEST = "latest"
    RATIO = "ratio"


class TrackStatus(StrEnum):
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


class Criterion(StrEnum):
    EFFICACY = "efficacy"
    EFFICIENCY = "efficiency"
    SUSTAINABILITY = "sustainability"
    ACHIEVEMENT = "achievement"


# ---------------------------------------------------------------------------------------------
# Indicator achievement


def achievement(
    actual: Decimal | None,
    target: Decimal | None,
    *,
    direction: str = Direction.ASCENDING,
    baseline: Decimal | None = None,
) -> Decimal | None:
    """Ratio, uncapped (1.06 = 106 %); None for no data, a zero target or an undefined descending ratio.

    Ascending: actual ÷ target. Descending: (baseline − actual) ÷ (baseline − target) when a
    baseline exists, else target ÷ actual.
    """
    if actual is None or target is None:
        return None
    if Direction(direction) is Direction.ASCENDING:
        if target == 0:
            return None
        return actual / target
    if baseline is not None:
        planned_reduction = baseline - target
        if planned_reduction == 0:
            return None
        return (baseline - actual) / planned_reduction
    if target == 0 or actual == 0:
        return None
    return target / actual


def entered_achievement(percent: Decimal | None) -> Decimal | None:
    """Ratio from an achievement entered by hand in percent (qualitative indicators: 80 -> 0.8); None stays None."""
    return None if percent is None else percent / HUNDRED


def cap(ratio: Decimal | None, limit: Decimal = ONE) -> Decimal | None:
    """Ratio capped at ``limit`` (1 = 100 % by default); None stays None."""
    if ratio is None:
        return None
    return min(ratio, limit)


# ---------------------------------------------------------------------------------------------
# Aggregation of an indicator's values over periods


@dataclass(frozen=True)
class Observation:
    """One value of an indicator for a period (a quarter, or a whole year when ``period.is_year``).

    ``value`` is in the indicator's unit; ``numerator``/``denominator`` carry a measured
    percentage. An observation with neither is "no data".
    """

    period: Period
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def has_ratio(self) -> bool:
        return self.numerator is not None and self.denominator is not None


@dataclass(frozen=True)
class Aggregate:
    """An indicator's figure for a period: ``value`` in the indicator's unit (percent 0–100 for RATIO)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def has_data(self) -> bool:
        return self.value is not None or (self.numerator is not None and self.denominator is not None)


NO_DATA = Aggregate(None)


def _ratio_value(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return HUNDRED * numerator / denominator


def _year_rows(observations: Sequence[Observation], year: int) -> list[Observation]:
    """What stands for a whole year: its whole-year observation when it carries a number, else its quarters.

    A year figure of record is therefore never added to the quarters that make it up.
    """
    rows = [o for o in observations if o.period.year == year]
    whole = [o for o in rows if o.period.is_year and (o.has_value or o.has_ratio)]
    if whole:
        return whole
    return sorted((o for o in rows if not o.period.is_year), key=lambda o: o.period.quarter)


def _period_rows(observations: Iterable[Observation], period: Period | None, *, up_to: bool) -> list[Observation]:
    """The observations that make up ``period`` (None: the whole programme), or all up to its end when ``up_to``."""
    rows = list(observations)
    if period is None:
        return [o for year in sorted({o.period.year for o in rows}) for o in _year_rows(rows, year)]
    if period.is_year:
        current = _year_rows(rows, period.year)
    else:
        first_quarter = 1 if up_to else period.quarter
        current = sorted(
            (o for o in rows if o.period.year == period.year and first_quarter <= o.period.quarter <= period.quarter),
            key=lambda o: o.period.quarter,
        )
    if not up_to:
        return current
    earlier_years = sorted({o.period.year for o in rows if o.period.year < period.year})
    return [o for year in earlier_years for o in _year_rows(rows, year)] + current


def aggregate(observations: Iterable[Observation], aggregation: str, period: Period | None) -> Aggregate:
    """An indicator's figure for ``period`` in its unit; ``NO_DATA`` when no observation carries a number.

    ``period=None`` is the whole programme: every year (a year's whole-year figure, else its quarters).

    SUM: Σ values in the period. RUNNING_TOTAL: Σ values from the start up to the period's end, when
    the period itself has a value (a quarter of a year known only as a whole has no running total).
    LATEST: the last value in the period. RATIO: 100 × Σnumerator ÷ Σdenominator in the period
    (never an average of percentages). Observations without a number are skipped, never read as 0.
    """
    kind = Aggregation(aggregation)
    rows = _period_rows(observations, period, up_to=kind is Aggregation.RUNNING_TOTAL)
    if kind is Aggregation.RATIO:
        with_ratio = [o for o in rows if o.has_ratio]
        if not with_ratio:
            return NO_DATA
        numerator = sum((o.numerator for o in with_ratio if o.numerator is not None), ZERO)
        denominator = sum((o.denominator for o in with_ratio if o.denominator is not None), ZERO)
        return Aggregate(_ratio_value(numerator, denominator), numerator, denominator)
    with_value = [o.value for o in rows if o.value is not None]
    if not with_value:
        return NO_DATA
    if kind is Aggregation.RUNNING_TOTAL and not any(o.has_value for o in _period_rows(rows, period, up_to=False)):
        # Nothing measured in the period itself: the total at its end is unknown, not the earlier total.
        return NO_DATA
    if kind is Aggregation.LATEST:
        return Aggregate(with_value[-1])
    return Aggregate(sum(with_value, ZERO))


def year_to_date(observations: Iterable[Observation], aggregation: str, quarter: Period) -> Aggregate:
    """An indicator's figure from its year's start to the end of ``quarter``, in its unit; ``NO_DATA`` if none.

    What a quarter contributes towards the year's target: SUM Σ of the year's quarters so far, LATEST
    the last of them, RATIO 100 × Σnumerator ÷ Σdenominator over them, RUNNING_TOTAL the running total
    at the quarter's end (it already counts from the start). A whole-year row is not a quarter and
    is never part of it.
    """
    if quarter.is_year:
        raise ValueError(f"{quarter} is a year: year-to-date is measured at a quarter")
    kind = Aggregation(aggregation)
    if kind is Aggregation.RUNNING_TOTAL:
        return aggregate(observations, aggregation, quarter)
    so_far = [o for o in observations if o.period.year == quarter.year and 1 <= o.period.quarter <= quarter.quarter]
    parts = [aggregate(so_far, aggregation, Period(quarter.year, q)) for q in range(1, quarter.quarter + 1)]
    return combine(parts, aggregation)


def combine(parts: Sequence[Aggregate], aggregation: str) -> Aggregate:
    """Combine consecutive sub-period figures (in order) into the figure of the whole; skips no data.

    SUM: Σ; LATEST and RUNNING_TOTAL: the last part with data (a running total already
    includes what came before); RATIO: 100 × Σnumerator ÷ Σdenominator.
    """
    kind = Aggregation(aggregation)
    present = [p for p in parts if p.has_data]
    if not present:
        return NO_DATA
    if kind is Aggregation.RATIO:
        numerator = sum((p.numerator for p in present if p.numerator is not None), ZERO)
        denominator = sum((p.denominator for p in present if p.denominator is not None), ZERO)
        return Aggregate(_ratio_value(numerator, denominator), numerator, denominator)
    if kind is Aggregation.SUM:
        return Aggregate(sum((p.value for p in present if p.value is not None), ZERO))
    return present[-1]


# ---------------------------------------------------------------------------------------------
# Averages and tracking


def weighted_mean(items: Sequence[Decimal | None], weights: Sequence[Decimal | None] | None = None) -> Decimal | None:
    """Weighted mean of the items that have data (None items and their weights are skipped); None if none."""
    if weights is None:
        weights = [ONE] * len(items)
    if len(weights) != len(items):
        raise ValueError(f"{len(items)} items but {len(weights)} weights")
    pairs = [
        (item, ONE if weight is None else weight)
        for item, weight in zip(items, weights, strict=True)
        if item is not None
    ]
    if any(weight < 0 for _, weight in pairs):
        raise ValueError("weights must not be negative")
    total_weight = sum((weight for _, weight in pairs), ZERO)
    if not pairs or total_weight == 0:
        return None
    return sum((item * weight for item, weight in pairs), ZERO) / total_weight


def average_achievement(
    items: Sequence[Decimal | None],
    weights: Sequence[Decimal | None] | None = None,
    cap: bool = False,
) -> Decimal | None:
    """Ratio: (weighted) mean of the indicators' achievements with data; each capped at 1 when ``cap``."""
    capped = [_cap_one(item) for item in items] if cap else list(items)
    return weighted_mean(capped, weights)


def _cap_one(item: Decimal | None) -> Decimal | None:
    return cap(item)


def track_status(achieved: Decimal | None, expected: Decimal | None, band: Decimal = DEFAULT_TRACK_BAND) -> TrackStatus:
    """On track when the achievement ratio is at least expected × (1 − band); no data when either is None."""
    if achieved is None or expected is None:
        return TrackStatus.NO_DATA
    if band < 0:
        raise ValueError("band must not be negative")
    return TrackStatus.ON_TRACK if achieved >= expected * (ONE - band) else TrackStatus.OFF_TRACK


# ---------------------------------------------------------------------------------------------
# Task-based scores


@dataclass(frozen=True)
class TaskFigures:
    """The figures of one task (money in the programme's currency)."""

    planned: bool = True
    executed: bool = False
    planned_cost: Decimal = ZERO
    actual_cost: Decimal = ZERO
    beneficiary_contribution: Decimal = ZERO
    partner_contribution: Decimal = ZERO
    assumable: bool = False

    def __post_init__(self) -> None:
        for name in ("planned_cost", "actual_cost", "beneficiary_contribution", "partner_contribution"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


def efficacy(tasks: Iterable[TaskFigures]) -> Decimal | None:
    """Ratio 0–1: planned tasks executed ÷ planned tasks; None when no task was planned."""
    planned = [t for t in tasks if t.planned]
    if not planned:
        return None
    return Decimal(sum(1 for t in planned if t.executed)) / Decimal(len(planned))


def efficiency(tasks: Iterable[TaskFigures]) -> Decimal | None:
    """Ratio ≥ 0: planned cost of the executed tasks ÷ their actual programme cost; None when nothing was spent."""
    executed = [t for t in tasks if t.executed]
    actual = sum((t.actual_cost for t in executed), ZERO)
    if actual == 0:
        return None
    return sum((t.planned_cost for t in executed), ZERO) / actual


def sustainability(tasks: Iterable[TaskFigures]) -> Decimal | None:
    """Ratio 0–1: (beneficiaries' + partners' contributions) ÷ total cost of the assumable tasks; None if none cost."""
    assumable = [t for t in tasks if t.assumable]
    contributed = sum((t.beneficiary_contribution + t.partner_contribution for t in assumable), ZERO)
    total = contributed + sum((t.actual_cost for t in assumable), ZERO)
    if total == 0:
        return None
    return contributed / total


@dataclass(frozen=True)
class LevelScores:
    """Efficacy, efficiency, sustainability (ratios) of one level in one period; None = no data."""

    efficacy: Decimal | None = None
    efficiency: Decimal | None = None
    sustainability: Decimal | None = None


def level_scores(tasks: Iterable[TaskFigures]) -> LevelScores:
    """The three task scores of a result for a period (all None when it has no tasks)."""
    rows = list(tasks)
    return LevelScores(efficacy(rows), efficiency(rows), sustainability(rows))


def objective_scores(results: Sequence[LevelScores], weights: Sequence[Decimal | None] | None = None) -> LevelScores:
    """The specific objective's scores: (weighted) mean of its results' scores, each skipping no data."""
    return LevelScores(
        weighted_mean([r.efficacy for r in results], weights),
        weighted_mean([r.efficiency for r in results], weights),
        weighted_mean([r.sustainability for r in results], weights),
    )


# ---------------------------------------------------------------------------------------------
# Suggested ratings

# Lower bounds (ratios) of A, B and C for each criterion; below the C bound is D. These are the
# application's defaults, not a BTC standard: they were chosen to agree with the 15 efficacy,
# efficiency and sustainability ratings of PER0601011's 2011 report (3.2.4, 3.3.5) given its
# table 2.1 scores. Override them with settings.SCORE_RATING_THRESHOLDS.
DEFAULT_RATING_THRESHOLDS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    Criterion.EFFICACY: (Decimal("0.90"), Decimal("0.75"), Decimal("0.50")),
    Criterion.EFFICIENCY: (Decimal("0.95"), Decimal("0.80"), Decimal("0.65")),
    Criterion.SUSTAINABILITY: (Decimal("0.45"), Decimal("0.30"), Decimal("0.15")),
    Criterion.ACHIEVEMENT: (Decimal("0.90"), Decimal("0.75"), Decimal("0.50")),
}


def rating_thresholds(
    overrides: Mapping[str, Sequence[Decimal | str | int | float]] | None = None,
) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """The defaults with ``overrides`` applied; raises ValueError for a bound list that is not 3 descending numbers."""
    merged = dict(DEFAULT_RATING_THRESHOLDS)
    for criterion, bounds in (overrides or {}).items():
        values = [Decimal(str(b)) for b in bounds]
        if len(values) != 3 or not values[0] >= values[1] >= values[2]:
            raise ValueError(f"thresholds for {criterion!r} must be three descending bounds (A, B, C)")
        merged[str(criterion)] = (values[0], values[1], values[2])
    return merged


def suggest_rating(
    criterion: str,
    value: Decimal | None,
    thresholds: Mapping[str, Sequence[Decimal | str | int | float]] | None = None,
) -> str | None:
    """ "A"–"D" for a ratio score (A when value ≥ the A bound …); None when the value is None."""
    table = rating_thresholds(thresholds)
    if str(criterion) not in table:
        raise ValueError(f"no rating thresholds for criterion {criterion!r}")
    if value is None:
        return None
    a_min, b_min, c_min = table[str(criterion)]
    if value >= a_min:
        return "A"
    if value >= b_min:
        return "B"
    if value >= c_min:
        return "C"
    return "D"
