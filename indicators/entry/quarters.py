"""A quarter of entry: its stored state, its window (not yet open, open, closed, approved) and its values."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from indicators.entry import rules
from indicators.entry.errors import EntryError, QuarterNotOpen
from indicators.models import IndicatorValue, Programme, QuarterState
from indicators.periods import Period

MSG_NOT_A_QUARTER = gettext_noop("Values are entered per quarter (e.g. 2012Q1), not per year.")
MSG_NOT_YET_OPEN = gettext_noop("This quarter opens for entry on {date}.")
MSG_CLOSED = gettext_noop("This quarter closed for entry on {date}; only a reviewer can reopen it.")
MSG_APPROVED = gettext_noop("This quarter is approved and locked; a correction needs a reviewer to reopen it.")


def quarter_period(period: Period) -> Period:
    """``period`` when it is a quarter; EntryError for a year."""
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


def window_error(state: QuarterState, window: rules.WindowState) -> QuarterNotOpen | None:
    """Why the quarter refuses entry in ``window`` (None when it is open): one message for the form and the API."""
    if window is rules.WindowState.OPEN:
        return None
    if window is rules.WindowState.APPROVED:
        return QuarterNotOpen(MSG_APPROVED)
    if window is rules.WindowState.NOT_YET_OPEN:
        return QuarterNotOpen(MSG_NOT_YET_OPEN, date=state.opens_on or state.period.start)
    return QuarterNotOpen(MSG_CLOSED, date=closing_date(state.period))


def require_open(state: QuarterState, today: date | None = None) -> None:
    """QuarterNotOpen unless the quarter accepts entry ``today``."""
    error = window_error(state, window_for(state, today=today))
    if error is not None:
        raise error


def locked_state(programme: Programme, period: Period) -> QuarterState:
    """The quarter's state, created when missing, locked for update until the transaction ends."""
    state, _ = QuarterState.objects.select_for_update().get_or_create(
        programme=programme, year=period.year, quarter=period.quarter
    )
    return state


def set_state(state: QuarterState, *, user, status: str, reason: str, reopened: bool | None = None) -> None:
    """Store the quarter's new status, with its reason, in the state's history."""
    state.status = status
    if reopened is not None:
        state.reopened = reopened
    state.reason = reason[:500]
    state.updated_by = user
    state._history_user = user
    state._change_reason = reason[:100]
    state.save()


def quarter_values(programme: Programme, period: Period) -> QuerySet[IndicatorValue]:
    """The programme's stored values of the quarter, every row and status."""
    return IndicatorValue.objects.filter(
        indicator__result__programme=programme, year=period.year, quarter=period.quarter
    )
