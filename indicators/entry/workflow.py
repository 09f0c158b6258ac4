"""The review workflow of a quarter: submit, return, approve, reopen; follow-up flags, opening dates, notifications.

Like the saving services, these take keyword-only arguments, check permissions themselves, raise the
typed errors of ``indicators.entry.errors`` and record every change in the history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from indicators import permissions
from indicators.entry.errors import EntryError, QuarterNotOpen, SelfApprovalError, WorkflowError
from indicators.entry.quarters import (
    MSG_APPROVED,
    locked_state,
    quarter_period,
    quarter_values,
    require_open,
    set_state,
)
from indicators.entry.rows import key_of
from indicators.models import IndicatorValue, Notification, Programme, QuarterState, ValueReview
from indicators.periods import Period

logger = logging.getLogger(__name__)

Status = IndicatorValue.Status

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
MSG_REOPEN_REASON = gettext_noop("Reopening a quarter needs a reason.")
MSG_RETURNED_NOTIFICATION = gettext_noop("{reviewer} returned {indicator} ({period}): {comment}")
MSG_REOPENED_NOTIFICATION = gettext_noop("{reviewer} reopened {period} of {programme}: {reason}")


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


def quarter_submit(*, user, programme: Programme, period: Period, today: date | None = None) -> int:
    """Submit the draft and returned values the user entered in the quarter; returns how many were submitted.

    Others' drafts stay drafts, whatever the submitter's role: each person vouches for their own rows.
    """
    period = quarter_period(period)
    scope = permissions.access_programme(user, programme)
    permissions.access_submit(scope)
    with transaction.atomic():
        state = locked_state(programme, period)
        require_open(state, today)
        pending = list(
            quarter_values(programme, period)
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
            set_state(state, user=user, status=QuarterState.Status.SUBMITTED, reason="submitted")
    return count


def values_return(*, user, programme: Programme, period: Period, comments: dict[int, str]) -> int:
    """Return submitted values, each with its comment; notifies who entered each. Returns the count."""
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    if not comments:
        raise WorkflowError(MSG_NOTHING_TO_RETURN)
    if any(not text.strip() for text in comments.values()):
        raise WorkflowError(MSG_RETURN_REASON)
    with transaction.atomic():
        state = locked_state(programme, period)
        if state.status == QuarterState.Status.APPROVED:
            raise QuarterNotOpen(MSG_APPROVED)
        values = list(
            quarter_values(programme, period)
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
        set_state(state, user=user, status=QuarterState.Status.OPEN, reason=f"{len(values)} value(s) returned")
    return len(values)


def quarter_approve(*, user, programme: Programme, period: Period, seen: dict[int, int]) -> int:
    """Approve every submitted value of the quarter, as the reviewer saw it, and lock the quarter.

    ``seen`` maps each value id to the version the reviewer read. Refused, changing nothing, while
    values are pending, when a submitted value is newer than seen or was not seen at all, and when
    the reviewer entered any of them.
    """
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    with transaction.atomic():
        state = locked_state(programme, period)
        if state.status == QuarterState.Status.APPROVED:
            raise QuarterNotOpen(MSG_APPROVED)
        values = list(
            quarter_values(programme, period).select_related("indicator", "chain").select_for_update(of=("self",))
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
        set_state(state, user=user, status=QuarterState.Status.APPROVED, reason="approved", reopened=False)
    return count


def values_approve(*, user, programme: Programme, period: Period, seen: dict[int, int]) -> int:
    """Approve the submitted values ``seen`` names (value id → the version the reviewer read); the quarter stays open.

    All or nothing: refused when one of them is not submitted, is newer than seen, or was entered by the reviewer.
    """
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    with transaction.atomic():
        state = locked_state(programme, period)
        if state.status == QuarterState.Status.APPROVED:
            raise QuarterNotOpen(MSG_APPROVED)
        values = list(
            quarter_values(programme, period)
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


def quarter_reopen(*, user, programme: Programme, period: Period, reason: str) -> QuarterState:
    """Reopen a closed or approved quarter for correction (reviewer, with a reason)."""
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    if not reason.strip():
        raise EntryError(MSG_REOPEN_REASON)
    with transaction.atomic():
        state = locked_state(programme, period)
        set_state(state, user=user, status=QuarterState.Status.OPEN, reason=reason.strip(), reopened=True)
        entered_by = {
            v.entered_by for v in quarter_values(programme, period).select_related("entered_by") if v.entered_by
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


def value_follow_up_set(*, user, value: IndicatorValue, flagged: bool) -> IndicatorValue:
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


def quarter_opening_date_set(*, user, programme: Programme, period: Period, opens_on: date | None) -> QuarterState:
    """Set the date a quarter opens for entry (reviewers and admins)."""
    period = quarter_period(period)
    permissions.access_review(permissions.access_programme(user, programme))
    with transaction.atomic():
        state = locked_state(programme, period)
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
    except Exception:  # logged: mail is a courtesy, see _notify_returned
        logger.exception("could not e-mail a returned-value notification")


def notifications_mark_read(*, user, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    query = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        query = query.filter(pk__in=ids)
    return query.update(read_at=timezone.now())
