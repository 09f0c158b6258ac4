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


@register.inclusion_tag("indicators/_number_cell.html")
def number_cell(form, name: str, label: str, row_name: str, word: str = "", css: str = "") -> dict:
    """One number input of a row form (``name``: value, share, numerator or denominator) with its decimal mark.

    Screen readers hear the row's name and ``word`` (the label when not given): "R1.1 Total value".
    """
    return {
        "field": form[name],
        "mark_field": form[f"{name}_mark"],
        "readings": form.ambiguous.get(name),
        "css": css,
        "label": label,
        "aria": f"{row_name} {word or label}",
    }
