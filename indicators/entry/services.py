"""Writing values: a quarter's rows as a user saves them, a programme file's values as a loader stores them.

HTTP-agnostic: the browser form and the REST API call :func:`quarter_values_save` with keyword-only
arguments, the programme loader :func:`values_load`. They check permissions themselves
(``PermissionDenied``), raise the typed errors of ``indicators.entry.errors`` and write atomically
(a refused save writes nothing). Every change goes through simple-history with its user and reason.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from cse_monitor.lib.messages import Message, translated
from indicators import permissions
from indicators.entry import rules
from indicators.entry.errors import (
    Conflict,
    ConflictError,
    EntryError,
    EntryValidationError,
    LoadError,
)
from indicators.entry.quarters import quarter_period, quarter_state, quarter_values, require_open, set_state
from indicators.entry.rows import (
    RowKey,
    SaveResult,
    ValueInput,
    allowed_rows,
    change_needs_reason,
    is_ratio,
    key_of,
    outlier_factor,
    programme_regions,
)
from indicators.entry.rules import plain_number
from indicators.models import MEASURE, SHARE, Indicator, IndicatorValue, Programme, QuarterState, Sex
from indicators.periods import Period

Status = IndicatorValue.Status

MSG_REASON_REQUIRED = gettext_noop("This value was already {status}: give a reason for the change.")
MSG_UNKNOWN_ROW = gettext_noop("This indicator, value chain, region or sex is not part of this programme's entry form.")
LOAD_ROW_TEMPLATE = "{indicator} {period} {field}: {message}"
LOADED_REASON = "loaded from programme file"


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
    kind = rules.sniff_evidence(head, zip_names=_zip_names(upload) if head.startswith(b"PK\x03\x04") else [])
    upload.seek(0)
    name = rules.safe_filename(upload.name or "")
    if kind is None or not rules.extension_matches(name, kind):
        raise EntryError(rules.MSG_EVIDENCE_TYPE)
    return name


def _zip_names(upload: UploadedFile) -> list[str]:
    """The member names of a zip upload (an Office file is one); none when it is not a readable zip."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.namelist()
    except zipfile.BadZipFile:
        return []


# ---------------------------------------------------------------------------------------------
# The rules of one row


def _rule_errors(indicator: Indicator, item: ValueInput, *, stated: bool = False) -> list[tuple[str, str]]:
    """(field, message) of the rules every stored row obeys: no data, unit, precision, allowed range.

    One implementation for the form, the API and the programme loader. A ratio row's ``value`` is its
    computed share. ``stated``: a figure as a report prints it (a count-with-share may lack either).
    """
    unit_kind = indicator.unit_kind
    if unit_kind == Indicator.UnitKind.COUNT_SHARE and not item.key.is_total:
        unit_kind = Indicator.UnitKind.COUNT  # the parts of a count-with-share are plain counts
    if is_ratio(indicator):
        numbers = {"numerator": item.numerator, "denominator": item.denominator}
        errors = _ratio_errors(unit_kind, item)
    else:
        numbers = {"value": item.value, "share": item.share}
        errors = _value_errors(unit_kind, item, stated=stated)
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


def _ratio_errors(unit_kind: str, item: ValueInput) -> list[tuple[str, str]]:
    """The no-data and numerator/denominator rules of a ratio row."""
    errors = [
        ("no_data", m)
        for m in rules.no_data_errors(
            no_data=item.no_data, reason=item.no_data_reason, value=item.numerator, share=item.denominator
        )
    ]
    if not item.no_data:
        errors += [("numerator", m) for m in rules.ratio_errors(unit_kind, item.numerator, item.denominator)]
    return errors


def _value_errors(unit_kind: str, item: ValueInput, *, stated: bool) -> list[tuple[str, str]]:
    """The no-data and unit rules of a row with a typed value (and share)."""
    errors = [
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
    return errors


def _row_errors(
    indicator: Indicator, item: ValueInput, previous: IndicatorValue | None, factor: Decimal
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one row: the stored-row rules, then the outlier and expected-range checks."""
    errors = [message for _field, message in _rule_errors(indicator, item)]
    warnings: list[str] = []
    previous_value = previous.value if previous is not None and not previous.no_data else None
    if rules.is_outlier(item.value, previous_value, factor):
        message = Message(rules.MSG_OUTLIER, factor=plain_number(factor), previous=plain_number(previous_value))
        (warnings if item.comment.strip() else errors).append(message)
    if item.key.is_total:
        warning = rules.expected_range_warning(item.value, indicator.expected_min, indicator.expected_max)
        warnings += [warning] if warning else []
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


# ---------------------------------------------------------------------------------------------
# Saving a quarter's values


@dataclass(frozen=True)
class _EntryForm:
    """What a programme's quarter form holds: its indicators with data (by id), chains and regions."""

    indicators: dict[int, Indicator]
    chain_ids: list[int]
    regions: list[str]

    @classmethod
    def of(cls, programme: Programme) -> _EntryForm:
        indicators = Indicator.objects.filter(result__programme=programme, has_data=True).select_related("result")
        return cls(
            indicators={i.pk: i for i in indicators},
            chain_ids=list(programme.chains.values_list("pk", flat=True)),
            regions=list(programme_regions(programme)),
        )

    def indicator(self, key: RowKey) -> Indicator | None:
        """The row's indicator when the row is on the form; None for a row the form does not have."""
        indicator = self.indicators.get(key.indicator_id)
        if indicator is None or key not in allowed_rows(indicator, self.chain_ids, self.regions):
            return None
        return indicator


@dataclass
class _Plan:
    """The checked rows of one save, before anything is written."""

    merged: dict[RowKey, tuple[Decimal | None, Decimal | None]]  # (value, share) of every row as it will stand
    writes: list[tuple[ValueInput, IndicatorValue | None]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: dict[RowKey, list[str]] = field(default_factory=dict)
    evidence_names: dict[RowKey, str] = field(default_factory=dict)
    result: SaveResult = field(default_factory=SaveResult)


def quarter_values_save(
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
    form = _EntryForm.of(programme)
    items = _checked_shape(scope, form, list(inputs))
    try:
        with transaction.atomic():
            state = _locked_open_state(programme, period, today)
            current = {
                key_of(v): v
                for v in quarter_values(programme, period).select_for_update(of=("self",)).select_related("entered_by")
            }
            previous = {key_of(v): v for v in quarter_values(programme, period.previous())}
            plan = _plan(items, form=form, current=current, previous=previous)
            if plan.conflicts:
                raise ConflictError(plan.conflicts)
            _add_consistency_errors(plan, form)
            if plan.errors:
                raise EntryValidationError(plan.errors)
            drafts_written = _write(plan, user=user, period=period)
            if drafts_written and state.pk and state.status != QuarterState.Status.OPEN:
                # A new or corrected draft means the quarter is being entered again, not waiting for review.
                set_state(state, user=user, status=QuarterState.Status.OPEN, reason="values in draft again")
    except IntegrityError as exc:
        # Someone created one of these rows between our read and our write (no row to lock yet).
        raise ConflictError(_created_meanwhile(programme, period, items)) from exc
    return plan.result


def _checked_shape(scope: permissions.Scope, form: _EntryForm, items: list[ValueInput]) -> list[ValueInput]:
    """The items, ratio rows with their computed share, once each is a row of the form the user may edit.

    PermissionDenied for a row outside the user's assignment; EntryValidationError for rows the form
    does not have and for a value typed where a numerator and a denominator go (or the reverse).
    """
    errors: dict[RowKey, list[str]] = {}
    for item in items:
        indicator = form.indicator(item.key)
        if indicator is None:
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
    return [_with_ratio_share(form.indicators[item.key.indicator_id], item) for item in items]


def _locked_open_state(programme: Programme, period: Period, today: date | None) -> QuarterState:
    """The quarter's state, locked for update when stored (an unsaved default otherwise); QuarterNotOpen if closed."""
    state = quarter_state(programme, period)
    if state.pk:
        state = QuarterState.objects.select_for_update().get(pk=state.pk)
    require_open(state, today)
    return state


def _plan(
    items: list[ValueInput],
    *,
    form: _EntryForm,
    current: dict[RowKey, IndicatorValue],
    previous: dict[RowKey, IndicatorValue],
) -> _Plan:
    """Sort each item: unchanged, a follow-up flag only, a conflict, or a row to write with its errors and warnings."""
    plan = _Plan(merged={key: (v.value, v.share) for key, v in current.items()})
    factor = outlier_factor()
    for item in items:
        existing = current.get(item.key)
        if not _changed(existing, item):
            if existing is not None and existing.follow_up != item.follow_up:
                plan.writes.append((item, existing))
            else:
                plan.result.unchanged += 1
        elif existing is None and _is_empty(item):
            plan.result.unchanged += 1  # an empty row that never existed: nothing to save
        elif (existing.version if existing else None) != item.expected_version:
            plan.conflicts.append(Conflict(item.key, item, existing, _who(existing)))
        else:
            indicator = form.indicators[item.key.indicator_id]
            _check_row(plan, indicator, item, existing, previous.get(item.key), factor)
            plan.merged[item.key] = (item.value, item.share)
            plan.writes.append((item, existing))
    return plan


def _check_row(
    plan: _Plan,
    indicator: Indicator,
    item: ValueInput,
    existing: IndicatorValue | None,
    previous: IndicatorValue | None,
    factor: Decimal,
) -> None:
    """Record one changed row's errors and warnings in the plan, and its evidence file's name when accepted."""
    errors, warnings = _row_errors(indicator, item, previous, factor)
    if change_needs_reason(existing) and not item.reason.strip():
        errors.append(Message(MSG_REASON_REQUIRED, status=existing.get_status_display()))
    if item.evidence is not None:
        try:
            plan.evidence_names[item.key] = check_evidence(item.evidence)
        except EntryError as exc:
            errors.append(exc.message)
    if errors:
        plan.errors[item.key] = errors
    if warnings:
        plan.result.warnings[item.key] = warnings


def _add_consistency_errors(plan: _Plan, form: _EntryForm) -> None:
    """The share checks of count-with-share rows as they will stand, on the rows this save writes."""
    written = {item.key for item, _existing in plan.writes}
    for key, messages in _consistency_errors(form.indicators, plan.merged).items():
        if key in written:
            plan.errors.setdefault(key, []).extend(messages)


def _write(plan: _Plan, *, user, period: Period) -> bool:
    """Write the plan's rows, counting them in its result; True when some row is now a draft."""
    drafts_written = False
    for item, existing in plan.writes:
        if existing is not None and not _changed(existing, item):
            _write_follow_up(existing, item.follow_up, user=user)
            plan.result.updated += 1
            continue
        row = _write_row(item, existing, user=user, period=period, evidence_name=plan.evidence_names.get(item.key))
        drafts_written = drafts_written or row.status == Status.DRAFT
        if existing is None:
            plan.result.created += 1
        else:
            plan.result.updated += 1
    return drafts_written


def _write_follow_up(row: IndicatorValue, flagged: bool, *, user) -> None:
    """Only the follow-up flag changed: no new version."""
    row.follow_up = flagged
    row._history_user = user
    row._change_reason = "follow-up flag"
    row.save(update_fields=["follow_up", "updated_at"])


def _write_row(
    item: ValueInput, existing: IndicatorValue | None, *, user, period: Period, evidence_name: str | None
) -> IndicatorValue:
    """Store one row as the user entered it, as a new version; an approved or returned value becomes a draft."""
    row = existing or IndicatorValue(
        indicator_id=item.key.indicator_id,
        year=period.year,
        quarter=period.quarter,
        chain_id=item.key.chain_id,
        sex=item.key.sex,
        region=item.key.region,
        version=0,
    )
    figures_before = _figures(row) if existing is not None else None
    _set_figures(row, item)
    if row.is_stated and _figures(row) != figures_before:
        row.is_stated = False  # a report's figure changed here is an entered one now
    row.comment = item.comment
    row.follow_up = item.follow_up
    row.entered_by = user
    if existing is not None and existing.status in (Status.APPROVED, Status.RETURNED):
        row.status = Status.DRAFT
    row.version += 1
    if item.evidence is not None:
        row.evidence.save(evidence_name, item.evidence, save=False)
    row._history_user = user
    row._change_reason = item.reason.strip() or ("created" if existing is None else "edited")
    row.save()
    return row


def _set_figures(row: IndicatorValue, item: ValueInput) -> None:
    """The row's numbers as entered; a "sin dato" row carries none, only its reason."""
    row.value, row.share = (None, None) if item.no_data else (item.value, item.share)
    row.numerator, row.denominator = (None, None) if item.no_data else (item.numerator, item.denominator)
    row.no_data = item.no_data
    row.no_data_reason = item.no_data_reason.strip() if item.no_data else ""


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


def _is_empty(item: ValueInput) -> bool:
    numbers = (item.value, item.share, item.numerator, item.denominator)
    return all(n is None for n in numbers) and not item.no_data


def _figures(row: IndicatorValue) -> tuple:
    return (row.value, row.share, row.numerator, row.denominator, row.no_data)


def _created_meanwhile(programme: Programme, period: Period, items: list[ValueInput]) -> list[Conflict]:
    now = {key_of(v): v for v in quarter_values(programme, period).select_related("entered_by")}
    return [
        Conflict(item.key, item, now[item.key], _who(now[item.key]))
        for item in items
        if item.key in now and item.expected_version != now[item.key].version
    ]


def _who(value: IndicatorValue | None) -> str:
    if value is None or value.entered_by is None:
        return ""
    return value.entered_by.get_full_name() or value.entered_by.get_username()


# ---------------------------------------------------------------------------------------------
# Loading a programme file's values


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

    def place(self) -> str:
        """The period and part, as a message names the row: 2011 (papa-nativa)."""
        part = self.chain_label or (str(self.chain_id) if self.chain_id else "") or self.region or self.sex
        return f"{self.period} ({part})" if part else str(self.period)


def values_load(*, rows: Sequence[LoadedValue], user=None, reason: str = LOADED_REASON) -> list[IndicatorValue]:
    """Store a programme file's values, approved, with their history; all or nothing.

    Each row obeys the rules of every stored row (precision, allowed range, unit, no data): one that
    breaks them refuses the lot with :class:`LoadError`, which names its indicator, period and field.
    Written in bulk (rows and history), as loading a programme is a set-up step that must stay quick.
    """
    problems: list[str] = []
    objects: list[IndicatorValue] = []
    for row in rows:
        item = row.as_input()
        problems += [
            LOAD_ROW_TEMPLATE.format(
                indicator=row.indicator.code, period=row.place(), field=field, message=translated(message)
            )
            for field, message in _rule_errors(row.indicator, item, stated=row.stated)
        ]
        objects.append(_loaded_row(row, item, user=user))
    if problems:
        raise LoadError(problems)
    with transaction.atomic():
        return bulk_create_with_history(objects, IndicatorValue, default_user=user, default_change_reason=reason)


def _loaded_row(row: LoadedValue, item: ValueInput, *, user) -> IndicatorValue:
    value = IndicatorValue(
        indicator=row.indicator,
        year=row.period.year,
        quarter=row.period.quarter,
        chain_id=row.chain_id,
        region=row.region,
        sex=row.sex,
        source_text=row.source_text[:120],
        is_stated=row.stated,
        status=Status.APPROVED,
        entered_by=user,
    )
    _set_figures(value, item)
    return value
