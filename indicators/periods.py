"""Reporting periods: a year, or a quarter of a year. Pure: imports nothing from Django.

Periods are written ``2011`` (the whole year) and ``2011Q3`` (a quarter). In the
database a period is two columns, ``year`` and ``quarter``, where quarter 0 means
the whole year (0 rather than NULL so that unique constraints hold on every backend).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from cse_monitor.lib.years import FIRST_YEAR, LAST_YEAR

WHOLE_YEAR = 0
_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*[-\s]?\s*[Qq]([1-4]))?\s*$")


class InvalidPeriod(ValueError):
    """Raised for a period string that is not ``YYYY`` or ``YYYYQn``."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int = WHOLE_YEAR  # 0 = whole year, 1–4 = quarter

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidPeriod(f"year {self.year} out of range")
        if self.quarter not in (0, 1, 2, 3, 4):
            raise InvalidPeriod(f"quarter {self.quarter} must be 0 (whole year) or 1–4")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text or "")
        if not match:
            raise InvalidPeriod(f"{text!r} is not a period: write 2011 or 2011Q3")
        return cls(int(match.group(1)), int(match.group(2) or 0))

    @classmethod
    def containing(cls, day: date) -> Period:
        """The quarter ``day`` falls in (the current quarter, given today)."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def is_year(self) -> bool:
        return self.quarter == WHOLE_YEAR

    def __str__(self) -> str:
        return str(self.year) if self.is_year else f"{self.year}Q{self.quarter}"

    @property
    def start(self) -> date:
        if self.is_year:
            return date(self.year, 1, 1)
        return date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        if self.is_year or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def quarters(self) -> list[Period]:
        """The quarters a period covers: four for a year, itself for a quarter."""
        if self.is_year:
            return [Period(self.year, q) for q in (1, 2, 3, 4)]
        return [self]

    def previous(self) -> Period:
        """The period before: the previous year for a year, the previous quarter for a quarter."""
        if self.is_year:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def sort_key(self) -> tuple[int, int]:
        """Orders a year after its quarters (a year's figure closes the year)."""
        return (self.year, 5 if self.is_year else self.quarter)


def period_range(first: Period, last: Period) -> list[Period]:
    """Every quarter from ``first`` to ``last`` inclusive (years expand to their quarters)."""
    start = first.quarters()[0]
    stop = last.quarters()[-1]
    out: list[Period] = []
    current = start
    while (current.year, current.quarter) <= (stop.year, stop.quarter):
        out.append(current)
        current = Period(current.year + 1, 1) if current.quarter == 4 else Period(current.year, current.quarter + 1)
    return out
