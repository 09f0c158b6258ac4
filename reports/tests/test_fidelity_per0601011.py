"""The 2011 report of PER0601011, rendered from the loaded data, carries the seed's figures: in the HTML and in the PDF.

The expected figures are typed from the seed (shared/seed/000_2e9625137dd54512.txt), written in the
report's one convention (thousands ",", decimals "."): the seed's "3'012,549.59" and FIT's
"427.160,00" print as "3,012,549.59" and "427,160.00". The figures are read from the
text extracted from the HTML page and from the PDF (pdftotext), never from the template context.
"""

import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from reports import services
from reports.rendering import report_body
from reports.selectors import annual_report
from reports.tests.pdftools import flat, page_of, page_png, pdf_text

pytestmark = pytest.mark.django_db

SEED = Path("/work/shared/seed/000_2e9625137dd54512.txt")

# Table 2.1, rows OE, R1–R4: efficiency, efficacy, sustainability as the seed prints them.
TABLE_2_1 = [("104%", "71%", "0.61"), ("123%", "73%", "0.48"), ("115%", "80%", "0.60"), ("97%", "55%", "0.70")]
TABLE_2_1 += [("83%", "73%", "0.64")]

# The yearly budget table of 2.1: year, budget, spent, cumulative, balance, rate.
YEARLY_BUDGET = [
    ("2008", "770,600.93", "537,602.40", "537,602.40", "3,012,549.59", "70%"),
    ("2009", "991,106.79", "852,021.65", "1,389,624.05", "2,160,527.94", "86%"),
    ("2010", "832,912.68", "809,513.47", "2,199,137.52", "1,351,014.47", "97%"),
    ("2011", "758,922.64", "637,257.50", "2,836,395.02", "713,756.97", "84%"),
]

# 3.2.1 and 3.3.1: baseline, progress N-1, progress N, target N, final target. Percentages as
# printed; "00"/"00%" print as 0 (0% in percentage rows); "-", "/", "NA" and blanks as "Sin dato".
INDICATOR_ROWS = [
    ("OE.1", ("2,507", "3,032", "180", "3,032", "3,032")),
    ("R1.1", ("28", "93", "91", "117", "147")),
    ("R1.2", ("8,115,563", "11,882,583", "23,432,855", "10,801,814.35", "14,791,154")),
    ("R1.3", ("15%", "37.6%", "51.5%", "34.5%", "40%")),
    ("R1.4", ("0%", "Sin dato", "101%", "70%", "70%")),
    ("R1.5", ("0", "200", "240", "339.5", "339.5")),
    ("R1.6", ("0", "0", "560 (31%)", "801 (45%)", "801 (45%)")),
    ("R2.1", ("10%", "60%", "116%", "74.5%", "96%")),
    ("R2.2", ("8,676,396", "15,044,912", "23,597,466", "11,548,283.07", "16,626,250")),
    ("R2.3", ("10", "14", "21", "21", "25")),
    ("R2.4", ("513", "836", "923", "1,949", "2,428")),
    ("R2.5", ("1,020", "3,057", "2,821", "2,603", "3,130")),
    ("R2.6", ("Sin dato", "13%", "95.8%", "100%", "100%")),
    ("R2.7", ("0", "0", "5", "8", "8")),
    ("R2.8", ("0%", "0%", "41.74%", "100%", "100%")),
    ("R2.9", ("Sin dato", "Sin dato", "927 (35%)", "1,072 (40%)", "1,072 (40%)")),
    ("R3.1", ("35%", "119%", "2.6%", "%", "%")),
    ("R3.2", ("39", "42", "85", "72", "72")),
    ("R3.3", ("0", "7", "83", "56", "56")),
    ("R3.4", ("0", "Sin dato", "2", "6", "6")),
    ("R3.5", ("0", "21", "24", "27", "27")),
    ("R4.1", ("14", "44", "68", "72", "72")),
    ("R4.2", ("19%", "Sin dato", "12.7%", "25%", "25%")),
    ("R4.3", ("0", "45", "66", "72", "72")),
    ("R4.4", ("0%", "6%", "2.58%", "4%", "4%")),
    ("R4.5", ("79", "2", "318", "397", "397")),
    ("R4.6", ("0", "75%", "68.1%", "72", "72")),
    ("R4.7", ("0", "Sin dato", "3", "10", "10")),
    ("R4.8", ("0%", "Sin dato", "11.1%", "-", "100%")),
    ("R4.9", ("0", "Sin dato", "5", "10", "10")),
    ("R4.10", ("0", "Sin dato", "5", "15", "15")),
    ("R4.11", ("0", "0", "5", "10", "10")),
]

# Annex 7.3 subtotals per financing mode and total: amount, start - 2011, expenses 2012, total, balance, % exec.
BUDGET_TOTALS_7_3 = [
    ("REGIE", "409,307.64", "244,742.50", "0.00", "244,742.50", "164,565.14", "60%"),
    ("COGES", "3,140,844.35", "2,591,652.51", "0.00", "2,591,652.51", "549,191.84", "83%"),
    ("TOTAL", "3,550,151.99", "2,836,395.01", "0.00", "2,836,395.01", "713,756.98", "80%"),
]
# Annex 7.5 totals (thousands of EUR): budget, TtY-1, balance, Q1–Q4, total, later years, end balance, % exec.
PLAN_TOTALS_7_5 = [
    ("REGIE", "409.31", "244.74", "164.57", "35.59", "55.50", "70.95", "2.53", "164.57", "0.00", "0.00", "100%"),
    ("COGES", "3,140.87", "2,591.66", "549.21", "190.10", "171.47", "120.63", "67.01", "549.21", "0.00", "0.00"),
    ("TOTAL", "3,550.18", "2,836.40", "713.78", "225.69", "226.97", "191.58", "69.54", "713.78", "0.00", "0.00"),
]


def seed_beneficiary_total() -> tuple[int, int]:
    """Σ target population and number of districts of the seed's table 7.4, read from the seed text."""
    rows = re.findall(r"^\d{6}\tPerú\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t(\d+)\t", SEED.read_text(), re.M)
    return sum(int(r) for r in rows), len(rows)


class _Text(HTMLParser):
    """Visible text of an HTML page: tags dropped, entities decoded, <style>/<script>/<head> skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        elif tag in ("td", "th", "p", "li", "br", "tr", "div", "h1", "h2", "h3", "h4", "h5", "span"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return flat(" ".join(parser.parts))


def cells(*values: str) -> re.Pattern:
    """The values as consecutive cells: separated by whitespace only, not glued to other digits."""
    return re.compile(r"(?<![\d.,%])" + r"\s+".join(re.escape(v) for v in values) + r"(?![\d.,%])")


@pytest.fixture(scope="module")
def rendered(per0601011_module, django_db_blocker, tmp_path_factory):
    """The HTML page and the PDF of the 2011 report, fetched over HTTP as an EMCL member would."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(REPORTS_PDF_WORKER="off", MEDIA_ROOT=str(media)):
        user = get_user_model().objects.create_user("fidelity-admin", password="x", is_superuser=True)
        client = Client()
        client.force_login(user)
        html = client.get("/reports/PER0601011/2011/").content.decode()
        assert client.get("/reports/PER0601011/2011.pdf", HTTP_ACCEPT="application/json").status_code == 202
        services.run_pending_pdf_jobs()
        response = client.get("/reports/PER0601011/2011.pdf")
        assert response.status_code == 200
        pdf = media / "PER0601011-2011.pdf"
        pdf.write_bytes(response.content)
        layout = pdf_text(pdf, layout=True)  # -layout keeps each table row on its line, in order
        texts = {"html": html_text(html), "pdf": flat(layout), "pdf_layout": layout}
        yield {**texts, "file": pdf}
        user.delete()


@pytest.fixture(params=["html", "pdf"])
def text(request, rendered):
    return rendered[request.param]


def test_table_2_1_has_the_three_scores_of_all_five_levels(text):
    for row in TABLE_2_1:
        assert cells(*row).search(text), row


def test_the_yearly_budget_table_has_every_year(text):
    for row in YEARLY_BUDGET:
        assert cells(*row).search(text), row


@pytest.mark.parametrize(
    ("code", "row"),
    [pytest.param(code, row, id=code) for code, row in INDICATOR_ROWS],
)
@pytest.mark.parametrize("source", ["html", "pdf_layout"])
def test_every_indicator_row_of_3_2_1_and_3_3_1(rendered, source, code, row):
    assert cells(*row).search(rendered[source]), f"{code}: {row}"


def test_the_budget_totals_of_annex_7_3(text):
    for row in BUDGET_TOTALS_7_3:
        assert cells(*row).search(text), row


def test_the_plan_totals_of_annex_7_5(text):
    for row in PLAN_TOTALS_7_5:
        assert cells(*row).search(text), row


def test_the_beneficiary_total_is_the_sum_of_the_seed_table(text):
    total, districts = seed_beneficiary_total()
    assert districts == 73
    assert re.search(rf"Total \({districts} [^)]*\) {total:,}", text)


def test_the_communication_activities_per_value_chain_of_3_3_3_1(text):
    assert "Realización de 07 cartillas sobre el manejo adecuado del ganado." in text
    assert "Participación en el VI Foro nacional de la tara." in text


def test_stated_scores_are_marked_as_stated(rendered):
    assert "*" in rendered["html"]  # the achievement column marks the figures annex 7.2 states


def _png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as handle:
        header = handle.read(24)
    return struct.unpack(">II", header[16:24])


def test_cover_results_page_and_landscape_annex_as_png(rendered, artifacts):
    """Writes test-artifacts/report-*.png (look at them): cover, a results page, annex 7.3 in landscape."""
    pdf = rendered["file"]
    cover = page_png(pdf, 1, artifacts / "report-cover")
    results = page_png(pdf, page_of(pdf, "Formalización RUC"), artifacts / "report-results")
    annex = page_png(pdf, page_of(pdf, "409,307.64"), artifacts / "report-annex-7-3")
    for portrait in (cover, results):
        width, height = _png_size(portrait)
        assert height > width
    width, height = _png_size(annex)
    assert width > height  # the wide annex is on a landscape page
    first_page = pdf_text(pdf).split("\f")[0]
    assert "PER0601011" in first_page and "2011" in first_page


def test_the_pdf_has_a_toc_with_page_numbers_and_a_running_header(rendered):
    layout = rendered["pdf_layout"]
    pages = layout.split("\f")
    toc = next(p for p in pages[:3] if "7.5" in p)
    assert re.search(r"7\.3 .*\.{5,}\s*\d+", toc)
    total = len([p for p in pages if p.strip()])
    body_pages = pages[2:-1]
    assert all("PER0601011" in p for p in body_pages)
    assert re.search(rf"\b5 (of|de) {total}\b", flat(layout))


def test_settings_are_restored_after_the_module(rendered):
    assert settings.REPORTS_PDF_WORKER in ("off", "thread")


def _seed_budget_lines() -> list[dict]:
    import json

    path = Path(settings.BASE_DIR) / "fixtures" / "per0601011" / "programme.json"
    return json.loads(path.read_text(encoding="utf-8"))["budget"]["lines"]


def _report_money(fit: str) -> str:
    """FIT prints 3.550.151,99; the report writes 3,550,151.99."""
    return fit.replace(".", "\0").replace(",", ".").replace("\0", ",")


@pytest.mark.parametrize("source", ["html", "pdf_layout"])
def test_every_line_of_annex_7_3_under_fits_own_columns(rendered, source):
    # FIT's year-to-date extract of the 2011 report: "Start - 2011" then "Expenses 2012" (Spanish UI).
    assert cells("Inicio - 2011", "Gastos 2012").search(rendered[source])
    lines = [line for line in _seed_budget_lines() if "start_2011" in line["printed"]]
    assert len(lines) == 38  # 33 leaf lines and the 5 headers FIT prints with amounts
    for line in lines:
        printed = line["printed"]
        row = [_report_money(printed[key]) for key in ("amount", "start_2011", "expenses_2012", "total", "balance")]
        if not printed["exec"].startswith("??"):  # FIT's "??%" (no budget) is left blank: no made-up rate
            row.append(printed["exec"])
        assert cells(*row).search(rendered[source]), line["code"]


def test_rendering_the_report_html_runs_no_query(per0601011_module):
    # The template only displays: a query per row (the 73 beneficiary districts of annex 7.4 each
    # fetched their district for its ubigeo) would make the page cost grow with the tables.
    report = annual_report(per0601011_module, 2011)
    with CaptureQueriesContext(connection) as queries:
        html = report_body(report)
    assert [query["sql"] for query in queries.captured_queries] == []
    assert len(report.beneficiaries) > 50 and report.beneficiaries[0].district.ubigeo in html
