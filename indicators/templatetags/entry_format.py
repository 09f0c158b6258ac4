"""Display filters of the entry pages (formatting only; no queries)."""

from decimal import Decimal

from django import template

from indicators.entry import rules

register = template.Library()


@register.filter
def plain_number(number: Decimal | None) -> str:
    """``entry.rules.plain_number`` ("1234.5"; "—" for None or ""); text (a figure as printed) unchanged."""
    if isinstance(number, Decimal) or number is None or number == "":
        return rules.plain_number(number if isinstance(number, Decimal) else None)
    return str(number)
