"""Server-side SVG charts of the annual report. Pure: imports nothing from Django.

Each chart is an ``svg`` string (every text in it escaped) plus ``rows``: the same numbers as
text, which the template prints as a table for screen readers, and which the SVG repeats in its
``<title>``/``<desc>``. Missing figures (None) are drawn as nothing and written "Sin dato";
they are never drawn as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from cse_monitor.lib import formatting

PALETTE = ["#0b5d7a", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#34495e"]
WIDTH = 640


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its numbers as text: ``headers`` and ``rows`` form the accessible table."""

    id: str
    title: str
    svg: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | None]


def _f(x: float) -> str:
    return f"{x:.1f}"


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(height)}" width="{WIDTH}" '
        f'height="{_f(height)}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart" '
        f'font-family="DejaVu Sans, sans-serif">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _describe(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "; ".join(", ".join(f"{h}: {v}" for h, v in zip(headers, row, strict=False)) for row in rows)


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt=formatting.percent,
    reference: Decimal | None = Decimal("1"),
    reference_label: str = "100%",
) -> Chart:
    """Horizontal grouped bars, one group per label and one bar per series (values ≥ 0; negatives drawn as 0)."""
    headers = ["", *[s.label for s in series]]
    rows = [[label, *[fmt(s.values[i]) for s in series]] for i, label in enumerate(labels)]
    present = [v for s in series for v in s.values if v is not None]
    top = max([Decimal("0"), *present, reference or Decimal("0")])
    top = top if top > 0 else Decimal("1")
    left, right, bar_h, gap = 150.0, 70.0, 14.0, 10.0
    legend_h = 22.0 if len(series) > 1 else 0.0
    group_h = bar_h * len(series) + gap
    height = 20 + legend_h + group_h * len(labels) + 24
    span = WIDTH - left - right
    body: list[str] = []
    y = 14.0
    if len(series) > 1:
        x = left
        for index, s in enumerate(series):
            body.append(f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="10" height="10" fill="{PALETTE[index % 6]}"/>')
            body.append(_text(x + 14, y, s.label))
            x += 24 + 7 * len(s.label)
        y += legend_h
    for i, label in enumerate(labels):
        body.append(_text(left - 6, y + group_h / 2, label[:24], anchor="end"))
        for index, s in enumerate(series):
            value = s.values[i]
            by = y + index * bar_h
            if value is None:
                body.append(_text(left + 4, by + bar_h - 3, formatting.NO_DATA, cls="nodata", size=10))
                continue
            w = float(max(value, Decimal("0")) / top) * span
            body.append(
                f'<rect x="{_f(left)}" y="{_f(by)}" width="{_f(w)}" height="{_f(bar_h - 2)}" '
                f'fill="{PALETTE[index % 6]}"/>'
            )
            body.append(_text(left + w + 4, by + bar_h - 3, fmt(value), size=10))
        y += group_h
    if reference is not None:
        rx = left + float(reference / top) * span
        body.append(
            f'<line x1="{_f(rx)}" y1="{_f(20 + legend_h - 6)}" x2="{_f(rx)}" y2="{_f(y)}" '
            f'stroke="#555" stroke-dasharray="4 3"/>'
        )
        body.append(_text(rx, y + 14, reference_label, anchor="middle", size=10))
    body.append(f'<line x1="{_f(left)}" y1="{_f(20 + legend_h - 6)}" x2="{_f(left)}" y2="{_f(y)}" stroke="#333"/>')
    svg = _svg(chart_id, title, _describe(headers, rows), height, body)
    return Chart(chart_id, title, svg, headers, rows)


def line_chart(
    chart_id: str,
    title: str,
    periods: Sequence[str],
    series: Sequence[Series],
    *,
    fmt=formatting.percent,
) -> Chart:
    """One line per series over ``periods``; a None breaks the line (no point is invented)."""
    headers = ["", *periods]
    rows = [[s.label, *[fmt(v) for v in s.values]] for s in series]
    present = [v for s in series for v in s.values if v is not None]
    top = max([Decimal("0"), *present])
    top = top if top > 0 else Decimal("1")
    left, right, top_pad, bottom = 46.0, 110.0, 12.0, 28.0
    height = 200.0
    plot_h = height - top_pad - bottom
    span = WIDTH - left - right
    step = span / max(len(periods) - 1, 1)
    body: list[str] = [
        f'<line x1="{_f(left)}" y1="{_f(top_pad)}" x2="{_f(left)}" y2="{_f(top_pad + plot_h)}" stroke="#333"/>',
        f'<line x1="{_f(left)}" y1="{_f(top_pad + plot_h)}" x2="{_f(left + span)}" y2="{_f(top_pad + plot_h)}" '
        f'stroke="#333"/>',
        _text(left - 4, top_pad + 4, fmt(top), anchor="end", size=9),
        _text(left - 4, top_pad + plot_h, fmt(Decimal("0")), anchor="end", size=9),
    ]
    for i, period in enumerate(periods):
        body.append(_text(left + i * step, height - 10, period, anchor="middle", size=9))

    def point(i: int, v: Decimal) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h - float(max(v, Decimal("0")) / top) * plot_h

    for index, s in enumerate(series):
        colour = PALETTE[index % 6]
        segment: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>'
                    )
                segment = []
                continue
            x, y = point(i, v)
            segment.append(f"{_f(x)},{_f(y)}")
            body.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2.5" fill="{colour}"/>')
        if len(segment) > 1:
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>')
        ly = top_pad + 12 + index * 14
        body.append(f'<rect x="{_f(WIDTH - right + 10)}" y="{_f(ly - 8)}" width="10" height="3" fill="{colour}"/>')
        body.append(_text(WIDTH - right + 24, ly, s.label, size=10))
    svg = _svg(chart_id, title, _describe(headers, rows), height, body)
    return Chart(chart_id, title, svg, headers, rows)


def report_charts(report, gettext=lambda text: text) -> list[Chart]:
    """The charts of a ``reports.selectors.AnnualReport`` (duck-typed: this module imports no Django).

    ``gettext`` translates the titles (English msgids); the caller passes Django's.
    """
    _ = gettext
    charts: list[Chart] = []
    if report.summary:
        charts.append(
            bar_chart(
                "chart-achievement",
                _("Average achievement of the indicators per level, %(year)s") % {"year": report.year},
                [row.code for row in report.summary],
                [Series(_("Average achievement"), [row.average_achievement.value for row in report.summary])],
            )
        )
    periods = [str(p) for p in report.card.periods]
    levels = report.card.levels
    if levels and periods:
        for name, label, fmt in (
            ("efficacy", _("Efficacy per period"), formatting.percent),
            ("efficiency", _("Efficiency per period"), formatting.percent),
            ("sustainability", _("Sustainability per period"), formatting.score),
        ):
            charts.append(
                line_chart(
                    f"chart-{name}",
                    label,
                    periods,
                    [Series(level.code, [f.value for f in getattr(level, name)]) for level in levels],
                    fmt=fmt,
                )
            )
    if report.budget_by_result:
        charts.append(
            bar_chart(
                "chart-budget",
                _("Budget execution per result (total spent ÷ budget)"),
                [rb.code for rb in report.budget_by_result],
                [Series(_("Execution rate"), [rb.execution.rate for rb in report.budget_by_result])],
            )
        )
    return charts
