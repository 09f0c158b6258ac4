"""SVG charts: sharp vectors with their numbers as text; missing figures are written, never drawn as 0."""

import xml.etree.ElementTree as ET  # parses SVG our own code produced
from decimal import Decimal

from reports.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def test_bar_chart_carries_its_numbers_as_text_and_in_its_description():
    chart = bar_chart("c", "Logro", ["OE", "R1"], [Series("Logro", [Decimal("0.81"), Decimal("1.52")])])
    assert chart.rows == [["OE", "81%"], ["R1", "152%"]]
    root = _parse(chart.svg)
    assert root.get("role") == "img"
    assert "OE" in root.find(f"{SVG}desc").text and "152%" in root.find(f"{SVG}desc").text
    assert len(root.findall(f"{SVG}rect")) == 2


def test_a_missing_figure_is_written_sin_dato_and_not_drawn():
    chart = bar_chart("c", "Logro", ["OE", "R1"], [Series("Logro", [None, Decimal("0.5")])])
    root = _parse(chart.svg)
    assert len(root.findall(f"{SVG}rect")) == 1
    assert chart.rows[0] == ["OE", "Sin dato"]
    assert any(t.text == "Sin dato" for t in root.iter(f"{SVG}text"))


def test_a_line_is_broken_where_a_period_has_no_figure():
    values = [Decimal("0.5"), None, Decimal("0.3"), Decimal("0.6")]
    chart = line_chart("t", "Eficacia", ["2009", "2010", "2011Q1", "2011Q2"], [Series("R1", values)])
    root = _parse(chart.svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # only the two consecutive points join
    assert len(root.findall(f"{SVG}circle")) == 3


def test_labels_are_escaped_inside_the_svg():
    chart = bar_chart("c", "<b>t</b>", ["</svg><script>x</script>"], [Series("s", [Decimal("1")])])
    assert "<script>" not in chart.svg
    _parse(chart.svg)  # still well-formed
