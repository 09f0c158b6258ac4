"""Display filters of the entry pages (formatting only; no queries)."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def plain_number(number: Decimal | None) -> str:
    """A Decimal without trailing zeros ("1234.5"); "—" for None; text (a figure as printed) unchanged."""
    if number is None or number == "":
        return "—"
    if not isinstance(number, Decimal):
        return str(number)
    return format(number.normalize(), "f")


@register.filter
def ratio_percent(ratio: Decimal | None) -> str:
    """A ratio as an uncapped whole percentage (1.06 → "106 %"); "Sin dato" for None."""
    if ratio is None:
        return _("Sin dato")
    return f"{(ratio * 100).quantize(Decimal('1'))} %"
