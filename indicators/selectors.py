"""Reads for the scores: gather inputs in a fixed number of queries, then call ``indicators.scores``.

The monitoring card (annex 7.2) shows, per logframe level and period, efficacy, efficiency,
sustainability, the average indicator achievement and each indicator's achievement. Each
figure carries its origin: STATED (a report stated it: ``StatedScore``/``StatedAchievement``),
COMPUTED (from task records, indicator values and targets entered in the application), or
NONE (neither: "Sin dato"). Nothing is computed from invented inputs: with no tasks there is
no efficacy, with no value or no target there is no achievement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.conf import settings

from indicators import scores
from indicators.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Programme,
    Result,
    StatedAchievement,
    StatedScore,
    Task,
)
from indicators.periods import Period

# A period of ``None`` is the whole programme: every value (against the final target), every task.
WHOLE_PROGRAMME = None


class Origin(StrEnum):
    STATED = "stated"
    COMPUTED = "computed"
    NONE = "none"


@dataclass(frozen=True)
class Figure:
    """A ratio (1.06 = 106 %; sustainability 0.61) or None, with where it comes from."""

    value: Decimal | None
    origin: Origin

    @property
    def is_stated(self) -> bool:
        return self.origin is Origin.STATED

    @property
    def percent(self) -> Decimal | None:
        return None if self.value is None else self.value * 100


NO_FIGURE = Figure(None, Origin.NONE)


def _computed(value: Decimal | None) -> Figure:
    return NO_FIGURE if value is None else Figure(value, Origin.COMPUTED)


@dataclass(frozen=True)
class IndicatorAchievement:
    """An indicator's figures for one period (None: the whole programme): actual and target in its unit, ratio."""

    period: Period | None
    actual: Decimal | None
    target: Decimal | None
    achievement: Figure


@dataclass(frozen=True)
class IndicatorRow:
    indicator_id: int
    code: str
    label: str
    direction: str
    aggregation: str
    periods: list[IndicatorAchievement]


@dataclass(frozen=True)
class LevelRow:
    """One logframe level (OE, R1…) of the card; the lists align with ``MonitoringCard.periods``."""

    result_id: int
    code: str
    kind: str
    statement: str
    efficacy: list[Figure]
    efficiency: list[Figure]
    sustainability: list[Figure]
    average_achievement: list[Figure]
    suggested_ratings: list[dict[str, str | None]]
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass(frozen=True)
class MonitoringCard:
    programme_code: str
    periods: list[Period | None]
    levels: list[LevelRow]

    def level(self, code: str) -> LevelRow:
        return next(level for level in self.levels if level.code == code)


def rating_thresholds() -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """The A–D thresholds in use: the defaults of ``scores`` with ``settings.SCORE_RATING_THRESHOLDS`` applied."""
    return scores.rating_thresholds(getattr(settings, "SCORE_RATING_THRESHOLDS", None))


def track_band() -> Decimal:
    """Ratio (0.15 = 15 %) from ``settings.SCORE_TRACK_BAND``; ValueError when it is not a number ≥ 0."""
    raw = str(getattr(settings, "SCORE_TRACK_BAND", scores.DEFAULT_TRACK_BAND))
    try:
        band = Decimal(raw)
    except ArithmeticError as exc:
        raise ValueError(f"SCORE_TRACK_BAND {raw!r} is not a number") from exc
    if not band.is_finite() or band < 0:
        raise ValueError(f"SCORE_TRACK_BAND {raw!r} must be a number of at least 0")
    return band


def track_status(achievement: IndicatorAchievement, expected: Decimal | None) -> scores.TrackStatus:
    """On track / off track / no data of an indicator's achievement against the expected ratio, with the set band."""
    return scores.track_status(achievement.achievement.value, expected, track_band())


# ---------------------------------------------------------------------------------------------
# Indicator achievement


def unit_figure(value: Decimal | None, share: Decimal | None, unit_kind: str | None = None) -> Decimal | None:
    """The figure of a value or target row, in the indicator's unit.

    Its number, or its share (percent) when it has no number; except for a count with share
    ("927 (35%)"), whose figure is the count only: a share is never compared with a count target.
    """
    if unit_kind == Indicator.UnitKind.COUNT_SHARE:
        return value
    return value if value is not None else share


def _observation(row: IndicatorValue, unit_kind: str | None = None) -> scores.Observation:
    period = Period(row.year, row.quarter)
    if row.no_data:
        return scores.Observation(period)
    return scores.Observation(period, unit_figure(row.value, row.share, unit_kind), row.numerator, row.denominator)


def _target_for(
    targets: dict[tuple[int, int], Decimal | None], period: Period | None, indicator: Indicator | None = None
) -> Decimal | None:
    """The period's own target; for a quarter without one, its year's; for the whole programme, the final target."""
    if period is WHOLE_PROGRAMME:
        if indicator is None:
            return None
        return unit_figure(indicator.final_target, indicator.final_target_share, indicator.unit_kind)
    if (period.year, period.quarter) in targets:
        return targets[(period.year, period.quarter)]
    return targets.get((period.year, 0))


def achievement_for(
    indicator: Indicator,
    period: Period | None,
    observations: list[scores.Observation],
    targets: dict[tuple[int, int], Decimal | None],
    stated: dict[tuple[int, int], Decimal],
) -> IndicatorAchievement:
    actual = scores.aggregate(observations, indicator.aggregation, period).value
    target = _target_for(targets, period, indicator)
    if period is not WHOLE_PROGRAMME and (period.year, period.quarter) in stated:
        return IndicatorAchievement(
            period, actual, target, Figure(stated[(period.year, period.quarter)], Origin.STATED)
        )
    if indicator.unit_kind == Indicator.UnitKind.QUALITATIVE:
        # A qualitative indicator's figure is its achievement, entered by hand in percent.
        return IndicatorAchievement(period, actual, target, _computed(scores.entered_achievement(actual)))
    ratio = scores.achievement(actual, target, direction=indicator.direction, baseline=indicator.baseline)
    return IndicatorAchievement(period, actual, target, _computed(ratio))


@dataclass
class _IndicatorInputs:
    observations: dict[int, list[scores.Observation]]
    targets: dict[int, dict[tuple[int, int], Decimal | None]]
    stated: dict[int, dict[tuple[int, int], Decimal]]


def _indicator_inputs(indicators: Sequence[Indicator]) -> _IndicatorInputs:
    """Values, targets and stated achievements of the indicators: three queries whatever their number."""
    unit_kind = {i.pk: i.unit_kind for i in indicators}
    indicator_ids = list(unit_kind)
    observations: dict[int, list[scores.Observation]] = defaultdict(list)
    # Only the programme-wide figure counts: rows for one chain, region or sex are breakdowns of it.
    for row in IndicatorValue.objects.filter(
        indicator_id__in=indicator_ids, chain__isnull=True, region="", sex=""
    ).only("indicator_id", "year", "quarter", "value", "share", "numerator", "denominator", "no_data"):
        observations[row.indicator_id].append(_observation(row, unit_kind[row.indicator_id]))
    targets: dict[int, dict[tuple[int, int], Decimal | None]] = defaultdict(dict)
    for row in IndicatorTarget.objects.filter(indicator_id__in=indicator_ids, chain__isnull=True).only(
        "indicator_id", "year", "quarter", "value", "share"
    ):
        figure = unit_figure(row.value, row.share, unit_kind[row.indicator_id])
        targets[row.indicator_id][(row.year, row.quarter)] = figure
    stated: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for row in StatedAchievement.objects.filter(indicator_id__in=indicator_ids).only(
        "indicator_id", "year", "quarter", "achievement"
    ):
        stated[row.indicator_id][(row.year, row.quarter)] = row.achievement
    return _IndicatorInputs(observations, targets, stated)


def indicator_achievements(
    indicators: Iterable[Indicator], periods: Sequence[Period | None]
) -> dict[int, list[IndicatorAchievement]]:
    """Each indicator's achievement (ratio, stated or computed) per period, by indicator id; three queries."""
    rows = list(indicators)
    inputs = _indicator_inputs(rows)
    return {
        ind.pk: [
            achievement_for(ind, p, inputs.observations[ind.pk], inputs.targets[ind.pk], inputs.stated[ind.pk])
            for p in periods
        ]
        for ind in rows
    }


def indicator_achievement(indicator: Indicator, period: Period | None) -> IndicatorAchievement:
    """One indicator's actual, target and achievement (ratio, stated or computed) for one period."""
    return indicator_achievements([indicator], [period])[indicator.pk][0]


# ---------------------------------------------------------------------------------------------
# The monitoring card


def _tasks_by_result(
    result_ids: Sequence[int], periods: Sequence[Period | None]
) -> dict[tuple[int, int, int], list[scores.TaskFigures]]:
    """Task figures keyed by (result id, year, quarter): one query."""
    tasks = Task.objects.filter(activity__result_id__in=result_ids)
    if WHOLE_PROGRAMME not in periods:
        tasks = tasks.filter(year__in=sorted({p.year for p in periods}))
    out: dict[tuple[int, int, int], list[scores.TaskFigures]] = defaultdict(list)
    rows = tasks.values_list(
        "activity__result_id",
        "year",
        "quarter",
        "planned",
        "executed",
        "planned_cost",
        "actual_cost",
        "beneficiary_contribution",
        "partner_contribution",
        "assumable",
    )
    for result_id, year, quarter, planned, executed, planned_cost, actual_cost, benef, partner, assumable in rows:
        out[(result_id, year, quarter)].append(
            scores.TaskFigures(planned, executed, planned_cost, actual_cost, benef, partner, assumable)
        )
    return out


def _stated_or(stated: StatedScore | None, name: str, computed: Decimal | None) -> Figure:
    value = None if stated is None else getattr(stated, name)
    if value is not None:
        return Figure(value, Origin.STATED)
    return _computed(computed)


def _ratings(level: LevelScoresFigures, index: int, thresholds) -> dict[str, str | None]:
    figures = {
        scores.Criterion.EFFICACY: level.efficacy[index],
        scores.Criterion.EFFICIENCY: level.efficiency[index],
        scores.Criterion.SUSTAINABILITY: level.sustainability[index],
        scores.Criterion.ACHIEVEMENT: level.average_achievement[index],
    }
    return {str(c): scores.suggest_rating(c, figure.value, thresholds) for c, figure in figures.items()}


@dataclass
class LevelScoresFigures:
    efficacy: list[Figure] = field(default_factory=list)
    efficiency: list[Figure] = field(default_factory=list)
    sustainability: list[Figure] = field(default_factory=list)
    average_achievement: list[Figure] = field(default_factory=list)

    def values(self, index: int) -> scores.LevelScores:
        return scores.LevelScores(
            self.efficacy[index].value, self.efficiency[index].value, self.sustainability[index].value
        )


def _level_figures(
    result: Result,
    periods: Sequence[Period | None],
    stated_scores: dict[tuple[int, int, int], StatedScore],
    computed: Sequence[scores.LevelScores],
    averages: Sequence[Decimal | None],
) -> LevelScoresFigures:
    out = LevelScoresFigures()
    for period, level, mean in zip(periods, computed, averages, strict=True):
        stated = None if period is WHOLE_PROGRAMME else stated_scores.get((result.pk, period.year, period.quarter))
        out.efficacy.append(_stated_or(stated, "efficacy", level.efficacy))
        out.efficiency.append(_stated_or(stated, "efficiency", level.efficiency))
        out.sustainability.append(_stated_or(stated, "sustainability", level.sustainability))
        out.average_achievement.append(_stated_or(stated, "average_achievement", mean))
    return out


def monitoring_card(
    programme: Programme, periods: Sequence[Period | None], *, cap_average: bool = False
) -> MonitoringCard:
    """The monitoring card of ``programme`` for ``periods`` (years, quarters, None = whole programme), in seven queries.

    For the whole programme, indicators are measured against their final target and the task
    scores cover every task; no figure is stated for it.

    Per level and period: the stated figure when a report stated one, else the figure computed
    from the period's tasks (efficacy, efficiency, sustainability; ratios) and from its indicators'
    achievements (average, each capped at 100 % when ``cap_average``). Without a stated figure,
    the specific objective's task scores are the mean of its results' figures, weighted by
    ``Result.weight`` when any result has one.
    """
    periods = list(periods)
    thresholds = rating_thresholds()
    results = list(Result.objects.filter(programme=programme).order_by("order", "code"))
    indicators = list(
        Indicator.objects.filter(result__programme=programme, has_data=True).order_by("result__order", "order", "code")
    )
    achievements = indicator_achievements(indicators, periods)
    stated_scores = {
        (s.result_id, s.year, s.quarter): s for s in StatedScore.objects.filter(result__programme=programme)
    }
    tasks = _tasks_by_result([r.pk for r in results], periods)

    indicators_of: dict[int, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        indicators_of[ind.result_id].append(ind)

    def averages(result: Result) -> list[Decimal | None]:
        own = indicators_of[result.pk]
        return [
            scores.average_achievement(
                [achievements[i.pk][index].achievement.value for i in own], [i.weight for i in own], cap=cap_average
            )
            for index in range(len(periods))
        ]

    def task_scores(result: Result) -> list[scores.LevelScores]:
        out = []
        for p in periods:
            if p is WHOLE_PROGRAMME:
                own = [t for (rid, _, _), rows in tasks.items() if rid == result.pk for t in rows]
            else:
                own = [t for q in p.quarters() for t in tasks.get((result.pk, q.year, q.quarter), [])]
            out.append(scores.level_scores(own))
        return out

    sub_results = [r for r in results if r.kind == Result.Kind.RESULT]
    weights = [r.weight for r in sub_results] if any(r.weight is not None for r in sub_results) else None
    figures = {r.pk: _level_figures(r, periods, stated_scores, task_scores(r), averages(r)) for r in sub_results}
    for result in results:
        if result.kind == Result.Kind.SPECIFIC_OBJECTIVE:
            from_results = [
                scores.objective_scores([figures[r.pk].values(i) for r in sub_results], weights)
                for i in range(len(periods))
            ]
            figures[result.pk] = _level_figures(result, periods, stated_scores, from_results, averages(result))

    levels = [
        LevelRow(
            result.pk,
            result.code,
            result.kind,
            result.statement,
            figures[result.pk].efficacy,
            figures[result.pk].efficiency,
            figures[result.pk].sustainability,
            figures[result.pk].average_achievement,
            [_ratings(figures[result.pk], i, thresholds) for i in range(len(periods))],
            [
                IndicatorRow(i.pk, i.code, i.monitoring_name or i.name, i.direction, i.aggregation, achievements[i.pk])
                for i in indicators_of[result.pk]
            ],
        )
        for result in results
    ]
    return MonitoringCard(programme.code, periods, levels)
