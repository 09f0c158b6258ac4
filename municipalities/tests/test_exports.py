"""Beneficiary workbooks going out: the list, the refused rows, the template; none runs a formula."""

import io

import pytest
from openpyxl import load_workbook

from municipalities.exports import beneficiaries_workbook, refused_rows_workbook, template_workbook
from municipalities.models import BeneficiaryDistrict, BeneficiaryImport, District
from municipalities.resources import ANNEX_HEADERS
from municipalities.services import Action, beneficiaries_import
from municipalities.tests import factories
from municipalities.tests.seed_annex_74 import HEADER

pytestmark = pytest.mark.django_db


def _sheet(content: bytes, name: str | None = None):
    book = load_workbook(io.BytesIO(content))
    return book[name] if name else book.worksheets[0]


def _import(content: bytes, **kwargs):
    return beneficiaries_import(programme=factories.programme(), content=content, file_name="x.xlsx", **kwargs)


def test_export_has_the_annex_layout_and_reimports_unchanged():
    _import(factories.seed_annex_workbook())
    before = list(BeneficiaryDistrict.objects.order_by("pk").values())

    exported = beneficiaries_workbook(factories.programme())
    sheet = _sheet(exported)
    assert tuple(cell.value for cell in sheet[1]) == ANNEX_HEADERS
    assert sheet["A2"].value == "030301" and sheet["G2"].value == 3166
    assert sheet["H2"].value == pytest.approx(0.4997) and sheet["H2"].number_format == "0.00%"
    assert sheet.max_row == 74

    report = _import(exported)
    assert report.counts == {Action.UNCHANGED: 73}
    assert list(BeneficiaryDistrict.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "=1+1"])
def test_export_neutralises_formula_text(text):
    BeneficiaryDistrict.objects.create(
        programme=factories.programme(),
        district=District.objects.get(ubigeo="030301"),
        department_label="Apurímac",
        province_label="ANTABAMBA",
        district_label=text,
        target_population=10,
        domain=text,
    )

    sheet = _sheet(beneficiaries_workbook(factories.programme()))

    for cell in (sheet["E2"], sheet["I2"]):
        assert cell.data_type == "s"
        assert cell.value == "'" + text


def test_refused_rows_come_back_as_a_workbook_with_an_error_column():
    rows = [
        HEADER,
        ("030301", "Perú", "Apurímac", "ANTABAMBA", "ANTABAMBA", "", 3166, "49.97%", ""),
        (50102, "Perú", "Ayacucho", "HUANTA", "+ACOCRO", "", 0, "50%", ""),
    ]
    _import(factories.workbook_bytes(rows))

    sheet = _sheet(refused_rows_workbook(BeneficiaryImport.objects.latest("pk")))

    assert [cell.value for cell in sheet[1]][-2:] == ["Fila original", "Error"]
    assert sheet.max_row == 2
    row = [cell.value for cell in sheet[2]]
    assert row[0] == "050102" and row[4] == "'+ACOCRO" and row[9] == 5
    assert "Province 'HUANTA' does not match" in row[10] and "positive whole number" in row[10]


def test_template_has_locked_header_dropdowns_and_validations():
    content = template_workbook(factories.programme())
    book = load_workbook(io.BytesIO(content))
    sheet = book["Beneficiarios"]

    assert tuple(cell.value for cell in sheet[1]) == ANNEX_HEADERS
    assert sheet.protection.sheet is True
    assert sheet["A1"].protection.locked is True and sheet["A2"].protection.locked is False
    rules = {str(v.sqref): (v.type, v.formula1, v.formula2) for v in sheet.data_validations.dataValidation}
    assert rules["C2:C1001"] == ("list", "=Listas!$A$1:$A$25", None)
    assert rules["I2:I1001"][0] == "list"
    assert rules["F2:F1001 H2:H1001"] == ("decimal", "0", "1")
    assert rules["G2:G1001"] == ("whole", "1", None)
    departments = [row[0].value for row in book["Listas"].iter_rows(max_col=1)]
    assert len(departments) == 25 and "HUANCAVELICA" in departments
    assert book["Listas"].sheet_state == "hidden"


def test_a_filled_template_is_accepted_by_the_importer():
    book = load_workbook(io.BytesIO(template_workbook(factories.programme())))
    sheet = book["Beneficiarios"]
    for column, value in zip(
        "ABCDEFGHI", ["050101", "", "AYACUCHO", "HUAMANGA", "AYACUCHO", 1, 100935, 0.5121, "Urbano"], strict=True
    ):
        sheet[f"{column}2"] = value
    buffer = io.BytesIO()
    book.save(buffer)

    report = _import(buffer.getvalue())

    assert report.refused_rows == [] and report.applied
    beneficiary = BeneficiaryDistrict.objects.get()
    assert (str(beneficiary.women_share), str(beneficiary.intervention_share), beneficiary.domain) == (
        "51.2100",
        "100.0000",
        "Urbano",
    )


def test_an_empty_template_is_refused_as_having_no_rows():
    report = _import(template_workbook(factories.programme()))

    assert not report.applied
    assert BeneficiaryImport.objects.latest("pk").message == "The table has headers but no rows."
