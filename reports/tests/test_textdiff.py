"""The visible text of a report document and the lines that differ between two documents (pure functions)."""

import pytest

from reports.textdiff import Change, Line, changed_lines, visible_lines

DOC = """<!doctype html><html><head><title>Informe</title><style>p {{ color: red; }}</style></head>
<body><h2>7.4 Beneficiarios</h2>
<table><thead><tr><th>Distrito</th><th>Población</th></tr></thead>
<tbody><tr><td>Quinua</td><td class="num">{quinua}</td></tr><tr><td>Tambo</td><td>4,100</td></tr></tbody></table>
<h3>3.3.1 Indicadores</h3><p>R1.1 avanza a <b>{r11}</b> productores.</p>{extra}
<script>var hidden = "{quinua}";</script></body></html>"""


def doc(quinua="6,245", r11="91", extra=""):
    return DOC.format(quinua=quinua, r11=r11, extra=extra)


def test_visible_lines_are_rows_and_paragraphs_under_their_heading():
    assert visible_lines(doc()) == [
        Line("7.4 Beneficiarios", "7.4 Beneficiarios"),
        Line("7.4 Beneficiarios", "Distrito | Población"),
        Line("7.4 Beneficiarios", "Quinua | 6,245"),
        Line("7.4 Beneficiarios", "Tambo | 4,100"),
        Line("3.3.1 Indicadores", "3.3.1 Indicadores"),
        Line("3.3.1 Indicadores", "R1.1 avanza a 91 productores."),
    ]


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (doc(), []),
        (doc(quinua="7,000"), [Change("7.4 Beneficiarios", ("Quinua | 6,245",), ("Quinua | 7,000",))]),
        (
            doc(quinua="7,000", r11="95"),
            [
                Change("7.4 Beneficiarios", ("Quinua | 6,245",), ("Quinua | 7,000",)),
                Change("3.3.1 Indicadores", ("R1.1 avanza a 91 productores.",), ("R1.1 avanza a 95 productores.",)),
            ],
        ),
        (doc(extra="<p>Nuevo párrafo.</p>"), [Change("3.3.1 Indicadores", (), ("Nuevo párrafo.",))]),
    ],
    ids=["same", "one-cell", "two-places", "added-line"],
)
def test_changed_lines_name_the_change_old_to_new(new, expected):
    assert changed_lines(doc(), new) == expected


def test_a_removed_line_is_a_change_with_nothing_new():
    assert changed_lines(doc(extra="<p>Se va.</p>"), doc()) == [Change("3.3.1 Indicadores", ("Se va.",), ())]


def test_markup_only_changes_are_not_changes_a_reader_sees():
    old = "<body><p>Total <b>10</b></p></body>"
    new = '<body><p class="x">Total <span>10</span></p></body>'
    assert changed_lines(old, new) == []


def test_entities_are_read_as_the_characters_they_show():
    assert visible_lines("<p>M&amp;E &lt;3&gt;</p>") == [Line("", "M&E <3>")]


def test_the_labels_of_an_svg_chart_are_cells_of_one_line():
    svg = '<figure><svg><text x="1">OE</text><text x="2">76%</text></svg></figure>'
    assert visible_lines(svg) == [Line("", "OE | 76%")]


def test_an_empty_cell_keeps_its_column_and_an_empty_row_is_no_line():
    table = "<table><tr><td>030301</td><td></td><td>3,166</td></tr><tr><td> </td><td></td></tr></table>"
    assert visible_lines(table) == [Line("", "030301 |  | 3,166")]


def test_paragraphs_inside_a_cell_stay_on_their_row():
    table = '<table><tr><th>R1.1</th><td class="comment"><p>Uno.</p><p>Dos.<br>Tres.</p></td><td>91</td></tr></table>'
    assert visible_lines(table) == [Line("", "R1.1 | Uno. Dos. Tres. | 91")]
