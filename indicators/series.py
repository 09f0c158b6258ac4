"""The series selector: an indicator's figures per period, with target, achievement and status.

Reads in a fixed number of queries whatever the number of indicators, periods or chains
(indicators are passed in; then values, targets, stated achievements and, when asked, chains).
Figures come from ``indicators.scores`` (``aggregate`` and ``achievement``): this module only
gathers inputs and lays them on a period grid. A figure that is missing stays None with a reason.

Per point:
- ``value``: the indicator's figure for the period in its unit, as ``scores.aggregate`` computes it
  (a year without its own row is made of its quarters; a running total adds what came before).
- ``value_source``: ``entered`` (a value entered in the application), ``stated`` (a figure of
  record taken from a report), ``computed`` (made from other periods' rows) or None.
- ``stored_value``: the row stored for exactly this period, if any (what a client PUTs).
- ``no_data_reason``: ``reported_no_data`` (a row says "Sin dato"), ``not_entered`` (no row) or
  ``not_computable`` (rows exist but none carries a number); None when there is a value.
- ``achievement``: the figure of record (annex 7.2) when one is stored for the period
  (``achievement_source = stated``), else ``scores.achievement`` of value against the period's
  target (``computed``); None when neither exists. The rules are the monitoring card's
  (``indicators.selectors``): a share stands in for a missing number, a quarter without its own
  target uses its year's. Stated achievements apply to the programme-wide series only; targets to
  the programme-wide series and to a chain's series when that chain has targets of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from chains.models import ValueChain
from indicators import scores
from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Sex, StatedAchievement
from indicators.periods import Period, period_range
from indicators.selectors import Origin, achievement_for, unit_figure


class Granularity:
    ALL = "all"
    YEAR = "year"
    QUARTER = "quarter"
    CHOICES = (ALL, YEAR, QUARTER)


class Disaggregation:
    SEX = "sex"
    CHAIN = "chain"
    CHOICES = (SEX, CHAIN)


class NoDataReason:
    REPORTED_NO_DATA = "reported_no_data"
    NOT_ENTERED = "not_entered"
    NOT_COMPUTABLE = "not_computable"


class Source:
    ENTERED = "entered"
    STATED = "stated"
    COMPUTED = "computed"


# The stable column order of the CSV and XLSX forms (documented in the schema).
COLUMNS = (
    "programme",
    "level",
    "indicator_id",
    "indicator",
    "unit",
    "period",
    "chain",
    "sex",
    "region",
    "value",
    "value_source",
    "stored_value",
    "share",
    "no_data_reason",
    "no_data_note",
    "target",
    "target_share",
    "achievement",
    "achievement_source",
    "status",
    "version",
    "value_id",
)


@dataclass(frozen=True)
class SeriesQuery:
    first: Period | None = None
    last: Period | None = None
    granularity: str = Granularity.ALL
    chain: str | None = None  # a chain slug: that chain's series instead of the all-chains one
    disaggregate: tuple[str, ...] = ()
    region: str = ""


@dataclass(frozen=True)
class SeriesPoint:
    period: str
    chain: str | None
    sex: str
    region: str
    value: Decimal | None
    value_source: str | None
    stored_value: Decimal | None
    share: Decimal | None
    no_data_reason: str | None
    no_data_note: str
    target: Decimal | None
    target_share: Decimal | None
    achievement: Decimal | None
    achievement_source: str | None
    status: str | None
    version: int | None
    value_id: int | None


@dataclass(frozen=True)
class IndicatorSeries:
    indicator: Indicator
    points: list[SeriesPoint]

    def rows(self) -> list[dict]:
        """Flat rows in ``COLUMNS`` order (the CSV and XLSX form)."""
        ind = self.indicator
        head = {
            "programme": ind.result.programme.code,
            "level": ind.result.code,
            "indicator_id": ind.pk,
            "indicator": ind.code,
            "unit": ind.unit,
        }
        return [{**head, **{name: getattr(point, name) for name in COLUMNS[5:]}} for point in self.points]


class UnknownChain(ValueError):
    pass


_VALUE_FIELDS = (
    "id",
    "indicator_id",
    "year",
    "quarter",
    "chain_id",
    "sex",
    "value",
    "share",
    "numerator",
    "denominator",
    "no_data",
    "no_data_reason",
    "is_stated",
    "status",
    "version",
)


def period_grid(first: Period, last: Period, granularity: str) -> list[Period]:
    """The periods from ``first`` to ``last``: quarters, whole years the range covers entirely, or both.

    Each year follows its quarters (``Period.sort_key``).
    """
    if last.quarters()[-1] < first.quarters()[0]:
        return []
    quarters = period_range(first, last) if granularity != Granularity.YEAR else []
    start, stop = first.quarters()[0], last.quarters()[-1]
    years = [
        Period(year)
        for year in range(first.year, last.year + 1)
        if granularity != Granularity.QUARTER and start <= Period(year, 1) and Period(year, 4) <= stop
    ]
    return sorted(quarters + years, key=Period.sort_key)


def _bounds(query: SeriesQuery, years: Iterable[int]) -> tuple[Period, Period] | None:
    known = sorted(set(years))
    first = query.first or (Period(known[0]) if known else None)
    last = query.last or (Period(known[-1]) if known else None)
    if first is None or last is None:
        return None
    return first, last


def series_for(indicators: Sequence[Indicator], query: SeriesQuery) -> list[IndicatorSeries]:
    """The series of each indicator (same order), in five queries at most."""
    indicators = list(indicators)
    if not indicators:
        return []
    ids = [ind.pk for ind in indicators]
    programme_ids = {ind.result.programme_id for ind in indicators}

    chains_by_programme: dict[int, list[ValueChain]] = defaultdict(list)
    chain_filter: dict[int, int] | None = None  # programme id -> chain id
    slugs: dict[int | None, str | None] = {None: None}
    by_chain = Disaggregation.CHAIN in query.disaggregate
    if by_chain or query.chain:
        chains = ValueChain.objects.filter(programme_id__in=programme_ids).order_by("order", "pk")
        if query.chain:
            chains = chains.filter(slug=query.chain)
        for chain in chains:
            chains_by_programme[chain.programme_id].append(chain)
            slugs[chain.pk] = chain.slug
        if query.chain:
            if not slugs.keys() - {None}:
                raise UnknownChain(query.chain)
            chain_filter = {chain.programme_id: chain.pk for chain in chains}

    values = IndicatorValue.objects.filter(indicator_id__in=ids, region=query.region)
    if query.last is not None:
        values = values.filter(year__lte=query.last.year)
    if chain_filter is not None:
        values = values.filter(chain_id__in=chain_filter.values())
    elif not by_chain:
        values = values.filter(chain__isnull=True)
    if Disaggregation.SEX not in query.disaggregate:
        values = values.filter(sex=Sex.ALL)
    rows = list(values.order_by().values(*_VALUE_FIELDS))

    year_filter = {}
    if query.first is not None:
        year_filter["year__gte"] = query.first.year
    if query.last is not None:
        year_filter["year__lte"] = query.last.year
    # Targets by (indicator, chain) then (year, quarter): (value, share).
    targets: dict[tuple[int, int | None], dict[tuple[int, int], tuple]] = defaultdict(dict)
    for t in (
        IndicatorTarget.objects.filter(indicator_id__in=ids, **year_filter)
        .order_by()
        .values_list("indicator_id", "chain_id", "year", "quarter", "value", "share")
    ):
        targets[(t[0], t[1])][(t[2], t[3])] = (t[4], t[5])
    stated: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for a in (
        StatedAchievement.objects.filter(indicator_id__in=ids, **year_filter)
        .order_by()
        .values_list("indicator_id", "year", "quarter", "achievement")
    ):
        stated[a[0]][(a[1], a[2])] = a[3]

    grouped: dict[int, dict[tuple, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row["indicator_id"]][(row["chain_id"], row["sex"])].append(row)

    bounds = _bounds(query, [r["year"] for r in rows] + [year for per in targets.values() for year, _ in per])
    grid = period_grid(*bounds, query.granularity) if bounds else []

    out = []
    for ind in indicators:
        keys = _series_keys(ind, query, by_chain, chain_filter, chains_by_programme)
        points: list[SeriesPoint] = []
        for chain_id, sex in keys:
            points.extend(
                _points(
                    ind,
                    grid,
                    grouped[ind.pk][(chain_id, sex)],
                    chain_id,
                    slugs[chain_id],
                    sex,
                    query.region,
                    targets,
                    stated,
                )
            )
        out.append(IndicatorSeries(ind, points))
    return out


def _series_keys(ind, query, by_chain, chain_filter, chains_by_programme) -> list[tuple[int | None, str]]:
    programme_id = ind.result.programme_id
    if chain_filter is not None:
        chain_ids: list[int | None] = [chain_filter[programme_id]] if programme_id in chain_filter else []
    elif by_chain and ind.disaggregated_by_chain:
        chain_ids = [None] + [chain.pk for chain in chains_by_programme[programme_id]]
    else:
        chain_ids = [None]
    sexes = (
        [Sex.ALL, Sex.FEMALE, Sex.MALE]
        if Disaggregation.SEX in query.disaggregate and ind.disaggregated_by_sex
        else [Sex.ALL]
    )
    return [(chain_id, str(sex)) for chain_id in chain_ids for sex in sexes]


def _observation(row: dict, unit_kind: str) -> scores.Observation:
    # Same reading as the monitoring card: a "no data" row carries no number; a share stands in for a
    # missing number.
    period = Period(row["year"], row["quarter"])
    if row["no_data"]:
        return scores.Observation(period)
    figure = unit_figure(row["value"], row["share"], unit_kind)
    return scores.Observation(period, figure, row["numerator"], row["denominator"])


def _points(ind, grid, rows, chain_id, chain_slug, sex, region, targets, stated) -> list[SeriesPoint]:
    by_period = {(row["year"], row["quarter"]): row for row in rows}
    observed = {(row["year"], row["quarter"]): _observation(row, ind.unit_kind) for row in rows}
    observations = list(observed.values())
    # Only a running total looks at earlier years; every other aggregation reads the period's own
    # year, so the engine is handed that year's rows (same figures, without scanning every year).
    by_year: dict[int, list[scores.Observation]] = defaultdict(list)
    for observation in observations:
        by_year[observation.period.year].append(observation)
    running = ind.aggregation == Indicator.Aggregation.RUNNING_TOTAL
    programme_wide = sex == Sex.ALL and region == ""
    # Targets exist for the programme (chain None) or for a chain; never per sex or region.
    own_targets = targets.get((ind.pk, chain_id), {}) if programme_wide else {}
    own_stated = stated.get(ind.pk, {}) if programme_wide and chain_id is None else {}
    target_numbers = {k: unit_figure(*v, ind.unit_kind) for k, v in own_targets.items()}
    points = []
    for period in grid:
        row = by_period.get((period.year, period.quarter))
        inputs = observations if running else by_year[period.year]
        figures = achievement_for(ind, period, inputs, target_numbers, own_stated)
        if figures.actual is None:
            source = None
            if row is not None and row["no_data"]:
                reason = NoDataReason.REPORTED_NO_DATA
            elif row is not None or any(o.period in period.quarters() for o in by_year[period.year]):
                reason = NoDataReason.NOT_COMPUTABLE
            else:
                reason = NoDataReason.NOT_ENTERED
        else:
            reason = None
            mine = observed.get((period.year, period.quarter))
            own = mine is not None and (mine.has_value or mine.has_ratio)
            if own and ind.aggregation != Indicator.Aggregation.RUNNING_TOTAL:
                source = Source.STATED if row["is_stated"] else Source.ENTERED
            else:
                source = Source.COMPUTED
        exact_target = own_targets.get((period.year, period.quarter))
        origin = figures.achievement.origin
        points.append(
            SeriesPoint(
                period=str(period),
                chain=chain_slug,
                sex=sex,
                region=region,
                value=figures.actual,
                value_source=source,
                stored_value=row["value"] if row else None,
                share=row["share"] if row else None,
                no_data_reason=reason,
                no_data_note=(row["no_data_reason"] if row else "") or "",
                target=figures.target,
                target_share=exact_target[1] if exact_target else None,
                achievement=figures.achievement.value,
                achievement_source=None if origin is Origin.NONE else str(origin),
                status=row["status"] if row else None,
                version=row["version"] if row else None,
                value_id=row["id"] if row else None,
            )
        )
    return points
