"""Workbooks as people really fill them: odd headers, numbers as text, lost zeros, fractions."""

import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl import Workbook

from municipalities.models import BeneficiaryDistrict, District
from municipalities.services import Action, beneficiaries_import
from municipalities.tests import factories

pytestmark = pytest.mark.django_db


def _import(content: bytes, **kwargs):
    return beneficiaries_import(programme=factories.programme(), content=content, file_name="messy.xlsx", **kwargs)


def test_messy_headers_numbers_as_text_lost_zeros_and_trailing_spaces_import():
    rows = [
        (
            "  UBIGEO\n",
            "pais",
            "DEPARTAMENTO ",
            "provincia",
            "Distrito",
            "%  Intervención",
            "N° de\nPoblación objetivo",
            "% MUJERES / TOTAL",
            "Domini o",
        ),
        (30301, "PERU ", "apurimac", "Antabamba ", "antabamba", "", "3166", "49.97", "rural "),
        ("30304", "Perú", "APURÍMAC", "ANTABAMBA", "JUAN ESPINOZA MEDRANO", 100, " 1,975 ", "50.13%", ""),
        (),
        ("090411", "Perú", "Huancavelica", "CASTROVIRREYN A", "SANTA ANA", "", 1983.0, 25.87, ""),
    ]

    report = _import(factories.workbook_bytes(rows))

    assert report.refused_rows == []
    antabamba = BeneficiaryDistrict.objects.get(district__ubigeo="030301")
    assert (antabamba.target_population, antabamba.women_share, antabamba.domain) == (3166, Decimal("49.97"), "rural")
    assert antabamba.department_label == "apurimac" and antabamba.province_label == "Antabamba"
    juan = BeneficiaryDistrict.objects.get(district__ubigeo="030304")
    assert (juan.target_population, juan.intervention_share) == (1975, Decimal("100"))


def test_fractions_in_percent_formatted_cells_become_percentages():
    book = Workbook()
    sheet = book.active
    sheet.append(["Ubigeo", "Departamento", "Provincia", "Distrito", "N° de Población objetivo", "% Mujeres/total"])
    sheet.append(["050101", "Ayacucho", "Huamanga", "Ayacucho", 100935, 0.5121])
    sheet["F2"].number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)

    _import(buffer.getvalue())

    assert BeneficiaryDistrict.objects.get().women_share == Decimal("51.21")


def test_fraction_column_without_percent_format_is_read_as_fractions():
    rows = [
        ("Ubigeo", "Departamento", "Provincia", "Distrito", "Población objetivo", "% Mujeres"),
        ("050101", "Ayacucho", "Huamanga", "Ayacucho", 100, 0.4997),
        ("050102", "Ayacucho", "Huamanga", "Acocro", 100, 0.5),
    ]

    _import(factories.workbook_bytes(rows, preamble=()))

    assert sorted(BeneficiaryDistrict.objects.values_list("women_share", flat=True)) == [
        Decimal("49.97"),
        Decimal("50"),
    ]


@pytest.mark.parametrize(
    ("codes", "code", "expected_inei"),
    [("inei", "070101", "070101"), ("reniec", "240101", "070101"), ("sunat", "070101", "070101")],
)
def test_lists_in_reniec_or_sunat_codes_resolve_to_the_register_district(codes, code, expected_inei):
    district = District.objects.get(ubigeo=expected_inei)
    rows = [
        ("Ubigeo", "Departamento", "Provincia", "Distrito", "Población objetivo"),
        (code, district.department, district.province, district.name, 10),
    ]

    report = _import(factories.workbook_bytes(rows), codes=codes)

    assert report.refused_rows == []
    assert BeneficiaryDistrict.objects.get().district == district


def test_reniec_code_read_as_inei_is_refused_because_the_names_disagree():
    rows = [
        ("Ubigeo", "Departamento", "Provincia", "Distrito", "Población objetivo"),
        ("240101", "Callao", "Callao", "Callao", 10),
    ]

    report = _import(factories.workbook_bytes(rows), codes="inei")

    # Callao is 24 for RENIEC but 07 for INEI, where 24 is Tumbes.
    assert "Department 'Callao' does not match the register: 240101 is in TUMBES" in report.refused_rows[0].errors[0]


@pytest.mark.slow
def test_workbook_of_every_peruvian_district_imports_completely():
    count = District.objects.count()

    report = _import(factories.all_districts_workbook())

    assert report.refused_rows == []
    assert report.counts == {Action.CREATE: count}
    assert BeneficiaryDistrict.objects.count() == count == 1874
    assert BeneficiaryDistrict.objects.aggregate(s=Sum("target_population"))["s"] == sum(range(1000, 1000 + count))
    assert set(BeneficiaryDistrict.objects.values_list("women_share", flat=True)) == {Decimal("50")}


def test_a_sheet_with_a_wrong_stored_dimension_is_read_in_full():
    import re
    import zipfile

    content = factories.seed_annex_workbook()
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', data)
                assert count == 1
            target.writestr(info.filename, data)

    report = _import(buffer.getvalue())

    assert report.counts == {Action.CREATE: 73}


def test_a_concurrent_import_of_the_same_districts_leaves_nothing_of_ours(monkeypatch):
    from municipalities import services
    from municipalities.models import BeneficiaryImport

    original = services.check_table

    def check_then_someone_else_imports(table, **kwargs):
        rows = original(table, **kwargs)
        BeneficiaryDistrict.objects.create(
            programme=kwargs["programme"],
            district=rows[0].district,
            department_label="x",
            province_label="x",
            district_label="x",
            target_population=1,
        )
        return rows

    monkeypatch.setattr(services, "check_table", check_then_someone_else_imports)

    report = _import(factories.seed_annex_workbook())

    assert not report.applied
    assert BeneficiaryDistrict.objects.count() == 1  # only the other import's row
    log = BeneficiaryImport.objects.get()
    assert log.outcome == BeneficiaryImport.Outcome.REFUSED_ROWS and "changed while" in log.message


def test_a_list_that_declares_reniec_codes_in_its_header_is_read_as_reniec():
    from municipalities.models import BeneficiaryImport

    rows = [
        ("Ubigeo RENIEC", "Departamento", "Provincia", "Distrito", "Población objetivo"),
        ("240101", "Callao", "Callao", "Callao", 10),
    ]

    report = _import(factories.workbook_bytes(rows))

    assert report.refused_rows == [] and report.applied
    assert BeneficiaryDistrict.objects.get().district.ubigeo == "070101"
    assert BeneficiaryImport.objects.get().codes == "reniec"


def test_choosing_codes_that_contradict_the_header_refuses_the_file():
    rows = [
        ("Ubigeo RENIEC", "Departamento", "Provincia", "Distrito", "Población objetivo"),
        ("240101", "Callao", "Callao", "Callao", 10),
    ]

    report = _import(factories.workbook_bytes(rows), codes="inei")

    assert report.file_error == (
        "The file's ubigeo column declares RENIEC codes but INEI codes were chosen; nothing was imported."
    )
    assert not BeneficiaryDistrict.objects.exists()
