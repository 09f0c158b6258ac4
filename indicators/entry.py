"""The one service for quarterly entry: save values (or "sin dato"), submit, return, approve, reopen, flag.

HTTP-agnostic: the browser form and the REST API call these functions with keyword-only
arguments; they check permissions themselves (``PermissionDenied``), raise the typed errors
below with message constants, and write atomically (a refused save writes nothing). Every
change goes through simple-history with its user and reason.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_create_with_history

from indicators import entry_rules as rules
from indicators import permissions
from indicators.models import (
    MEASURE,
    SHARE,
    Indicator,
    IndicatorValue,
    Notification,
    Programme,
    QuarterState,
    Sex,
    ValueReview,
)
from indicators.periods import Period

logger = logging.getLogger(__name__)

Status = IndicatorValue.Status

MSG_NOT_A_QUARTER = gettext_noop("Values are entered per quarter (e.g. 2012Q1), not per year.")
MSG_NOT_YET_OPEN = gettext_noop("This quarter opens for entry on {date}.")
MSG_CLOSED = gettext_noop("This quarter closed for entry on {date}; only a reviewer can reopen it.")
MSG_APPROVED = gettext_noop("This quarter is approved and locked; a correction needs a reviewer to reopen it.")
MSG_REASON_REQUIRED = gettext_noop("This value was already {status}: give a reason for the change.")
MSG_UNKNOWN_ROW = gettext_noop("This indicator, value chain, region or sex is not part of this programme's entry form.")
MSG_CONFLICT = gettext_noop("Someone else saved some of these values while you were editing. Nothing was saved.")
MSG_INVALID = gettext_noop("Some values need attention. Nothing was saved.")
MSG_NOTHING_TO_SUBMIT = gettext_noop(
    "There is nothing to submit: no draft or returned values of yours in this quarter."
)
MSG_NOT_SUBMITTED = gettext_noop("Only submitted values can be returned.")
MSG_RETURN_REASON = gettext_noop("Returning a value needs a comment saying what to correct.")
MSG_NOTHING_TO_RETURN = gettext_noop("Choose at least one value to return.")
MSG_CANNOT_APPROVE_PENDING = gettext_noop(
    "{count} value(s) are still in draft or returned: they must be submitted first."
)
MSG_NOTHING_TO_APPROVE = gettext_noop("There are no submitted values to approve in this quarter.")
MSG_APPROVE_UNSEEN = gettext_noop(
    "{count} value(s) changed or were submitted after you opened the review ({rows}): nothing was approved. "
    "Review them again."
)
MSG_APPROVE_NOT_SUBMITTED = gettext_noop("Only submitted values can be approved ({rows}): nothing was approved.")
MSG_SELF_APPROVAL = gettext_noop(
    "You entered {count} of these values ({rows}): another reviewer approves them. Nothing was approved."
)
LOAD_ROW_TEMPLATE = "{indicator} {period} {field}: {message}"
LOADED_REASON = "loaded from programme file"
MSG_REOPEN_REASON = gettext_noop("Reopening a quarter needs a reason.")
MSG_RETURNED_NOTIFICATION = gettext_noop("{reviewer} returned {indicator} ({period}): {comment}")
MSG_REOPENED_NOTIFICATION = gettext_noop("{reviewer} reopened {period} of {programme}: {reason}")


def translated(message: str) -> str:
    """A message of this module or of ``entry_rules`` in the active language (values go in after)."""
    if isinstance(message, rules.Message) and message.params:
        return gettext(message.template).format(**message.params)
    return gettext(message)


class EntryError(Exception):
    """Base of the errors the entry service raises; ``message`` is one of the constants above."""

    def __init__(self, template: str, **params):
        self.template = template  # the msgid: translate it, then .format(**params)
        self.params = params
        self.message = rules.Message(template, **params)  # the English text; translated() localises it
        super().__init__(self.message)


class QuarterNotOpen(EntryError):
    """The quarter does not accept entry (not yet open, closed, or approved)."""


class WorkflowError(EntryError):
    """The action does not fit the values' state (nothing to submit, pending values on approval …)."""


class SelfApprovalError(EntryError):
    """Who enters does not approve: the approver entered some of the values, whatever their role."""


class LoadError(EntryError):
    """Rows of a programme file break the rules; ``problems`` name each row's indicator, period and field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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


class EntryValidationError(EntryError):
    """Some rows are invalid; ``errors`` maps each row to its messages. Nothing was saved."""

    def __init__(self, errors: dict[RowKey, list[str]]):
        super().__init__(MSG_INVALID)
        self.errors = errors


@dataclass(frozen=True)
class Conflict:
    """A row someone else saved since it was read: both versions, so that the user can choose."""

    key: RowKey
    yours: ValueInput
    theirs: IndicatorValue | None  # None: the row was deleted meanwhile
    theirs_by: str


class ConflictError(EntryError):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(MSG_CONFLICT)
        self.conflicts = conflicts


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: dict[RowKey, list[str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Reads the service needs


def quarter_period(period: Period) -> Period:
    if period.is_year:
        raise EntryError(MSG_NOT_A_QUARTER)
    return period


def quarter_state(programme: Programme, period: Period) -> QuarterState:
    """The stored state, or an unsaved default one (open, opening on the quarter's first day)."""
    state = QuarterState.objects.filter(programme=programme, year=period.year, quarter=period.quarter).first()
    return state or QuarterState(programme=programme, year=period.year, quarter=period.quarter)


def window_for(state: QuarterState, *, today: date | None = None) -> rules.WindowState:
    period = state.period
    return rules.entry_window(
        today=today or timezone.localdate(),
        quarter_start=period.start,
        quarter_end=period.end,
        opens_on=state.opens_on,
        close_after_days=settings.ENTRY_CLOSE_AFTER_DAYS,
        approved=state.status == QuarterState.Status.APPROVED,
        reopened=state.reopened,
    )


def closing_date(period: Period) -> date:
    return rules.closes_on(period.end, settings.ENTRY_CLOSE_AFTER_DAYS)


def _require_open(state: QuarterState, today: date | None) -> None:
    window = window_for(state, today=today)
    if window is rules.WindowState.OPEN:
        return
    if window is rules.WindowState.APPROVED:
        raise QuarterNotOpen(MSG_APPROVED)
    if window is rules.WindowState.NOT_YET_OPEN:
        raise QuarterNotOpen(MSG_NOT_YET_OPEN, date=state.opens_on or state.period.start)
    raise QuarterNotOpen(MSG_CLOSED, date=closing_date(state.period))


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
    rows = programme.beneficiaries.values_list(
        "district__ubigeo", "department_label", "district__department"
    )
    return rules.departments(rows)


def is_ratio(indicator: Indicator) -> bool:
    """Entered as numerator and denominator: the scores engine takes Σnumerator ÷ Σdenominator."""
    return indicator.aggregation == Indicator.Aggregation.RATIO


def _values_query(programme: Programme, period: Period):
    return IndicatorValue.objects.filter(
        indicator__result__programme=programme, year=period.year, quarter=period.quarter
    )


def key_of(value: IndicatorValue) -> RowKey:
    return RowKey(value.indicator_id, value.chain_id, value.sex, value.region)


def outlier_factor() -> Decimal:
    return Decimal(str(settings.ENTRY_OUTLIER_FACTOR))


# ---------------------------------------------------------------------------------------------
# Evidence


def check_evidence(upload: UploadedFile) -> str:
    """The sanitised file name of an accepted upload; raises EntryError with the reason otherwise."""
    size = upload.size or 0
    if size == 0:
        raise EntryError(rules.MSG_EVIDENCE_EMPTY)
    if size > settings.EVIDENCE_MAX_BYTES:
        raise EntryError(rules.MSG_EVIDENCE_SIZE, size=size, limit=settings.EVIDENCE_MAX_BYTES)
    upload.seek(0)
    head = upload.read(4096)
    names: list[str] = []
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
    upload.seek(0)
    kind = rules.sniff_evidence(head, zip_names=names)
    name = rules.safe_filename(upload.name or "")
    if kind is None or not rules.extension_matches(name, kind):
        raise EntryError(rules.MSG_EVIDENCE_TYPE)
    return name


# ---------------------------------------------------------------------------------------------
# Saving values


def _changed(current: IndicatorValue | None, item: ValueInput) -> bool:
    if current is None:
        return True
    return (
        current.value != item.value
        or current.share != item.share
        or current.numerator != item.numerator
        or current.denominator != item.denominator
        or current.no_data != item.no_data
        or current.no_data_reason != item.no_data_reason
        or current.comment != item.comment
        or item.evidence is not None
    )


def _plain(number: Decimal | None) -> str:
    return "…" if number is None else format(number.normalize(), "f")


def _rule_errors(indicator: Indicator, item: ValueInput, *, stated: bool = False) -> list[tuple[str, str]]:
    """(field, message) of the rules every stored row obeys: no data, unit, precision, allowed range.

    One implementation for the form, the API and the programme loader. A ratio row's ``value`` is its
    computed share. ``stated``: a figure as a report prints it (a count-with-share may lack either).
    """
    unit_kind = indicator.unit_kind
    if unit_kind == Indicator.UnitKind.COUNT_SHARE and not item.key.is_total:
        unit_kind = Indicator.UnitKind.COUNT  # the parts of a count-with-share are plain counts
    errors: list[tuple[str, str]] = []
    if is_ratio(indicator):
        numbers = {"numerator": item.numerator, "denominator": item.denominator}
        errors += [
            ("no_data", m)
            for m in rules.no_data_errors(
                no_data=item.no_data, reason=item.no_data_reason, value=item.numerator, share=item.denominator
            )
        ]
        if not item.no_data:
            errors += [("numerator", m) for m in rules.ratio_errors(unit_kind, item.numerator, item.denominator)]
    else:
        numbers = {"value": item.value, "share": item.share}
        errors += [
            ("no_data", m)
            for m in rules.no_data_errors(
                no_data=item.no_data, reason=item.no_data_reason, value=item.value, share=item.share
            )
        ]
        if not item.no_data:
            errors += [
                ("share" if m == rules.MSG_SHARE_RANGE else "value", m)
                for m in rules.unit_errors(unit_kind, item.value, item.share, count_with_share=not stated)
            ]
    if item.no_data:
        return errors
    for name, number in numbers.items():
        errors += [(name, m) for m in rules.precision_errors(number, SHARE if name == "share" else MEASURE)]
    if not errors:
        # A ratio's computed share, like a typed value, fits its column and the indicator's allowed range.
        errors += [("value", m) for m in rules.precision_errors(item.value, MEASURE)]
    if not errors:
        errors += [("value", m) for m in rules.range_errors(item.value, *indicator.allowed_range)]
    return errors


def _row_errors(
    indicator: Indicator, item: ValueInput, previous: IndicatorValue | None, factor: Decimal
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one row: the stored-row rules, then the outlier and expected-range checks."""
    errors = [message for _field, message in _rule_errors(indicator, item)]
    warnings: list[str] = []
    previous_value = previous.value if previous is not None and not previous.no_data else None
    if rules.is_outlier(item.value, previous_value, factor):
        message = rules.Message(rules.MSG_OUTLIER, factor=_plain(factor), previous=_plain(previous_value))
        (warnings if item.comment.strip() else errors).append(message)
    if item.key.is_total:
        if rules.out_of_range(item.value, indicator.expected_min, indicator.expected_max):
            warnings.append(
                rules.Message(
                    rules.MSG_OUT_OF_RANGE,
                    low=_plain(indicator.expected_min),
                    high=_plain(indicator.expected_max),
                )
            )
    return errors, warnings


def _consistency_errors(
    indicators: dict[int, Indicator], merged: dict[RowKey, tuple[Decimal | None, Decimal | None]]
) -> dict[RowKey, list[str]]:
    """Count-with-share rows whose share disagrees with the women part entered beside them."""
    errors: dict[RowKey, list[str]] = {}
    for key, (value, share) in merged.items():
        indicator = indicators.get(key.indicator_id)
        if indicator is None or not key.is_total:
            continue
        if indicator.unit_kind != Indicator.UnitKind.COUNT_SHARE or not indicator.disaggregated_by_sex:
            continue
        women = merged.get(RowKey(key.indicator_id, None, Sex.FEMALE), (None, None))[0]
        message = rules.share_consistency_error(share, value, women)
        if message:
            errors.setdefault(key, []).append(message)
    return errors


def _shape_error(indicator: Indicator, item: ValueInput) -> str | None:
    """A ratio takes a numerator and a denominator and never a typed value; other indicators the reverse."""
    if is_ratio(indicator):
        return rules.MSG_RATIO_VALUE_TYPED if item.value is not None or item.share is not None else None
    return rules.MSG_NOT_A_RATIO if item.numerator is not None or item.denominator is not None else None


def _with_ratio_share(indicator: Indicator, item: ValueInput) -> ValueInput:
    """A ratio row carries its own share as ``value`` (for display and the outlier check), computed here."""
    if not is_ratio(indicator) or item.no_data:
        return item
    if rules.precision_errors(item.numerator, MEASURE) or rules.precision_errors(item.denominator, MEASURE):
        return item  # refused by _rule_errors; nothing to compute
    return replace(item, value=rules.ratio_percent(item.numerator, item.denominator))


def _is_empty(item: ValueInput) -> bool:
    numbers = (item.value, item.share, item.numerator, item.denominator)
    return all(n is None for n in numbers) and not item.no_data


def save_quarter_values(
    *,
    user,
    programme: Programme,
    period: Period,
    inputs: Iterable[ValueInput],
    today: date | None = None,
) -> SaveResult:
    """Save a quarter's rows in one transaction: all of them, or none (validation error or conflict).

    Unchanged rows are skipped (no new version, no history). A row changed since the version the
    user saw is a conflict. A change to a submitted or approved value needs ``reason``.
    """
    period = quarter_period(period)
    scope = permissions.access_programme(user, programme)
    items = list(inputs)
    indicators = {
        i.pk: i for i in Indicator.objects.filter(result__programme=programme, has_data=True).select_related("result")
    }
    chain_ids = list(programme.chains.values_list("pk", flat=True))
    regions = list(programme_regions(programme))
    errors: dict[RowKey, list[str]] = {}
    for item in items:
        indicator = indicators.get(item.key.indicator_id)
        if indicator is None or item.key not in allowed_rows(indicator, chain_ids, regions):
            errors.setdefault(item.key, []).append(MSG_UNKNOWN_ROW)
            continue
        permissions.access_value_edit(
            scope, result_id=indicator.result_id, chain_id=item.key.chain_id, region=item.key.region
        )
        shape = _shape_error(indicator, item)
        if shape:
            errors.setdefault(item.key, []).append(shape)
    if errors:
        raise EntryValidationError(errors)
    items = [_with_ratio_share(indicators[item.key.indicator_id], item) for item in items]

    result = SaveResult()
    factor = outlier_factor()
    try:
        with transaction.atomic():
            state = quarter_state(programme, period)
            if state.pk:
                state = QuarterState.objects.select_for_update().get(pk=state.pk)
            _require_open(state, today)
            current = {
                key_of(v): v
                for v in _values_query(programme, period).select_for_update(of=("self",)).select_related("entered_by")
            }
            previous = {key_of(v): v for v in _values_query(programme, period.previous())}
            evidence_names: dict[RowKey, str] = {}
            conflicts: list[Conflict] = []
            to_write: list[tuple[ValueInput, IndicatorValue | None]] = []
            merged = {k: (v.value, v.share) for k, v in current.items()}
            for item in items:
                existing = current.get(item.key)
                if not _changed(existing, item):
                    if existing is not None and existing.follow_up != item.follow_up:
                        to_write.append((item, existing))
                    else:
                        result.unchanged += 1
                    continue
                if existing is None and _is_empty(item):
                    result.unchanged += 1  # an empty row that never existed: nothing to save
                    continue
                if (existing.version if existing else None) != item.expected_version:
                    conflicts.append(Conflict(item.key, item, existing, _who(existing)))
                    continue
                row_errors, row_warnings = _row_errors(
                    indicators[item.key.indicator_id], item, previous.get(item.key), factor
                )
                if (
                    existing is not None
                    and existing.status in (Status.SUBMITTED, Status.APPROVED)
                    and not item.reason.strip()
                ):
                    row_errors.append(rules.Message(MSG_REASON_REQUIRED, status=existing.get_status_display()))
                if item.evidence is not None:
                    try:
                        evidence_names[item.key] = check_evidence(item.evidence)
                    except EntryError as exc:
                        row_errors.append(exc.message)
                if row_errors:
                    errors[item.key] = row_errors
                if row_warnings:
                    result.warnings[item.key] = row_warnings
                merged[item.key] = (item.value, item.share)
                to_write.append((item, existing))
            if conflicts:
                raise ConflictError(conflicts)
            for key, messages in _consistency_errors(indicators, merged).items():
                if any(item.key == key for item, _ in to_write):
                    errors.setdefault(key, []).extend(messages)
            if errors:
                raise EntryValidationError(errors)
            drafts_written = False
            for item, existing in to_write:
                if existing is not None and not _changed(existing, item):
                    existing.follow_up = item.follow_up
                    existing._history_user = user
                    existing._change_reason = "follow-up flag"
                    existing.save(update_fields=["follow_up", "updated_at"])
                    result.updated += 1
                    continue
                row = existing or IndicatorValue(
                    indicator_id=item.key.indicator_id,
                    year=period.year,
                    quarter=period.quarter,
                    chain_id=item.key.chain_id,
                    sex=item.key.sex,
                    region=item.key.region,
                    version=0,
                )
                figures = _figures(row) if existing is not None else None
                row.value, row.share = (None, None) if item.no_data else (item.value, item.share)
                row.numerator, row.denominator = (None, None) if item.no_data else (item.numerator, item.denominator)
                if row.is_stated and _figures(row) != figures:
                    row.is_stated = False  # a report's figure changed here is an entered one now
                row.no_data = item.no_data
                row.no_data_reason = item.no_data_reason.strip() if item.no_data else ""
                row.comment = item.comment
                row.follow_up = item.follow_up
                row.entered_by = user
                if existing is not None and existing.status in (Status.APPROVED, Status.RETURNED):
                    row.status = Status.DRAFT
                drafts_written = drafts_written or row.status == Status.DRAFT
                row.version += 1
                if item.evidence is not None:
                    row.evidence.save(evidence_names[item.key], item.evidence, save=False)
                row._history_user = user
                row._change_reason = item.reason.strip() or ("created" if existing is None else "edited")
                row.save()
                if existing is None:
                    result.created += 1
                else:
                    result.updated += 1
            if drafts_written and state.pk and state.status != QuarterState.Status.OPEN:
                # A new or corrected draft means the quarter is being entered again, not waiting for review.
                _set_state(state, user=user, status=QuarterState.Status.OPEN, reason="values in draft again")
    except IntegrityError as exc:
        # Someone created one of these rows between our read and our write (no row to lock yet).
        raise ConflictError(_created_meanwhile(programme, period, items)) from exc
    return result


def _figures(row: IndicatorValue) -> tuple:
    return (row.value, row.share, row.numerator, row.denominator, row.no_data)


@dataclass(frozen=True)
class LoadedValue:
    """One value of a programme file, stored as a figure of record (approved) the way the file gives it."""

    indicator: Indicator
    period: Period
    value: Decimal | None = None
    share: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    chain_id: int | None = None
    region: str = ""
    sex: str = Sex.ALL
    no_data: bool = False
    no_data_reason: str = ""
    source_text: str = ""
    stated: bool = True
    chain_label: str = ""  # how the file names the chain (its slug), for messages

    def as_input(self) -> ValueInput:
        key = RowKey(self.indicator.pk, self.chain_id, self.sex, self.region)
        item = ValueInput(
            key=key,
            value=self.value,
            share=self.share,
            numerator=self.numerator,
            denominator=self.denominator,
            no_data=self.no_data,
            no_data_reason=self.no_data_reason,
        )
        return _with_ratio_share(self.indicator, item)


def load_values(*, rows: Sequence[LoadedValue], user=None, reason: str = LOADED_REASON) -> list[IndicatorValue]:
    """Store a programme file's values, approved, with their history; all or nothing.

    Each row obeys the rules of every stored row (precision, allowed range, unit, no data): one that
    breaks them refuses the lot with :class:`LoadError`, which names its indicator, period and field.
    Written in bulk (rows and history), as loading a programme is a set-up step that must stay quick.
    """
    problems: list[str] = []
    objects: list[IndicatorValue] = []
    for row in rows:
        item = row.as_input()
        errors = _rule_errors(row.indicator, item, stated=row.stated)
        part = row.chain_label or (str(row.chain_id) if row.chain_id else "") or row.region or row.sex
        where = f"{row.period} ({part})" if part else str(row.period)
        problems += [
            LOAD_ROW_TEMPLATE.format(
                indicator=row.indicator.code, period=where, field=field, message=translated(message)
            )
            for field, message in errors
        ]
        objects.append(
            IndicatorValue(
                indicator=row.indicator,
                year=row.period.year,
                quarter=row.period.quarter,
                chain_id=row.chain_id,
                region=row.region,
                sex=row.sex,
                value=None if row.no_data else item.value,
                share=None if row.no_data else item.share,
                numerator=None if row.no_data else item.numerator,
                denominator=None if row.no_data else item.denominator,
                no_data=row.no_data,
                no_data_reason=row.no_data_reason.strip() if row.no_data else "",
                source_text=row.source_text[:120],
                is_stated=row.stated,
                status=Status.APPROVED,
                entered_by=user,
            )
        )
    if problems:
        raise LoadError(problems)
    with transaction.atomic():
        return bulk_create_with_history(objects, IndicatorValue, default_user=user, default_change_reason=reason)


def _created_meanwhile(programme: Programme, period: Period, items: list[ValueInput]) -> list[Conflict]:
    now = {key_of(v): v for v in _values_query(programme, period).select_related("entered_by")}
    return [
        Conflict(item.key, item, now[item.key], _who(now[item.key]))
        for item in items
        if item.key in now and item.expected_version != now[item.key].version
    ]


def _who(value: IndicatorValue | None) -> str:
    if value is None or value.entered_by is None:
        return ""
    return value.entered_by.get_full_name() or value.entered_by.get_username()


def _set_state(state: QuarterState, *, user, status: str, reason: str, reopened: bool | None = None) -> None:
    state.status = status
    if reopened is not None:
        state.reopened = reopened
    state.reason = reason[:500]
    state.updated_by = user
    state._history_user = user
    state._change_reason = reason[:100]
    state.save()


def _locked_state(programme: Programme, period: Period) -> QuarterState:
    state, _ = QuarterState.objects.select_for_update().get_or_create(
        programme=programme, year=period.year, quarter=period.quarter
    )
    return state


def _transition(values: Iterable[IndicatorValue], *, user, status: str, reason: str) -> int:
    count = 0
    for value in values:
        value.status = status
        value.version += 1
        value._history_user = user
        value._change_reason = reason[:100]
        value.save(update_fields=["status", "version", "updated_at"])
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Workflow


def submit_quarter(*, user, programme: Programme, period: Period, today: date | None = None) -> int:
    """Submit the draft and returned values the user entered in the quarter; returns how many were submitted.

    Others' drafts stay drafts, whatever the submitter's role: each person vouches for their own rows.
    """
    period = quarter_period(period)
    scope = permissions.access_programme(user, programme)
    permissions.access_submit(scope)
    with transaction.atomic():
        state = _locked_state(programme, period)
        _require_open(state, today)
        pending = list(
            _values_query(programme, period)
            .filter(status__in=[Status.DRAFT, Status.RETURNED])
            .select_related("indicator")
            .select_for_update(of=("self",))
        )
        mine = [
            v
            for v in pending
            if v.entered_by_id == user.pk
            and permissions.can_edit_value(scope, result_id=v.indicator.result_id, chain_id=v.chain_id, region=v.region)
        ]
        if not mine:
            raise WorkflowError(MSG_NOTHING_TO_SUBMIT)
        count = _transition(mine, user=user, status=Status.SUBMITTED, reason="submitted")
        if len(mine) == len(pending):
            _set_state(state, user=user, status=QuarterState.Status.SUBMITTED, reason="submitted")
    return count


def return_values(*, user, programme: Programme, period: Period, comments: dict[int, str]) -> int:
    """Return submitted values, each with its comment; notifies who entered each. Returns the count."""
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    if not comments:
        raise WorkflowError(MSG_NOTHING_TO_RETURN)
    if any(not text.strip() for text in comments.values()):
        raise WorkflowError(MSG_RETURN_REASON)
    with transaction.atomic():
        state = _locked_state(programme, period)
        if state.status == QuarterState.Status.APPROVED:
            raise QuarterNotOpen(MSG_APPROVED)
        values = list(
            _values_query(programme, period)
            .filter(pk__in=comments)
            .select_related("indicator", "entered_by")
            .select_for_update(of=("self",))
        )
        if len(values) != len(comments) or any(v.status != Status.SUBMITTED for v in values):
            raise WorkflowError(MSG_NOT_SUBMITTED)
        for value in values:
            comment = comments[value.pk].strip()
            _transition([value], user=user, status=Status.RETURNED, reason=comment)
            ValueReview.objects.create(value=value, reviewer=user, action=ValueReview.Action.RETURNED, comment=comment)
            _notify_returned(value, reviewer=user, comment=comment, period=period, programme=programme)
        _set_state(state, user=user, status=QuarterState.Status.OPEN, reason=f"{len(values)} value(s) returned")
    return len(values)


def approve_quarter(*, user, programme: Programme, period: Period, seen: dict[int, int]) -> int:
    """Approve every submitted value of the quarter, as the reviewer saw it, and lock the quarter.

    ``seen`` maps each value id to the version the reviewer read. Refused, changing nothing, while
    values are pending, when a submitted value is newer than seen or was not seen at all, and when
    the reviewer entered any of them.
    """
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    with transaction.atomic():
        state = _locked_state(programme, period)
        if state.status == QuarterState.Status.APPROVED:
            raise QuarterNotOpen(MSG_APPROVED)
        values = list(
            _values_query(programme, period).select_related("indicator", "chain").select_for_update(of=("self",))
        )
        pending = [v for v in values if v.status in (Status.DRAFT, Status.RETURNED)]
        if pending:
            raise WorkflowError(MSG_CANNOT_APPROVE_PENDING, count=len(pending))
        submitted = [v for v in values if v.status == Status.SUBMITTED]
        if not submitted:
            raise WorkflowError(MSG_NOTHING_TO_APPROVE)
        unseen = [v for v in submitted if seen.get(v.pk) != v.version]
        if unseen:
            raise WorkflowError(MSG_APPROVE_UNSEEN, count=len(unseen), rows=_rows_text(unseen))
        count = _approve(submitted, user=user, seen=seen)
        _set_state(state, user=user, status=QuarterState.Status.APPROVED, reason="approved", reopened=False)
    return count


def approve_values(*, user, programme: Programme, period: Period, seen: dict[int, int]) -> int:
    """Approve the submitted values ``seen`` names (value id → the version the reviewer read); the quarter stays open.

    All or nothing: refused when one of them is not submitted, is newer than seen, or was entered by the reviewer.
    """
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    with transaction.atomic():
        state = _locked_state(programme, period)
        if state.status == QuarterState.Status.APPROVED:
            raise QuarterNotOpen(MSG_APPROVED)
        values = list(
            _values_query(programme, period)
            .filter(pk__in=seen)
            .select_related("indicator", "chain")
            .select_for_update(of=("self",))
        )
        if not values:
            raise WorkflowError(MSG_NOTHING_TO_APPROVE)
        missing = sorted(set(seen) - {v.pk for v in values})
        if missing:
            # Ids of no value of this quarter: deleted meanwhile, or never part of it.
            raise WorkflowError(MSG_APPROVE_UNSEEN, count=len(missing), rows=", ".join(f"#{pk}" for pk in missing))
        return _approve(values, user=user, seen=seen)


def _approve(values: list[IndicatorValue], *, user, seen: dict[int, int]) -> int:
    """The approval rules of a selection already locked for update; then the transition to approved."""
    not_submitted = [v for v in values if v.status != Status.SUBMITTED]
    if not_submitted:
        raise WorkflowError(MSG_APPROVE_NOT_SUBMITTED, rows=_rows_text(not_submitted))
    changed = [v for v in values if seen.get(v.pk) != v.version]
    if changed:
        raise WorkflowError(MSG_APPROVE_UNSEEN, count=len(changed), rows=_rows_text(changed))
    entered_by = _entered_by(values)
    own = [v for v in values if user.pk in entered_by[v.pk]]
    if own:
        raise SelfApprovalError(MSG_SELF_APPROVAL, count=len(own), rows=_rows_text(own))
    return _transition(values, user=user, status=Status.APPROVED, reason="approved")


def _entered_by(values: list[IndicatorValue]) -> dict[int, set[int]]:
    """Who entered each value as it now stands: whoever saved it since its last approval (one query)."""
    people = {v.pk: {v.entered_by_id} - {None} for v in values}
    records = (
        IndicatorValue.history.filter(id__in=people)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "entered_by_id")
    )
    since: dict[int, set[int]] = {}
    for pk, status, person in records:
        if status == Status.APPROVED:
            since[pk] = set()  # what was entered before is approved already
        elif person is not None:
            since.setdefault(pk, set()).add(person)
    return {pk: current | since.get(pk, set()) for pk, current in people.items()}


def _rows_text(values: list[IndicatorValue]) -> str:
    """The rows as a reviewer finds them on the page: R1.1, R1.1 (papa-nativa), R1.2 (F) …"""
    labels = []
    for v in values:
        part = (v.chain.slug if v.chain_id else "") or v.region or v.sex
        labels.append(f"{v.indicator.code} ({part})" if part else v.indicator.code)
    return ", ".join(labels)


def reopen_quarter(*, user, programme: Programme, period: Period, reason: str) -> QuarterState:
    """Reopen a closed or approved quarter for correction (reviewer, with a reason)."""
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    if not reason.strip():
        raise EntryError(MSG_REOPEN_REASON)
    with transaction.atomic():
        state = _locked_state(programme, period)
        _set_state(state, user=user, status=QuarterState.Status.OPEN, reason=reason.strip(), reopened=True)
        entered_by = {
            v.entered_by for v in _values_query(programme, period).select_related("entered_by") if v.entered_by
        }
        for person in entered_by - {user}:
            Notification.objects.create(
                user=person,
                text=MSG_REOPENED_NOTIFICATION.format(
                    reviewer=user.get_username(), period=period, programme=programme.code, reason=reason.strip()
                )[:500],
                link=f"/entry/{programme.code}/{period}/",
            )
    return state


def set_follow_up(*, user, value: IndicatorValue, flagged: bool) -> IndicatorValue:
    """Raise or clear the follow-up flag of a value, whatever its status (no new version)."""
    scope = permissions.access_programme(user, value.indicator.result.programme)
    permissions.access_flag(scope)
    with transaction.atomic():
        row = IndicatorValue.objects.select_for_update().get(pk=value.pk)
        if row.follow_up != flagged:
            row.follow_up = flagged
            row._history_user = user
            row._change_reason = "follow-up raised" if flagged else "follow-up cleared"
            row.save(update_fields=["follow_up", "updated_at"])
    return row


def set_opening_date(*, user, programme: Programme, period: Period, opens_on: date | None) -> QuarterState:
    """Set the date a quarter opens for entry (reviewers and admins)."""
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    with transaction.atomic():
        state = _locked_state(programme, period)
        state.opens_on = opens_on
        state.updated_by = user
        state._history_user = user
        state._change_reason = f"opens on {opens_on}"
        state.save()
    return state


def _notify_returned(value: IndicatorValue, *, reviewer, comment: str, period: Period, programme: Programme) -> None:
    person = value.entered_by
    if person is None:
        return
    text = MSG_RETURNED_NOTIFICATION.format(
        reviewer=reviewer.get_username(), indicator=value.indicator.code, period=period, comment=comment
    )[:500]
    link = f"/entry/{programme.code}/{period}/#row-{key_of(value)}"
    Notification.objects.create(user=person, text=text, link=link)
    if person.email:
        # Mail is a courtesy: the in-app notification is the record, so a mail failure must not undo the return.
        transaction.on_commit(lambda: _send_quietly(person.email, text))


def _send_quietly(address: str, text: str) -> None:
    try:
        send_mail("CSE Monitor: value returned", text, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # noqa: BLE001 - logged; see _notify_returned
        logger.exception("could not e-mail a returned-value notification")


def mark_notifications_read(*, user, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    query = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        query = query.filter(pk__in=ids)
    return query.update(read_at=timezone.now())
