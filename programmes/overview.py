"""The programme home page: a period's scores with their trend, indicators off track, quarters waiting
for review, reports with their approval state. A selector: reads only, a fixed number of queries per programme.

The period shown by default is the latest year of the programme's life with a report (a ``Report``
row or scores stated for the year) or with approved values: a draft or a submission, whatever its
period, never moves what every user sees first. Any other of the programme's years, and each quarter
of its life with data, can be chosen instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from indicators import scores
from indicators.models import IndicatorValue, Programme, StatedScore, Task
from indicators.periods import Period
from indicators.selectors import Figure, monitoring_card, track_status_of
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
    """``period`` is the one shown: the chosen one when it is among ``choices``, else the default.

    ``unavailable`` is a chosen period that is not among the programme's ``choices`` (it was not shown).
    """

    programme: Programme
    period: Period | None
    previous: Period | None
    levels: list[LevelOverview]
    off_track: list[OffTrack]
    waiting: list[WaitingQuarter]
    reports: list[ReportState]
    choices: list[Period] = field(default_factory=list)
    unavailable: Period | None = None


@dataclass(frozen=True)
class Periods:
    """The home page's periods of a programme: the default one and those a user may choose (newest first)."""

    default: Period | None
    choices: list[Period]
    report_years: list[int]


def programme_periods(programme: Programme, reports: Iterable[Report]) -> Periods:
    """Default and choosable periods of ``programme`` within its life (``Programme.years``). Three queries.

    Default: the latest year with a report (a ``Report`` row or stated scores) or with approved values.
    Choices: every year of the life, and each quarter of it with stated scores, tasks or values that are
    not drafts. A programme without a recorded start has no known life: its years are those with data.
    """
    life = set(programme.years)

    def alive(year: int) -> bool:
        return not life or year in life

    stated = set(StatedScore.objects.filter(result__programme=programme).values_list("year", "quarter").distinct())
    tasks = set(Task.objects.filter(activity__result__programme=programme).values_list("year", "quarter").distinct())
    values = set(
        IndicatorValue.objects.filter(indicator__result__programme=programme)
        .values_list("year", "quarter", "status")
        .distinct()
    )
    report_years = {report.year for report in reports} | {year for year, _quarter in stated}
    approved = {year for year, _quarter, status in values if status == IndicatorValue.Status.APPROVED}
    default_year = max((year for year in report_years | approved if alive(year)), default=None)
    shared = {(year, quarter) for year, quarter, status in values if status != IndicatorValue.Status.DRAFT}
    quarters = {Period(y, q) for y, q in stated | tasks | shared if q and alive(y)}
    years = {Period(y) for y in life} if life else {Period(y) for y, _q in stated | tasks | shared}
    return Periods(
        None if default_year is None else Period(default_year),
        sorted(years | quarters, key=Period.sort_key, reverse=True),
        sorted((year for year in report_years if alive(year)), reverse=True),
    )


def programme_overview(programme: Programme, chosen: Period | None = None) -> ProgrammeOverview:
    """The home page of ``programme`` for ``chosen`` when it is one of its periods, else for the default period."""
    stored = {r.year: r for r in Report.objects.filter(programme=programme)}
    periods = programme_periods(programme, stored.values())
    unavailable = chosen if chosen is not None and chosen not in periods.choices else None
    period = chosen if chosen is not None and unavailable is None else periods.default
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
                # Off track: below the period's target by more than the configured tolerance band.
                if track_status_of(row.periods[1], Decimal("1")) is scores.TrackStatus.OFF_TRACK:
                    off_track.append(OffTrack(level.code, row.code, row.label, row.periods[1].achievement))
    waiting = [
        WaitingQuarter(Period(row["year"], row["quarter"]), row["n"])
        for row in IndicatorValue.objects.filter(
            indicator__result__programme=programme, status=IndicatorValue.Status.SUBMITTED
        )
        .values("year", "quarter")
        .annotate(n=Count("id"))
        .order_by("-year", "-quarter")
    ]
    frozen = set(
        ReportSnapshot.objects.filter(report__programme=programme, superseded_at__isnull=True)
        .exclude(pdf="")
        .values_list("report__year", flat=True)
    )
    reports = [
        ReportState(
            year,
            stored[year].status if year in stored else Report.Status.DRAFT,
            stored[year].emcl_session_date if year in stored else None,
            year in frozen,
        )
        for year in periods.report_years
    ]
    return ProgrammeOverview(
        programme, period, previous, levels, off_track, waiting, reports, periods.choices, unavailable
    )
