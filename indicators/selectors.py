"""The monitoring card: the scores of each logframe level and the indicators' achievements, per period.

Indicator figures come from the figure read model (``indicators.figures``); task scores from
``indicators.scores`` over the tasks, read here in one query.

The monitoring card (annex 7.2) shows, per logframe level and period, efficacy, efficiency,
sustainability, the average indicator achievement and each indicator's achievement. Each
figure carries its origin: STATED (a report stated it: ``StatedScore``/``StatedAchievement``),
COMPUTED (from task records, indicator values and targets entered in the application), or
NONE (neither: "Sin dato"). Nothing is computed from invented inputs: with no tasks there is
no efficacy, with no value or no target there is no achievement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from indicators import scores
from indicators.figures import (
    WHOLE_PROGRAMME,
    Figure,
    FigureBook,
    IndicatorFigure,
    figure_book,
    stated_or_computed,
)
from indicators.models import Indicator, Programme, Result, StatedScore, Task
from indicators.periods import Period


@dataclass(frozen=True)
class IndicatorRow:
    indicator_id: int
    code: str
    label: str
    direction: str
    aggregation: str
    periods: list[IndicatorFigure]


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


def rating_thresholds_in_use() -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """The A–D thresholds in use: ``scores.rating_thresholds`` with ``settings.SCORE_RATING_THRESHOLDS`` applied."""
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


def track_status_of(achievement: IndicatorFigure, expected: Decimal | None) -> scores.TrackStatus:
    """``scores.track_status`` of an indicator's achievement against the expected ratio, with the configured band."""
    return scores.track_status(achievement.achievement.value, expected, track_band())


# ---------------------------------------------------------------------------------------------
# The monitoring card


def _tasks_by_result(
    result_ids: Sequence[int], periods: Sequence[Period | None]
) -> dict[tuple[int, int, int], list[scores.TaskFigures]]:
    """Task figures keyed by (result id, year, quarter): one query."""
    tasks = Task.objects.filter(activity__result_id__in=result_ids)
    if WHOLE_PROGRAMME not in periods:
        tasks = tasks.filter(year__in=sorted({p.year for p in periods if p is not None}))
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


def _ratings(level: LevelScoresFigures, index: int, thresholds) -> dict[str, str | None]:
    figures = {
        scores.Criterion.EFFICACY: level.efficacy[index],
        scores.Criterion.EFFICIENCY: level.efficiency[index],
        scores.Criterion.SUSTAINABILITY: level.sustainability[index],
        scores.Criterion.ACHIEVEMENT: level.average_achievement[index],
    }
    return {str(c): scores.suggest_rating(c, figure.value, thresholds) for c, figure in figures.items()}


def _pure(figure: Figure) -> Decimal | None:
    """The computed counterpart of a figure: its own value when computed, the one beside it when stated."""
    return figure.computed if figure.is_stated else figure.value


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

    def computed_values(self, index: int) -> scores.LevelScores:
        return scores.LevelScores(
            _pure(self.efficacy[index]), _pure(self.efficiency[index]), _pure(self.sustainability[index])
        )


def _pick(stated: StatedScore | None, name: str, shown: Decimal | None, computed: Decimal | None) -> Figure:
    said = None if stated is None else getattr(stated, name)
    return stated_or_computed(said, computed) if said is not None else stated_or_computed(None, shown)


def _level_figures(
    result: Result,
    periods: Sequence[Period | None],
    stated_scores: dict[tuple[int, int, int], StatedScore],
    shown: Sequence[tuple[scores.LevelScores, Decimal | None]],
    computed: Sequence[tuple[scores.LevelScores, Decimal | None]],
) -> LevelScoresFigures:
    """The level's figures per period: stated when stated (with the computed one beside), else ``shown``.

    ``shown`` and ``computed`` are (task scores, average achievement) per period; they differ for the
    specific objective, whose figures without a statement are the mean of its results' figures as shown,
    while its computed counterpart is the mean of its results' computed figures only.
    """
    out = LevelScoresFigures()
    for period, (level, mean), (pure, pure_mean) in zip(periods, shown, computed, strict=True):
        stated = None if period is WHOLE_PROGRAMME else stated_scores.get((result.pk, period.year, period.quarter))

        out.efficacy.append(_pick(stated, "efficacy", level.efficacy, pure.efficacy))
        out.efficiency.append(_pick(stated, "efficiency", level.efficiency, pure.efficiency))
        out.sustainability.append(_pick(stated, "sustainability", level.sustainability, pure.sustainability))
        out.average_achievement.append(_pick(stated, "average_achievement", mean, pure_mean))
    return out


def monitoring_card(
    programme: Programme,
    periods: Sequence[Period | None],
    *,
    cap_average: bool = False,
    book: FigureBook | None = None,
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
    thresholds = rating_thresholds_in_use()
    results = list(Result.objects.filter(programme=programme).order_by("order", "code"))
    indicators = list(
        Indicator.objects.filter(result__programme=programme, has_data=True).order_by("result__order", "order", "code")
    )
    book = book or figure_book(indicators)
    achievements = {ind.pk: [book.figure(ind, p) for p in periods] for ind in indicators}
    stated_scores = {
        (s.result_id, s.year, s.quarter): s for s in StatedScore.objects.filter(result__programme=programme)
    }
    tasks = _tasks_by_result([r.pk for r in results], periods)

    indicators_of: dict[int, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        indicators_of[ind.result_id].append(ind)

    def averages(result: Result, figure_value) -> list[Decimal | None]:
        own = indicators_of[result.pk]
        return [
            scores.average_achievement(
                [figure_value(achievements[i.pk][index].achievement) for i in own],
                [i.weight for i in own],
                cap=cap_average,
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
    figures = {}
    for r in sub_results:
        own = list(zip(task_scores(r), averages(r, lambda f: f.value), strict=True))
        pure = list(zip(task_scores(r), averages(r, _pure), strict=True))
        figures[r.pk] = _level_figures(r, periods, stated_scores, own, pure)
    for result in results:
        if result.kind == Result.Kind.SPECIFIC_OBJECTIVE:
            means = [
                scores.objective_scores([figures[r.pk].values(i) for r in sub_results], weights)
                for i in range(len(periods))
            ]
            computed_means = [
                scores.objective_scores([figures[r.pk].computed_values(i) for r in sub_results], weights)
                for i in range(len(periods))
            ]
            figures[result.pk] = _level_figures(
                result,
                periods,
                stated_scores,
                list(zip(means, averages(result, lambda f: f.value), strict=True)),
                list(zip(computed_means, averages(result, _pure), strict=True)),
            )

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
