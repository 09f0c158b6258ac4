"""Template filters printing figures in the application's one convention (``cse_monitor.lib.formatting``).

Every page that prints an indicator's figure, a score or an amount loads these: the entry page, the
report, the home page. Filters only: none touches the database.
"""

from __future__ import annotations

from django import template

from cse_monitor.lib import formatting

register = template.Library()


@register.filter
def num(value, places=None):
    """8,115,563 / 10,801,814.35; ``places`` fixes the decimals."""
    return formatting.number(value, None if places in (None, "") else int(places))


@register.filter
def money(value):
    return formatting.money(value)


@register.filter
def pct(ratio, places=0):
    """A ratio as a percentage: 0.84 -> 84%."""
    return formatting.percent(ratio, int(places))


@register.filter
def pct_value(value):
    """A value already in percent: 51.5 -> 51.5%."""
    return formatting.percent_value(value)


@register.filter
def score(ratio):
    """Sustainability, a ratio with two decimals: 0.61."""
    return formatting.score(ratio)


@register.filter
def figure_pct(figure, places=0):
    """A Figure (ratio, stated or computed) as a percentage, or "Sin dato"."""
    return formatting.percent(getattr(figure, "value", None), int(places))


@register.filter
def figure_score(figure):
    return formatting.score(getattr(figure, "value", None))


@register.filter
def indicator_value(printed, indicator):
    """A figure as a table prints it (``indicators.figures.Printed``, or a bare number) in the indicator's unit."""
    if printed is None:
        return formatting.NO_DATA
    if not hasattr(printed, "source_text"):
        return formatting.indicator_figure(value=printed, unit_kind=indicator.unit_kind)
    return formatting.indicator_figure(
        value=printed.value,
        share=printed.share,
        unit_kind=indicator.unit_kind,
        source_text=printed.source_text,
        no_data=printed.no_data,
    )
