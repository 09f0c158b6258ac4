"""The figure read model: an indicator's value, target, achievement, status and source, for a period and a part.

Every surface that shows an indicator's figure reads it here: the quarter entry page, the monitoring
card (annex 7.2 and the home page), the annual report (HTML and PDF), the Excel exports and the REST
series. None of them computes a figure of its own, so none can disagree with another.

``figure_book(indicators)`` gathers the inputs in three queries (values, targets, stated
achievements) whatever the number of indicators, periods or parts; ``book.figure(indicator,
period, part)`` lays the rules of ``indicators.scores`` over them:

- ``value``: the figure of the period in the indicator's unit (percent 0–100 for a ratio), as
  ``scores.aggregate`` makes it: a year without its own row is made of its quarters, a running
  total adds what came before. A "no data" row carries no number; a share stands in for a missing
  number, except for a count with share ("927 (35%)") whose figure is the count.
- ``year_to_date``: for a quarter, the figure from the year's start to the quarter's end
  (``scores.year_to_date``): what the quarter contributes towards the year's target.
- ``target``: the period's own target; for a quarter without one, its year's target, carried down
  (``target_period`` says which); for the whole programme, the final target. Targets exist for the
  programme and per value chain, never per sex or region.
- ``achievement``: the figure of record (annex 7.2) when one is stated for the period — with the
  computed one beside it when it can be computed, so that a reader learns that they differ — else
  ``scores.achievement`` of the figure against the target (for a quarter measured against its year's
  target, the year-to-date figure); a qualitative indicator's figure is its achievement in percent.
  A period without a figure of its own has no computed achievement.
- ``stored``: the row stored for exactly this period and part, with its status and version.

Computed figures are rounded once, here, to the precision the database keeps for a stored value
(and ratios to six decimals), so that every surface prints the same digits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from indicators import scores
from indicators.models import Indicator, IndicatorComment, IndicatorTarget, IndicatorValue, Sex, StatedAchievement
from indicators.periods import Period

# A period of ``None`` is the whole programme: every value, against the final target.
WHOLE_PROGRAMME = None
ACHIEVEMENT_PLACES = 6  # ratio digits: 1.060000 = 106.0000 %


class Origin(StrEnum):
    STATED = "stated"
    COMPUTED = "computed"
    NONE = "none"


@dataclass(frozen=True)
class Figure:
    """A ratio (1.06 = 106 %; sustainability 0.61) or None, with where it comes from.

    ``computed`` is set beside a stated figure when the application can also compute one: the report
    shows the stated figure and says when the computed one differs.
    """

    value: Decimal | None
    origin: Origin
    computed: Decimal | None = None

    @property
    def is_stated(self) -> bool:
        return self.origin is Origin.STATED

    @property
    def percent(self) -> Decimal | None:
        return None if self.value is None else self.value * 100

    @property
    def computed_differs(self) -> bool:
        """A stated figure whose computed counterpart exists and is not the same."""
        return self.is_stated and self.computed is not None and self.computed != self.value


NO_FIGURE = Figure(None, Origin.NONE)


def computed_figure(value: Decimal | None) -> Figure:
    return NO_FIGURE if value is None else Figure(value, Origin.COMPUTED)


def stated_or_computed(stated: Decimal | None, computed: Decimal | None) -> Figure:
    """The stated figure when there is one (with the computed one beside it), else the computed one."""
    if stated is not None:
        return Figure(stated, Origin.STATED, computed)
    return computed_figure(computed)


class ValueSource(StrEnum):
    ENTERED = "entered"  # a row entered in the application for exactly this period
    STATED = "stated"  # a row of record taken from a report
    COMPUTED = "computed"  # made from other periods' rows


class NoDataReason(StrEnum):
    REPORTED_NO_DATA = "reported_no_data"  # a row says "Sin dato"
    NOT_ENTERED = "not_entered"  # no row
    NOT_COMPUTABLE = "not_computable"  # rows exist but none carries a number


@dataclass(frozen=True)
class Part:
    """Which part of an indicator: its total, or one value chain, sex or region (never crossed)."""

    chain_id: int | None = None
    sex: str = Sex.ALL
    region: str = ""

    @property
    def is_total(self) -> bool:
        return self.chain_id is None and self.sex == Sex.ALL and not self.region


TOTAL = Part()


@dataclass(frozen=True)
class Printed:
    """A figure as a table prints it: its number and share, the text the source printed, or "Sin dato"."""

    value: Decimal | None = None
    share: Decimal | None = None
    source_text: str = ""
    no_data: bool = False


@dataclass(frozen=True)
class StoredValue:
    """The row stored for exactly one period and part (what the entry form edits and a client PUTs)."""

    id: int
    value: Decimal | None
    share: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    no_data: bool
    no_data_reason: str
    source_text: str
    is_stated: bool
    status: str
    version: int

    @property
    def has_number(self) -> bool:
        return self.value is not None or self.share is not None or self.numerator is not None

    @property
    def printed(self) -> Printed:
        return Printed(self.value, self.share, self.source_text, self.no_data)


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator's figures for one period (None: the whole programme) and one part."""

    indicator: Indicator
    period: Period | None
    part: Part
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    value_source: ValueSource | None
    no_data_reason: NoDataReason | None
    year_to_date: Decimal | None
    target: Decimal | None
    target_share: Decimal | None
    target_text: str
    target_period: Period | None
    achievement: Figure
    stored: StoredValue | None

    @property
    def actual(self) -> Decimal | None:
        """The figure the achievement measures: the year-to-date one when the target is its year's."""
        carried = self.period is not None and self.target_period is not None and self.target_period != self.period
        return self.year_to_date if carried else self.value

    @property
    def share(self) -> Decimal | None:
        return self.stored.share if self.stored else None

    @property
    def no_data_note(self) -> str:
        return self.stored.no_data_reason if self.stored else ""

    @property
    def printed(self) -> Printed:
        """What a table of periods prints: the row as entered or stated ("927 (35%)") when it carries a number,
        else the figure made of other rows, else what the row says ("Sin dato", "/")."""
        if self.stored is not None and self.stored.has_number:
            return self.stored.printed
        if self.value is not None or self.stored is None:
            return Printed(self.value)
        return self.stored.printed

    @property
    def printed_target(self) -> Printed:
        if self.target is None and self.target_share is None and not self.target_text:
            return Printed()
        return Printed(self.target, self.target_share, self.target_text)


def unit_figure(value: Decimal | None, share: Decimal | None, unit_kind: str | None = None) -> Decimal | None:
    """The figure of a value or target row, in the indicator's unit.

    Its number, or its share (percent) when it has no number; except for a count with share
    ("927 (35%)"), whose figure is the count only: a share is never compared with a count target.
    """
    if unit_kind == Indicator.UnitKind.COUNT_SHARE:
        return value
    return value if value is not None else share


def baseline_printed(indicator: Indicator) -> Printed:
    return Printed(indicator.baseline, indicator.baseline_share, indicator.baseline_text)


def final_target_printed(indicator: Indicator) -> Printed:
    return Printed(indicator.final_target, indicator.final_target_share, indicator.final_target_text)


def _places() -> Decimal:
    places = IndicatorValue._meta.get_field("value").decimal_places
    return Decimal(1).scaleb(-places)


_VALUE_QUANTUM = _places()
_RATIO_QUANTUM = Decimal(1).scaleb(-ACHIEVEMENT_PLACES)


def _round(number: Decimal | None, quantum: Decimal) -> Decimal | None:
    return None if number is None else number.quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass
class _Track:
    """The stored rows of one indicator part, by (year, quarter), and their observations."""

    rows: dict[tuple[int, int], StoredValue] = field(default_factory=dict)
    observations: list[scores.Observation] = field(default_factory=list)
    by_year: dict[int, list[scores.Observation]] = field(default_factory=lambda: defaultdict(list))


_VALUE_FIELDS = (
    "id",
    "indicator_id",
    "year",
    "quarter",
    "chain_id",
    "sex",
    "region",
    "value",
    "share",
    "numerator",
    "denominator",
    "no_data",
    "no_data_reason",
    "source_text",
    "is_stated",
    "status",
    "version",
)


class FigureBook:
    """The inputs of a set of indicators, read once; ``figure()`` answers any period and part of them."""

    def __init__(
        self,
        indicators: Sequence[Indicator],
        rows: Iterable[dict],
        targets: Iterable[tuple],
        stated: Iterable[tuple],
    ):
        self.indicators = {ind.pk: ind for ind in indicators}
        self._tracks: dict[tuple[int, Part], _Track] = defaultdict(_Track)
        self._years: dict[int, set[int]] = defaultdict(set)
        for row in rows:
            ind = self.indicators[row["indicator_id"]]
            part = Part(row["chain_id"], row["sex"], row["region"])
            track = self._tracks[(ind.pk, part)]
            stored = StoredValue(
                row["id"],
                row["value"],
                row["share"],
                row["numerator"],
                row["denominator"],
                row["no_data"],
                row["no_data_reason"],
                row["source_text"],
                row["is_stated"],
                row["status"],
                row["version"],
            )
            track.rows[(row["year"], row["quarter"])] = stored
            period = Period(row["year"], row["quarter"])
            if row["no_data"]:
                observation = scores.Observation(period)
            else:
                figure = unit_figure(row["value"], row["share"], ind.unit_kind)
                observation = scores.Observation(period, figure, row["numerator"], row["denominator"])
            track.observations.append(observation)
            track.by_year[period.year].append(observation)
            self._years[ind.pk].add(period.year)
        # Targets by (indicator, chain) then (year, quarter): (value, share, text).
        self._targets: dict[tuple[int, int | None], dict[tuple[int, int], tuple]] = defaultdict(dict)
        for indicator_id, chain_id, year, quarter, value, share, text in targets:
            self._targets[(indicator_id, chain_id)][(year, quarter)] = (value, share, text)
            self._years[indicator_id].add(year)
        self._stated: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
        for indicator_id, year, quarter, achievement in stated:
            self._stated[indicator_id][(year, quarter)] = achievement
            self._years[indicator_id].add(year)

    def years_with_data(self, indicator: Indicator) -> set[int]:
        """The years in which the indicator has a value of any part, a target or a stated achievement."""
        return set(self._years.get(indicator.pk, ()))

    def parts(self, indicator: Indicator) -> list[Part]:
        """The parts with stored rows, total first."""
        found = {part for (pk, part) in self._tracks if pk == indicator.pk}
        return sorted(found | {TOTAL}, key=lambda p: (not p.is_total, p.chain_id or 0, p.region, p.sex))

    def figure(self, indicator: Indicator, period: Period | None, part: Part = TOTAL) -> IndicatorFigure:
        track = self._tracks.get((indicator.pk, part)) or _Track()
        running = indicator.aggregation == Indicator.Aggregation.RUNNING_TOTAL
        if period is WHOLE_PROGRAMME or running:
            inputs = track.observations
        else:
            # Every aggregation but a running total reads the period's own year only.
            inputs = track.by_year.get(period.year, [])
        total = scores.aggregate(inputs, indicator.aggregation, period)
        value = _round(total.value, _VALUE_QUANTUM)
        stored = track.rows.get((period.year, period.quarter)) if period is not WHOLE_PROGRAMME else None

        if period is WHOLE_PROGRAMME or period.is_year:
            year_to_date = value
        else:
            year_to_date = _round(scores.year_to_date(inputs, indicator.aggregation, period).value, _VALUE_QUANTUM)

        if value is None:
            source = None
            if stored is not None and stored.no_data:
                reason = NoDataReason.REPORTED_NO_DATA
            elif stored is not None or (
                period is not WHOLE_PROGRAMME
                and any(o.period in period.quarters() for o in track.by_year.get(period.year, []))
            ):
                reason = NoDataReason.NOT_COMPUTABLE
            else:
                reason = NoDataReason.NOT_ENTERED
        else:
            reason = None
            if stored is not None and not stored.no_data and stored.has_number and not running:
                source = ValueSource.STATED if stored.is_stated else ValueSource.ENTERED
            else:
                source = ValueSource.COMPUTED

        target, target_share, target_text, target_period = self._target(indicator, period, part)
        carried = period is not WHOLE_PROGRAMME and target_period is not None and target_period != period
        # A period without a figure of its own has no achievement, as a running total has no value there.
        measured = None if value is None else (year_to_date if carried else value)
        if indicator.unit_kind == Indicator.UnitKind.QUALITATIVE:
            # A qualitative indicator's figure is its achievement, entered by hand in percent.
            computed = scores.entered_achievement(measured)
        else:
            number = unit_figure(target, target_share, indicator.unit_kind)
            computed = scores.achievement(measured, number, direction=indicator.direction, baseline=indicator.baseline)
        computed = _round(computed, _RATIO_QUANTUM)
        stated = None
        if period is not WHOLE_PROGRAMME and part.is_total:
            stated = self._stated.get(indicator.pk, {}).get((period.year, period.quarter))

        return IndicatorFigure(
            indicator=indicator,
            period=period,
            part=part,
            value=value,
            numerator=total.numerator,
            denominator=total.denominator,
            value_source=source,
            no_data_reason=reason,
            year_to_date=year_to_date,
            target=target,
            target_share=target_share,
            target_text=target_text,
            target_period=target_period,
            achievement=stated_or_computed(stated, computed),
            stored=stored,
        )

    def _target(
        self, indicator: Indicator, period: Period | None, part: Part
    ) -> tuple[Decimal | None, Decimal | None, str, Period | None]:
        """(value, share, text, period it belongs to) of the target that measures ``period``; Nones if none."""
        if period is WHOLE_PROGRAMME:
            if not part.is_total:
                return None, None, "", None
            return indicator.final_target, indicator.final_target_share, indicator.final_target_text, None
        if part.sex or part.region:
            return None, None, "", None
        own = self._targets.get((indicator.pk, part.chain_id), {})
        for candidate in (period, Period(period.year)):
            if (candidate.year, candidate.quarter) in own:
                value, share, text = own[(candidate.year, candidate.quarter)]
                return value, share, text, candidate
        return None, None, "", None


def figure_book(
    indicators: Iterable[Indicator],
    *,
    parts: bool = False,
    chain_ids: Sequence[int] | None = None,
    last_year: int | None = None,
) -> FigureBook:
    """The figure book of ``indicators``, in three queries.

    ``parts=False`` reads the totals only (the card, the report); ``parts=True`` every part, or with
    ``chain_ids`` the totals and those chains' parts. ``last_year`` leaves out later rows (figures of a
    period never depend on later ones).
    """
    indicators = list(indicators)
    ids = [ind.pk for ind in indicators]
    values = IndicatorValue.objects.filter(indicator_id__in=ids)
    if not parts:
        values = values.filter(chain__isnull=True, region="", sex=Sex.ALL)
    elif chain_ids is not None:
        values = values.filter(chain__isnull=True) | values.filter(chain_id__in=chain_ids)
    targets = IndicatorTarget.objects.filter(indicator_id__in=ids)
    stated = StatedAchievement.objects.filter(indicator_id__in=ids)
    if last_year is not None:
        values = values.filter(year__lte=last_year)
        targets = targets.filter(year__lte=last_year)
        stated = stated.filter(year__lte=last_year)
    return FigureBook(
        indicators,
        values.order_by().values(*_VALUE_FIELDS),
        targets.order_by().values_list("indicator_id", "chain_id", "year", "quarter", "value", "share", "source_text"),
        stated.order_by().values_list("indicator_id", "year", "quarter", "achievement"),
    )


def indicator_figure(indicator: Indicator, period: Period | None, part: Part = TOTAL) -> IndicatorFigure:
    """One indicator's figures for one period and part (three queries)."""
    return figure_book([indicator], parts=not part.is_total).figure(indicator, period, part)


# ---------------------------------------------------------------------------------------------
# The indicator table of a year (sections 3.2.1 / 3.3.1 of the report, and its Excel export)


@dataclass(frozen=True)
class IndicatorLine:
    """A row of an annual indicator table: baseline, progress N-1 and N, target N, final target, achievement N."""

    indicator: Indicator
    previous: IndicatorFigure
    current: IndicatorFigure
    comment: str

    @property
    def baseline(self) -> Printed:
        return baseline_printed(self.indicator)

    @property
    def final_target(self) -> Printed:
        return final_target_printed(self.indicator)

    @property
    def target(self) -> Printed:
        return self.current.printed_target

    @property
    def achievement(self) -> Figure:
        return self.current.achievement


def indicator_lines(indicators: Sequence[Indicator], year: int, book: FigureBook) -> list[IndicatorLine]:
    """The indicator table of ``year`` for ``indicators`` (those with data), from ``book``; one query for comments."""
    rows = [ind for ind in indicators if ind.has_data]
    comments: dict[int, str] = {}
    for comment in IndicatorComment.objects.filter(indicator__in=rows, year=year).order_by("source", "pk"):
        comments.setdefault(comment.indicator_id, comment.text)
    return [
        IndicatorLine(ind, book.figure(ind, Period(year - 1)), book.figure(ind, Period(year)), comments.get(ind.pk, ""))
        for ind in rows
    ]
