"""Period parameters of the API: parsing and filtering by period."""

from __future__ import annotations

from django.db.models import Q
from rest_framework.exceptions import ValidationError

from indicators.periods import InvalidPeriod, Period

# ---------------------------------------------------------------------------------------------
# Period range filtering (shared by the values list and the series)


def parse_period(value: str, name: str) -> Period:
    try:
        return Period.parse(value)
    except InvalidPeriod as exc:
        raise ValidationError({name: [str(exc)]}) from exc


def period_from_q(period: Period, prefix: str = "") -> Q:
    """Rows whose (year, quarter) is at or after ``period``; a year starts at its first quarter."""
    if period.is_year:
        return Q(**{f"{prefix}year__gte": period.year})
    return Q(**{f"{prefix}year__gt": period.year}) | Q(
        **{f"{prefix}year": period.year, f"{prefix}quarter__gte": period.quarter}
    )


def period_to_q(period: Period, prefix: str = "") -> Q:
    """Rows whose (year, quarter) is at or before ``period``; a year ends with its last quarter."""
    if period.is_year:
        return Q(**{f"{prefix}year__lte": period.year})
    return Q(**{f"{prefix}year__lt": period.year}) | Q(
        **{f"{prefix}year": period.year, f"{prefix}quarter__gte": 1, f"{prefix}quarter__lte": period.quarter}
    )
