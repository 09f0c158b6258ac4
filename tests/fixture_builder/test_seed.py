"""fixtures/per0601011_builder/seed.py: headings, paragraphs, dates."""

import pytest

from fixtures.per0601011_builder.seed import Seed, SeedFormatError, html_paragraphs, paragraphs, spanish_date

TEXT = "\n".join(
    [
        "1. Ficha del proyecto\t5",  # table of contents: a heading followed by its page
        "2. Resumen\t7",
        "1. Ficha del proyecto",
        "record",
        "2. Resumen",
        "summary",
    ]
)


def test_between_reads_the_body_not_the_table_of_contents():
    assert Seed(TEXT).between("1. Ficha del proyecto", "2. Resumen") == ["record"]


def test_a_missing_heading_is_refused_by_name():
    with pytest.raises(SeedFormatError, match="7.4. Beneficiarios"):
        Seed(TEXT).between("2. Resumen", "7.4. Beneficiarios")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # cut by a page break: no closing punctuation, next paragraph in lower case
        (["… será", "", "mucho más difícil."], ["… será mucho más difícil."]),
        (["Fin de frase.", "", "otra frase."], ["Fin de frase.", "otra frase."]),
        # a sub-heading stays its own paragraph
        (["Medio Ambiente", "", "El programa …"], ["Medio Ambiente", "El programa …"]),
        (["- uno", "- dos", "", "", "Tres."], ["- uno\n- dos", "Tres."]),
    ],
)
def test_paragraphs_join_what_a_page_break_cut(lines, expected):
    assert paragraphs(lines) == expected


def test_html_cell_paragraphs_become_blank_line_separated():
    assert html_paragraphs("<p>Uno.</p><p> </p><p>Dos.</p>") == "Uno.\n\nDos."
    assert html_paragraphs(" plain ") == "plain"


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("04 de Noviembre del 2007", "2007-11-04"), ("1 de setiembre de 2010", "2010-09-01")],
)
def test_spanish_dates(printed, expected):
    assert spanish_date(printed) == expected


def test_a_text_that_is_no_date_is_refused():
    with pytest.raises(SeedFormatError, match="Not a date"):
        spanish_date("Noviembre 2007")
