"""Reads for the quarter entry pages, in a fixed number of queries whatever the number of indicators.

The figures that judge a value (the year so far, the target, the achievement) come from the figure
read model (``indicators.figures``), the same figures the card, the report and the API show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cse_monitor.lib.messages import translated
from indicators import permissions
from indicators.entry import rules
from indicators.entry.quarters import closing_date, quarter_state, window_for
from indicators.entry.rows import (
    RowKey,
    allowed_rows,
    change_needs_reason,
    is_ratio,
    key_of,
    outlier_factor,
    programme_regions,
)
from indicators.figures import IndicatorFigure, Printed, baseline_printed, figure_book
from indicators.models import Indicator, IndicatorValue, Programme, QuarterState, Result, Sex
from indicators.periods import Period


@dataclass
class EntryRow:
    key: RowKey
    label: str
    is_total: bool
    value: IndicatorValue | None
    previous: IndicatorValue | None
    editable: bool

    @property
    def numbers(self) -> IndicatorValue | None:
        """The stored value when it carries numbers (not "sin dato"): what the read-only number cells show."""
        return self.value if self.value is not None and not self.value.no_data else None

    @property
    def previous_number(self) -> Decimal | None:
        """The previous quarter's value, when it has one: the outlier check compares against it."""
        return self.previous.value if self.previous is not None and not self.previous.no_data else None

    @property
    def change_needs_reason(self) -> bool:
        """The stored value is submitted or approved: the form asks why it changes."""
        return change_needs_reason(self.value)

    @property
    def part(self) -> str:
        """Which breakdown the row belongs to: total, chain, region or sex."""
        if self.is_total:
            return "total"
        if self.key.chain_id is not None:
            return "chain"
        return "region" if self.key.region else "sex"


@dataclass
class EntryIndicator:
    indicator: Indicator
    rows: list[EntryRow]
    figure: IndicatorFigure  # the total's figures for the quarter: year so far, target, achievement
    disaggregation_flag: str | None
    editable: bool
    is_ratio: bool = False
    is_count_share: bool = False  # a count with its share (%) of women, entered on the total row

    @property
    def baseline(self) -> Printed:
        return baseline_printed(self.indicator)


@dataclass
class EntryGroup:
    result: Result
    indicators: list[EntryIndicator] = field(default_factory=list)


@dataclass(frozen=True)
class QuarterLock:
    """The lock state of one quarter, for the strip of quarters on the form."""

    period: Period
    window: rules.WindowState
    status: str

    @property
    def locked(self) -> bool:
        return self.window is not rules.WindowState.OPEN

    @property
    def label(self) -> str:
        return str(WINDOW_LABELS[self.window])


WINDOW_LABELS = {
    rules.WindowState.APPROVED: gettext_lazy("approved"),
    rules.WindowState.CLOSED: gettext_lazy("closed"),
    rules.WindowState.NOT_YET_OPEN: gettext_lazy("not yet open"),
    rules.WindowState.OPEN: gettext_lazy("open"),
}


def quarter_strip(programme: Programme, period: Period, *, today: date | None = None) -> list[QuarterLock]:
    """The quarters of the period's year and the one before it, each with its lock state (one query)."""
    periods = [Period(period.year - 1, 4)] + [Period(period.year, q) for q in (1, 2, 3, 4)]
    stored = {
        (s.year, s.quarter): s
        for s in QuarterState.objects.filter(programme=programme).filter(
            Q(year=period.year) | Q(year=period.year - 1, quarter=4)
        )
    }
    out = []
    for each in periods:
        state = stored.get((each.year, each.quarter)) or QuarterState(
            programme=programme, year=each.year, quarter=each.quarter
        )
        out.append(QuarterLock(each, window_for(state, today=today), state.status))
    return out


@dataclass
class EntryPage:
    programme: Programme
    period: Period
    state: QuarterState
    window: rules.WindowState
    closes_on: date
    groups: list[EntryGroup]
    scope: permissions.Scope
    outlier_factor: Decimal
    status_counts: dict[str, int]
    quarter_strip: list[QuarterLock] = field(default_factory=list)
    regions: dict[str, str] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.window is rules.WindowState.OPEN

    @property
    def editable(self) -> bool:
        return self.is_open and any(i.editable for g in self.groups for i in g.indicators)

    @property
    def rows(self) -> list[EntryRow]:
        return [row for g in self.groups for i in g.indicators for row in i.rows]


def _label(key: RowKey, chains: dict, regions: dict[str, str]) -> str:
    if key.chain_id is not None:
        return chains[key.chain_id].name
    if key.region:
        return regions.get(key.region, key.region)
    if key.sex == Sex.FEMALE:
        return _("Women")
    if key.sex == Sex.MALE:
        return _("Men")
    return _("Total")


def entry_page(
    *, programme: Programme, period: Period, scope: permissions.Scope, today: date | None = None
) -> EntryPage:
    """Every indicator the user may see on the quarter form, grouped by result, with the figures that judge a value."""
    state = quarter_state(programme, period)
    window = window_for(state, today=today)
    chains = {c.pk: c for c in programme.chains.order_by("order")}
    regions = programme_regions(programme)
    indicators = list(
        Indicator.objects.filter(result__programme=programme, has_data=True)
        .select_related("result")
        .order_by("result__order", "order", "pk")
    )
    before = period.previous()
    # The stored rows of the quarter and the one before, as the form edits and compares them.
    current: dict[RowKey, IndicatorValue] = {}
    previous: dict[RowKey, IndicatorValue] = {}
    for value in (
        IndicatorValue.objects.filter(indicator__result__programme=programme)
        .filter(Q(year=period.year, quarter=period.quarter) | Q(year=before.year, quarter=before.quarter))
        .select_related("entered_by")
    ):
        (current if value.period == period else previous)[key_of(value)] = value
    book = figure_book(indicators, last_year=period.year)
    groups: dict[int, EntryGroup] = {}
    status_counts: dict[str, int] = defaultdict(int)
    for value in current.values():
        status_counts[value.status] += 1
    chain_ids = list(chains)
    region_codes = frozenset(regions)
    for indicator in indicators:
        if not permissions.can_see_in_entry(
            scope,
            result_id=indicator.result_id,
            disaggregated_by_chain=indicator.disaggregated_by_chain,
            regions=region_codes if indicator.disaggregated_by_region else frozenset(),
        ):
            continue
        rows = []
        for key in allowed_rows(indicator, chain_ids, list(regions)):
            editable = window is rules.WindowState.OPEN and permissions.can_edit_value(
                scope, result_id=indicator.result_id, chain_id=key.chain_id, region=key.region
            )
            rows.append(
                EntryRow(
                    key=key,
                    label=_label(key, chains, regions),
                    is_total=key.is_total,
                    value=current.get(key),
                    previous=previous.get(key),
                    editable=editable,
                )
            )
        groups.setdefault(indicator.result_id, EntryGroup(indicator.result)).indicators.append(
            EntryIndicator(
                indicator=indicator,
                rows=rows,
                figure=book.figure(indicator, period),
                disaggregation_flag=_disaggregation_flag(indicator, rows),
                editable=any(r.editable for r in rows),
                is_ratio=is_ratio(indicator),
                is_count_share=indicator.unit_kind == Indicator.UnitKind.COUNT_SHARE,
            )
        )
    return EntryPage(
        programme=programme,
        period=period,
        state=state,
        window=window,
        closes_on=closing_date(period),
        groups=list(groups.values()),
        scope=scope,
        outlier_factor=outlier_factor(),
        status_counts=dict(status_counts),
        quarter_strip=quarter_strip(programme, period, today=today),
        regions=regions,
    )


def _figures(row: EntryRow) -> rules.Figures:
    value = row.value
    if value is None:
        return rules.Figures(entered=False)
    if value.no_data:
        return rules.Figures(entered=True)
    return rules.Figures(entered=True, value=value.value, numerator=value.numerator, denominator=value.denominator)


def _disaggregation_flag(indicator: Indicator, rows: list[EntryRow]) -> str | None:
    """The "incomplete disaggregation" message of saved values, once a total or a part is entered.

    Percentages are not checked (they do not add up), except ratios, whose numerators and denominators do.
    """
    ratio = is_ratio(indicator)
    if (indicator.unit_kind == Indicator.UnitKind.PERCENTAGE and not ratio) or len(rows) == 1:
        return None
    total = next(r for r in rows if r.is_total)
    groups = [[_figures(r) for r in rows if r.part == part] for part in ("chain", "region", "sex")]
    messages = rules.disaggregation_messages(ratio=ratio, total=_figures(total), groups=groups)
    return " ".join(translated(message) for message in messages) or None


def review_queue(*, programmes) -> list[dict]:
    """Quarters with submitted values, per programme: the reviewer's to-do list (one query)."""
    rows = (
        IndicatorValue.objects.filter(indicator__result__programme__in=programmes, quarter__gte=1)
        .values("indicator__result__programme__code", "year", "quarter")
        .annotate(
            submitted=Count("pk", filter=Q(status=IndicatorValue.Status.SUBMITTED)),
            pending=Count("pk", filter=Q(status__in=[IndicatorValue.Status.DRAFT, IndicatorValue.Status.RETURNED])),
            approved=Count("pk", filter=Q(status=IndicatorValue.Status.APPROVED)),
        )
        .filter(submitted__gt=0)
        .order_by("indicator__result__programme__code", "-year", "-quarter")
    )
    return [
        {
            "programme": row["indicator__result__programme__code"],
            "period": Period(row["year"], row["quarter"]),
            "submitted": row["submitted"],
            "pending": row["pending"],
            "approved": row["approved"],
        }
        for row in rows
    ]
