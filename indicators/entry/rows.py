"""The rows of the quarter form: which rows an indicator has, and what a user enters in one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from indicators.entry import rules
from indicators.models import Indicator, IndicatorValue, Programme, Sex


@dataclass(frozen=True)
class RowKey:
    """One row of the form: an indicator's total, or its part for a value chain, a region or a sex.

    ``region`` is a department code (05 = Ayacucho); parts are one breakdown each, never crossed.
    """

    indicator_id: int
    chain_id: int | None = None
    sex: str = Sex.ALL
    region: str = ""

    @property
    def is_total(self) -> bool:
        return self.chain_id is None and self.sex == Sex.ALL and not self.region

    def __str__(self) -> str:
        # The region goes last and only when set, so that rows without one keep their form names and anchors.
        text = f"{self.indicator_id}-{self.chain_id or 0}-{self.sex or 'T'}"
        return f"{text}-{self.region}" if self.region else text

    @classmethod
    def parse(cls, text: str) -> RowKey:
        indicator, chain, sex, *region = text.split("-")
        return cls(int(indicator), int(chain) or None, "" if sex == "T" else sex, region[0] if region else "")


@dataclass(frozen=True)
class ValueInput:
    """What a user entered for one row. ``expected_version`` is the version they saw (None: a new row)."""

    key: RowKey
    value: Decimal | None = None
    share: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    no_data: bool = False
    no_data_reason: str = ""
    comment: str = ""
    follow_up: bool = False
    evidence: UploadedFile | None = None
    expected_version: int | None = None
    reason: str = ""


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: dict[RowKey, list[str]] = field(default_factory=dict)


def allowed_rows(indicator: Indicator, chain_ids: Sequence[int], regions: Sequence[str] = ()) -> list[RowKey]:
    """The rows an indicator has on the form: its total, then its value-chain, region and sex parts."""
    rows = [RowKey(indicator.pk)]
    if indicator.disaggregated_by_chain:
        rows += [RowKey(indicator.pk, chain_id) for chain_id in chain_ids]
    if indicator.disaggregated_by_region:
        rows += [RowKey(indicator.pk, region=code) for code in regions]
    if indicator.disaggregated_by_sex:
        rows += [RowKey(indicator.pk, None, Sex.FEMALE), RowKey(indicator.pk, None, Sex.MALE)]
    return rows


def programme_regions(programme: Programme) -> dict[str, str]:
    """The programme's regions, department code → name: the departments of its beneficiary districts (one query)."""
    # Through the programme's own relation to its beneficiaries: the core does not import municipalities.
    rows = programme.beneficiaries.values_list("district__ubigeo", "department_label", "district__department")
    return rules.departments(rows)


def is_ratio(indicator: Indicator) -> bool:
    """Entered as numerator and denominator: the scores engine takes Σnumerator ÷ Σdenominator."""
    return indicator.aggregation == Indicator.Aggregation.RATIO


def change_needs_reason(value: IndicatorValue | None) -> bool:
    """A submitted or approved value changes only with a reason for the change."""
    return value is not None and value.status in (IndicatorValue.Status.SUBMITTED, IndicatorValue.Status.APPROVED)


def key_of(value: IndicatorValue) -> RowKey:
    return RowKey(value.indicator_id, value.chain_id, value.sex, value.region)


def outlier_factor() -> Decimal:
    """How many times the previous quarter's value a row may move before it needs a comment (a setting)."""
    return Decimal(str(settings.ENTRY_OUTLIER_FACTOR))
