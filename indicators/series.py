"""The series selector: an indicator's figures per period on a grid of periods, for the REST API.

Every figure comes from the figure read model (``indicators.figures``): this module chooses the
parts (all chains, a chain, per chain, per sex, a region) and the periods, and lays the read
model's figures on them. The fields of a point are documented in ``indicators.figures``.

The periods of an indicator's series do not depend on the other indicators of the request: by
default they run over the programme's life (``Programme.years``), widened to the years in which
that indicator has data of its own (values, targets, stated achievements); ``from`` and ``to``
fix them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from indicators.figures import FigureBook, IndicatorFigure, Origin, Part, figure_book
from indicators.models import Indicator, Programme, Sex
from indicators.periods import Period, period_range


class Granularity(StrEnum):
    """Which periods a series has: years and quarters, years only, quarters only."""

    ALL = "all"
    YEAR = "year"
    QUARTER = "quarter"


class Disaggregation(StrEnum):
    """The breakdowns a series request may ask for, one series per part."""

    SEX = "sex"
    CHAIN = "chain"


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
    "numerator",
    "denominator",
    "year_to_date",
    "no_data_reason",
    "no_data_note",
    "target",
    "target_share",
    "target_period",
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
    granularity: Granularity = Granularity.ALL
    chain: str | None = None  # a chain slug: that chain's series instead of the all-chains one
    disaggregate: tuple[Disaggregation, ...] = ()
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
    numerator: Decimal | None
    denominator: Decimal | None
    year_to_date: Decimal | None
    no_data_reason: str | None
    no_data_note: str
    target: Decimal | None
    target_share: Decimal | None
    target_period: str | None
    achievement: Decimal | None
    achievement_source: str | None
    status: str | None
    version: int | None
    value_id: int | None


def point(figure: IndicatorFigure, chain_slug: str | None) -> SeriesPoint:
    """A read-model figure as a point of the series."""
    stored = figure.stored
    origin = figure.achievement.origin
    return SeriesPoint(
        period=str(figure.period),
        chain=chain_slug,
        sex=figure.part.sex,
        region=figure.part.region,
        value=figure.value,
        value_source=None if figure.value_source is None else str(figure.value_source),
        stored_value=stored.value if stored else None,
        share=figure.share,
        numerator=figure.numerator,
        denominator=figure.denominator,
        year_to_date=figure.year_to_date,
        no_data_reason=None if figure.no_data_reason is None else str(figure.no_data_reason),
        no_data_note=figure.no_data_note,
        target=figure.target,
        target_share=figure.target_share,
        target_period=None if figure.target_period is None else str(figure.target_period),
        achievement=figure.achievement.value,
        achievement_source=None if origin is Origin.NONE else str(origin),
        status=stored.status if stored else None,
        version=stored.version if stored else None,
        value_id=stored.id if stored else None,
    )


@dataclass(frozen=True)
class IndicatorSeries:
    indicator: Indicator
    points: list[SeriesPoint]


class UnknownChain(ValueError):
    pass


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


def window(indicator: Indicator, book: FigureBook, query: SeriesQuery) -> tuple[Period, Period] | None:
    """The first and last period of one indicator's series: the query's, else its programme's life and its data."""
    years = set(indicator.result.programme.years) | book.years_with_data(indicator)
    if not years and (query.first is None or query.last is None):
        return None
    first = query.first or Period(min(years))
    last = query.last or Period(max(years))
    return first, last


def series_for(indicators: Sequence[Indicator], query: SeriesQuery) -> list[IndicatorSeries]:
    """The series of each indicator (same order), in five queries at most."""
    indicators = list(indicators)
    if not indicators:
        return []
    programme_ids = {ind.result.programme_id for ind in indicators}
    chains_by_programme: dict[int, list] = defaultdict(list)
    slugs: dict[int | None, str | None] = {None: None}
    by_chain = Disaggregation.CHAIN in query.disaggregate
    if by_chain or query.chain:
        # Read through the programmes' own relation to their chains: the core does not import the chains app.
        for programme in Programme.objects.filter(pk__in=programme_ids).prefetch_related("chains"):
            for chain in sorted(programme.chains.all(), key=lambda c: (c.order, c.pk)):
                if query.chain and chain.slug != query.chain:
                    continue
                chains_by_programme[programme.pk].append(chain)
                slugs[chain.pk] = chain.slug
        if query.chain and not chains_by_programme:
            raise UnknownChain(query.chain)
    book = figure_book(
        indicators,
        parts=bool(by_chain or query.chain or query.region or Disaggregation.SEX in query.disaggregate),
        last_year=query.last.year if query.last else None,
    )
    out = []
    for ind in indicators:
        bounds = window(ind, book, query)
        grid = period_grid(*bounds, query.granularity) if bounds else []
        points = [
            point(book.figure(ind, period, part), slugs[part.chain_id])
            for part in _parts(ind, query, by_chain, chains_by_programme)
            for period in grid
        ]
        out.append(IndicatorSeries(ind, points))
    return out


def _parts(ind: Indicator, query: SeriesQuery, by_chain: bool, chains_by_programme) -> list[Part]:
    """The parts of one indicator's series, in order: per chain, then per sex within each."""
    programme_id = ind.result.programme_id
    if query.chain:
        chain_ids: list[int | None] = [c.pk for c in chains_by_programme.get(programme_id, [])]
    elif by_chain and ind.disaggregated_by_chain:
        chain_ids = [None] + [chain.pk for chain in chains_by_programme[programme_id]]
    else:
        chain_ids = [None]
    sexes = (
        [Sex.ALL, Sex.FEMALE, Sex.MALE]
        if Disaggregation.SEX in query.disaggregate and ind.disaggregated_by_sex
        else [Sex.ALL]
    )
    if query.region:
        # A region's part is one breakdown of its own: never crossed with a chain or a sex.
        return [Part(region=query.region)]
    return [Part(chain_id, str(sex)) for chain_id in chain_ids for sex in sexes]
