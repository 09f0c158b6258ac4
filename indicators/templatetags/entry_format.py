"""Display filters of the entry pages (formatting only; no queries)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(number: Decimal | None) -> str:
    """A Decimal without trailing zeros ("1234.5"); "—" for None; text (a figure as printed) unchanged."""
    if number is None or number == "":
        return "—"
    if not isinstance(number, Decimal):
        return str(number)
    return format(number.normalize(), "f")
