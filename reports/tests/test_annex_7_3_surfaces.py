"""Annex 7.3 is one table whatever the surface: the report HTML, its PDF and the budget-vs-actuals workbook.

Every cell of the workbook of a report year is compared with the cell the report page prints (labels
and figures, in the request's language); a year without a FIT extract prints "Sin dato" and says why,
never zeros; a later year never relabels the extract. All through HTTP, on the PER0601011 data.
"""

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from budget.selectors import budget_vs_actuals
from cse_monitor.lib import formatting
from indicators.models import Programme
from reports import services
from reports.tests.pdftools import flat, page_of, page_png, pdf_text

pytestmark = pytest.mark.django_db

CODE = "PER0601011"


class _Annex(HTMLParser):
    """The cells of table#table-7-3 (row by row, text stripped) and the notes of section#s7-3."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.notes: list[str] = []
        self.links: list[str] = []
        self._in_section = self._in_table = False
        self._cell: list[str] | None = None
        self._note: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            if attrs.get("id") == "s7-3":
                self._in_section, self._depth = True, 0
            elif self._in_section:
                self._depth += 1
        if not self._in_section:
            return
        if tag == "table" and attrs.get("id") == "table-7-3":
            self._in_table = True
        elif tag == "tr" and self._in_table:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_table:
            self._cell = []
        elif tag == "p" and "note" in (attrs.get("class") or "").split():
            self._note = []
        elif tag == "a":
            self.links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if not self._in_section:
            return
        if tag == "section":
            if self._depth == 0:
                self._in_section = False
            else:
                self._depth -= 1
        elif tag == "table":
            self._in_table = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "p" and self._note is not None:
            self.notes.append(" ".join("".join(self._note).split()))
            self._note = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._note is not None:
            self._note.append(data)


def _printed(value: object, rate_column: bool) -> str:
    """A workbook cell as the report prints it: money with two decimals, a ratio as a whole percentage."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return formatting.percent(value) if rate_column else formatting.money(value)
    return str(value)


@pytest.fixture(scope="module")
def reader(per0601011_module, django_db_blocker):
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("annex-reader", password="x", is_superuser=True)
        yield user
        user.delete()


def _client(reader, language):
    client = Client(headers={"accept-language": language})
    client.force_login(reader)
    return client


def _surfaces(reader, year, language="es"):
    client = _client(reader, language)
    response = client.get(f"/reports/{CODE}/{year}/")
    assert response.status_code == 200
    annex = _Annex()
    annex.feed(response.content.decode())
    book = client.get(f"/exports/{CODE}/budget-vs-actuals-{year}.xlsx")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    width = len(cells[0])
    table = [row for row in cells if any(v is not None for v in row[1:])]  # lines, subtotals
    notes = [row[0] for row in cells if row[0] is not None and all(v is None for v in row[1:])]
    workbook = [[_printed(v, rate_column=i == width - 1) for i, v in enumerate(row)] for row in table]
    return annex, workbook, notes


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("year", [2011, 2010, 2012])
def test_every_cell_of_the_workbook_is_the_cell_the_report_prints(reader, year, language):
    annex, workbook, notes = _surfaces(reader, year, language)
    assert len(annex.rows) > 40  # 46 budget lines, a header, the subtotals
    assert workbook == annex.rows
    assert notes == annex.notes and notes


def test_the_2011_annex_is_fits_extract_under_its_own_columns(reader):
    annex, workbook, _notes = _surfaces(reader, 2011)
    assert annex.rows[0][4:6] == workbook[0][4:6] == ["Inicio - 2011", "Gastos 2012"]
    totals = {row[1]: row[3:] for row in workbook if row[1] in ("REGIE", "COGES", "TOTAL")}
    assert list(totals) == ["REGIE", "COGES", "TOTAL"]
    # The seed's annex 7.3: TOTAL 3.550.151,99 | 2.836.395,01 | 0,00 | 2.836.395,01 | 713.756,98 | 80%
    assert totals["TOTAL"] == ["3,550,151.99", "2,836,395.01", "0.00", "2,836,395.01", "713,756.98", "80%"]


def test_the_2010_annex_prints_no_zero_spending_and_its_total_from_table_2_1(reader):
    annex, workbook, notes = _surfaces(reader, 2010)
    headers = annex.rows[0]
    assert not any(h.startswith(("Inicio", "Gastos")) for h in headers)  # no column of an extract it lacks
    spent = headers.index("Total")
    lines = [row for row in annex.rows[1:] if row[0] and row[0] != "TOTAL"]
    assert {row[spent] for row in lines if row[3]} == {"Sin dato"}
    # Zero budgets exist (FIT's "??%" lines); no spending, balance or rate reads zero.
    assert not any(cell in ("0.00", "0%") for row in annex.rows for cell in row[4:])
    total = next(row for row in annex.rows if row[1].startswith("TOTAL"))
    # Table 2.1 of the seed: cumulative spent 2,199,137.52 and balance 1,351,014.47 at 31/12/2010.
    with translation.override("es"):
        label = gettext("TOTAL (spent: cumulative at 31/12/%(year)s, table 2.1)") % {"year": 2010}
        no_extract = gettext(
            "No FIT extract was recorded for %(year)s: the spending of each budget line is not known (Sin dato)."
        ) % {"year": 2010}
    assert total[1] == label
    assert total[3:] == ["3,550,151.99", "2,199,137.52", "1,351,014.47", "62%"]
    assert notes[0] == no_extract
    assert any("2.1" in note for note in notes[1:])


def test_a_year_after_the_extract_never_relabels_it(reader):
    annex, _workbook, notes = _surfaces(reader, 2012)
    assert not any(h.startswith(("Inicio", "Gastos")) for h in annex.rows[0])
    total = next(row for row in annex.rows if row[1].startswith("TOTAL"))
    assert total[4:] == ["Sin dato", "Sin dato", "Sin dato"]  # table 2.1 has no 2012: nothing to show
    assert any("2011" in note for note in notes)  # where the extract that exists is


@pytest.mark.parametrize("year", [2010, 2011])
def test_the_report_links_to_the_workbook_of_its_own_year(reader, year):
    annex, _workbook, _notes = _surfaces(reader, year)
    assert annex.links == [f"/exports/{CODE}/budget-vs-actuals-{year}.xlsx"]


def test_the_2010_pdf_prints_sin_dato_and_the_note_not_zeros(reader, tmp_path, artifacts):
    with override_settings(REPORTS_PDF_WORKER="off", MEDIA_ROOT=str(tmp_path)):
        client = _client(reader, "es")
        assert client.get(f"/reports/{CODE}/2010.pdf", HTTP_ACCEPT="application/json").status_code == 202
        services.run_pending_pdf_jobs()
        response = client.get(f"/reports/{CODE}/2010.pdf")
        assert response.status_code == 200
    pdf = tmp_path / "annex.pdf"
    pdf.write_bytes(response.content)
    with translation.override("es"):
        table = budget_vs_actuals(Programme.objects.get(code=CODE), 2010)
        notes, total_label = table.notes, table.totals[-1].label
    page_png(pdf, page_of(pdf, total_label), artifacts / "annex73_2010_pdf", dpi=80)  # looked at by hand
    text = flat(pdf_text(pdf, layout=True))
    start = text.index("7.3 ")
    annex = text[text.index("7.3 ", start + 1) : text.index("7.4 ", text.index("7.3 ", start + 1))]
    assert "Sin dato" in annex
    assert len(notes) == 3 and all(note in annex for note in notes)
    assert "2,199,137.52" in annex and "1,351,014.47" in annex
    # The only zeros are the zero budgets of FIT's "??%" lines, each followed by its unknown spending.
    zeros = list(re.finditer(r"(?<![\d,.])0\.00(?![\d])", annex))
    assert zeros and all(annex[z.end() :].startswith(" Sin dato") for z in zeros)
