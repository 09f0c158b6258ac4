"""The programme home page: latest period's scores with their trend, indicators off track, quarters waiting
for review, reports with their approval state. A selector: reads only, a fixed number of queries per programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max

from indicators import scores
from indicators.models import IndicatorValue, Programme, StatedScore, Task
from indicators.periods import Period
from indicators.selectors import Figure, monitoring_card
from reports.models import Report, ReportSnapshot

UP, DOWN, FLAT = "up", "down", "flat"


def trend(previous: Decimal | None, current: Decimal | None) -> str | None:
    """ "up", "down" or "flat" between two figures; None when either is missing (no trend is invented)."""
    if previous is None or current is None:
        return None
    if current > previous:
        return UP
    if current < previous:
        return DOWN
    return FLAT


@dataclass(frozen=True)
class ScoreTrend:
    current: Figure
    previous: Figure

    @property
    def direction(self) -> str | None:
        return trend(self.previous.value, self.current.value)


@dataclass(frozen=True)
class LevelOverview:
    code: str
    efficacy: ScoreTrend
    efficiency: ScoreTrend
    sustainability: ScoreTrend
    average_achievement: ScoreTrend


@dataclass(frozen=True)
class OffTrack:
    level: str
    code: str
    label: str
    achievement: Figure


@dataclass(frozen=True)
class WaitingQuarter:
    period: Period
    submitted: int


@dataclass(frozen=True)
class ReportState:
    year: int
    status: str
    session_date: object
    has_frozen_pdf: bool


@dataclass(frozen=True)
class ProgrammeOverview:
    programme: Programme
    period: Period | None
    previous: Period | None
    levels: list[LevelOverview]
    off_track: list[OffTrack]
    waiting: list[WaitingQuarter]
    reports: list[ReportState]


def latest_period(programme: Programme) -> Period | None:
    """The latest period with a stated score, a task or an indicator value (a year closes after its quarters)."""
    candidates: list[Period] = []
    for model, filters in (
        (StatedScore, {"result__programme": programme}),
        (Task, {"activity__result__programme": programme}),
        (IndicatorValue, {"indicator__result__programme": programme}),
    ):
        top = model.objects.filter(**filters).aggregate(year=Max("year"))["year"]
        if top is None:
            continue
        quarters = model.objects.filter(**filters, year=top).values_list("quarter", flat=True).distinct()
        candidates.extend(Period(top, q) for q in quarters)
    return max(candidates, key=Period.sort_key) if candidates else None


def programme_overview(programme: Programme) -> ProgrammeOverview:
    period = latest_period(programme)
    levels: list[LevelOverview] = []
    off_track: list[OffTrack] = []
    previous = period.previous() if period else None
    if period is not None:
        card = monitoring_card(programme, [previous, period])
        for level in card.levels:
            levels.append(
                LevelOverview(
                    level.code,
                    ScoreTrend(level.efficacy[1], level.efficacy[0]),
                    ScoreTrend(level.efficiency[1], level.efficiency[0]),
                    ScoreTrend(level.sustainability[1], level.sustainability[0]),
                    ScoreTrend(level.average_achievement[1], level.average_achievement[0]),
                )
            )
            for row in level.indicators:
                figure = row.periods[1].achievement
                # Off track: below the period's target by more than the engine's tolerance band.
                if scores.track_status(figure.value, Decimal("1")) is scores.TrackStatus.OFF_TRACK:
                    off_track.append(OffTrack(level.code, row.code, row.label, figure))
    waiting = [
        WaitingQuarter(Period(row["year"], row["quarter"]), row["n"])
        for row in IndicatorValue.objects.filter(
            indicator__result__programme=programme, status=IndicatorValue.Status.SUBMITTED
        )
        .values("year", "quarter")
        .annotate(n=Count("id"))
        .order_by("-year", "-quarter")
    ]
    stored = {r.year: r for r in Report.objects.filter(programme=programme)}
    frozen = set(
        ReportSnapshot.objects.filter(report__programme=programme, superseded_at__isnull=True)
        .exclude(pdf="")
        .values_list("report__year", flat=True)
    )
    years = set(stored) | set(
        StatedScore.objects.filter(result__programme=programme).values_list("year", flat=True).distinct()
    )
    reports = [
        ReportState(
            year,
            stored[year].status if year in stored else Report.Status.DRAFT,
            stored[year].emcl_session_date if year in stored else None,
            year in frozen,
        )
        for year in sorted(years, reverse=True)
    ]
    return ProgrammeOverview(programme, period, previous, levels, off_track, waiting, reports)
