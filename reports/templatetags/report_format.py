"""Template filters printing numbers in the report's conventions. Filters only: none touches the database."""

from __future__ import annotations

from django import template

from reports import formatting

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
    """A scores-engine Figure (ratio) as a percentage, or "Sin dato"."""
    return formatting.percent(getattr(figure, "value", None), int(places))


@register.filter
def figure_score(figure):
    return formatting.score(getattr(figure, "value", None))


@register.filter
def indicator_value(row, indicator):
    """An indicator value/target row (dict from the selector) printed in the indicator's unit."""
    if not row:
        return formatting.NO_DATA
    return formatting.indicator_figure(
        value=row.get("value"),
        share=row.get("share"),
        unit_kind=indicator.unit_kind,
        source_text=row.get("source_text") or "",
        no_data=row.get("no_data", False),
    )


@register.filter
def lines(text):
    """Split a one-item-per-line text into its non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def paragraphs(text):
    """Narrative text as blocks: ("p", text) for paragraphs, ("ul", [items]) for runs of "- " lines."""
    blocks: list[tuple[str, object]] = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        chunk_lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not chunk_lines:
            continue
        if all(line.startswith("- ") for line in chunk_lines):
            blocks.append(("ul", [line[2:].strip() for line in chunk_lines]))
        else:
            blocks.append(("p", " ".join(chunk_lines)))
    return blocks
