"""Number formatting in the annual report's conventions. Pure: imports nothing from Django.

The report prints one convention throughout (the one of its table 2.1): thousands with ",",
decimals with "." (3,550,151.99), percentages with "%" (84%), and "Sin dato" where a figure
is missing. FIT exports in the seed use "3.550.151,99"; the report re-prints them in the
report's own convention so that a reader meets a single format.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NO_DATA = "Sin dato"
HUNDRED = Decimal("100")


def to_decimal(value: object) -> Decimal | None:
    """Decimal of ``value`` (Decimal, int, str); None for None or "" ; raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Floats never carry money here; format their shortest repr rather than binary noise.
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _group(integer_digits: str) -> str:
    out = []
    for index, digit in enumerate(reversed(integer_digits)):
        if index and index % 3 == 0:
            out.append(",")
        out.append(digit)
    return "".join(reversed(out))


def _layout(value: Decimal, places: int | None) -> str:
    """Thousands "," and decimal "." with ``places`` decimals (None: as many as the value needs)."""
    if places is not None:
        value = _quantize(value, places)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    integer, _, decimals = text.partition(".")
    if sign and set(integer + decimals) <= {"0"}:
        sign = ""  # -0.00 prints as 0.00
    return f"{sign}{_group(integer)}" + (f".{decimals}" if decimals else "")


def number(value: object, places: int | None = None, empty: str = NO_DATA) -> str:
    """A measured value: 8,115,563 / 10,801,814.35 / 37.6 (trailing zeros dropped unless ``places``)."""
    amount = to_decimal(value)
    if amount is None:
        return empty
    return _layout(amount, places)


def money(value: object, empty: str = NO_DATA) -> str:
    """Money with two decimals: 3,550,151.99; -116,429.48."""
    return number(value, 2, empty)


def percent(ratio: object, places: int = 0, empty: str = NO_DATA) -> str:
    """A ratio as a percentage rounded half up: 0.8397 -> "84%", 1.52 -> "152%" (uncapped)."""
    amount = to_decimal(ratio)
    if amount is None:
        return empty
    return f"{_layout(amount * HUNDRED, places)}%"


PERCENT_VALUE_PLACES = 2


def percent_value(value: object, empty: str = NO_DATA) -> str:
    """A value already in percent, at most two decimals rounded half up, trailing zeros dropped.

    51.5 -> "51.5%"; a computed ratio 77.2727 -> "77.27%" (the share of a ratio indicator).
    """
    amount = to_decimal(value)
    if amount is None:
        return empty
    return f"{_layout(_quantize(amount, PERCENT_VALUE_PLACES), None)}%"


def score(ratio: object, places: int = 2, empty: str = NO_DATA) -> str:
    """A sustainability score as the report prints it, a ratio with two decimals: 0.61."""
    return number(ratio, places, empty)


# Values of percentage indicators are stored in percent (51.5 = 51.5 %), as staff type them and as
# shares are kept; achievement divides like by like, so its ratio does not depend on the unit.


def indicator_figure(
    *,
    value: object = None,
    share: object = None,
    unit_kind: str = "count",
    source_text: str = "",
    no_data: bool = False,
    empty: str = NO_DATA,
) -> str:
    """An indicator's value or target: "3,212", "51.5%", "927 (35%)", "Sin dato". The unit is printed by the caller.

    ``unit_kind`` takes the values of ``Indicator.UnitKind``. ``share`` is in percent (35 = 35 %).
    A qualitative figure, or one without any number, is printed as the source printed it;
    a row marked "no data", or nothing at all, is "Sin dato".
    """
    if no_data:
        return empty
    amount, part = to_decimal(value), to_decimal(share)
    if amount is None and part is None:
        return source_text.strip() or empty
    if unit_kind == "qualitative" and source_text.strip():
        return source_text.strip()
    if unit_kind == "percentage":
        return percent_value(part if amount is None else amount)
    if amount is None:
        return percent_value(part)
    text = number(amount)
    if unit_kind == "count_share" and part is not None:
        return f"{text} ({percent_value(part)})"
    return text
