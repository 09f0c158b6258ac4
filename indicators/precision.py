"""How many digits a stored number keeps. Pure: imports nothing from Django.

The figures' precisions are declared once, in ``indicators.models`` next to the fields they size
(``MEASURE``, ``MONEY``, ``SHARE``); the entry rules, the quarter form, the API and the programme
loader all check a number against the same :class:`Precision` and refuse, never round, what the
column would not hold exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# SQLite keeps a decimal column as a REAL (a double) and Django reads it back through a 15-digit
# context: beyond 15 significant digits a stored number comes back changed, or not at all.
EXACT_DIGITS = 15


@dataclass(frozen=True)
class Precision:
    """``digits`` significant digits in all, ``places`` of them after the decimal mark."""

    digits: int
    places: int

    def __post_init__(self) -> None:
        if not 0 <= self.places < self.digits <= EXACT_DIGITS:
            raise ValueError(f"{self} is not held exactly by every database (at most {EXACT_DIGITS} digits)")

    @property
    def step(self) -> Decimal:
        """The smallest difference the column tells apart (0.0001 for 4 places)."""
        return Decimal(1).scaleb(-self.places)

    @property
    def largest(self) -> Decimal:
        """The largest magnitude the column holds (99999999999.9999 for 15 digits, 4 places)."""
        return Decimal(10) ** (self.digits - self.places) - self.step

    def too_large(self, number: Decimal) -> bool:
        return not number.is_finite() or abs(number) > self.largest

    def too_precise(self, number: Decimal) -> bool:
        """More decimals than the column keeps (trailing zeros do not count: 1.50000 is 1.5)."""
        return not self.too_large(number) and number != number.quantize(self.step)
