"""One test per kind of bad row and bad file: the message says why and the database is unchanged."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from municipalities.models import BeneficiaryDistrict, BeneficiaryImport
from municipalities.services import Action, beneficiaries_import
from municipalities.tests import factories
from municipalities.tests.seed_annex_74 import HEADER

pytestmark = pytest.mark.django_db

GOOD = ("030301", "Perú", "Apurímac", "ANTABAMBA", "ANTABAMBA", "", 3166, "49.97%", "")


@pytest.fixture
def existing():
    """One beneficiary already imported, so that "unchanged" means unchanged."""
    programme = factories.programme()
    beneficiaries_import(
        programme=programme,
        content=factories.workbook_bytes(
            [HEADER, ("050101", "Perú", "Ayacucho", "HUAMANGA", "HUAMANGA", "", 100935, "51.21%", "")]
        ),
        file_name="first.xlsx",
    )
    return list(BeneficiaryDistrict.objects.values())


def _import(rows, **kwargs):
    return beneficiaries_import(
        programme=factories.programme(),
        content=factories.workbook_bytes([HEADER, GOOD, *rows]),
        file_name="bad.xlsx",
        **kwargs,
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("999999", "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "50%", ""), "does not exist in the district register"),
        (("ABC", "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "50%", ""), "is not a six-digit code"),
        ((None, "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "50%", ""), "The ubigeo is missing"),
        (
            ("050102", "Perú", "Apurímac", "HUAMANGA", "ACOCRO", "", 10, "50%", ""),
            "Department 'Apurímac' does not match the register: 050102 is in AYACUCHO / HUAMANGA / ACOCRO",
        ),
        (
            ("050102", "Perú", "Ayacucho", "HUANTA", "ACOCRO", "", 10, "50%", ""),
            "Province 'HUANTA' does not match the register: 050102 is in AYACUCHO / HUAMANGA / ACOCRO",
        ),
        (("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", 0, "50%", ""), "must be a positive whole number"),
        (("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", -3, "50%", ""), "must be a positive whole number"),
        (("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", 10.5, "50%", ""), "is not a whole number"),
        (("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", "", "50%", ""), "target population is missing"),
        (
            ("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", 10, "150%", ""),
            "% women: The share '150%' is outside 0-100%",
        ),
        (
            ("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "-5%", 10, "50%", ""),
            "% intervention: The share '-5%' is outside",
        ),
        (
            ("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", 10, "half", ""),
            "% women: The share 'half' is not a number",
        ),
        (("050102", "Perú", "Ayacucho", "", "ACOCRO", "", 10, "50%", ""), "The province name is missing"),
        (("050102", "Bolivia", "Ayacucho", "HUAMANGA", "ACOCRO", "", 10, "50%", ""), "is not Perú"),
        (("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", 10, "50%", "D" * 61), "longer than 60 characters"),
        (GOOD, "The ubigeo 030301 appears 2 times in the file (rows 4, 5)"),
        (("30301", "Perú", "Apurímac", "ANTABAMBA", "ANTABAMBA", "", 3166, "49.97%", ""), "appears 2 times"),
    ],
)
def test_bad_row_is_refused_with_its_reason_and_nothing_changes(existing, row, message):
    report = _import([row])

    refused = report.refused_rows
    assert refused and any(message in error for r in refused for error in r.errors), [r.errors for r in refused]
    assert not report.applied
    assert list(BeneficiaryDistrict.objects.values()) == existing
    log = BeneficiaryImport.objects.latest("pk")
    assert log.outcome == BeneficiaryImport.Outcome.REFUSED_ROWS
    assert log.refused == len(refused) and any(message in e for r in log.refused_rows for e in r["errors"])


def test_partial_import_when_asked_writes_only_the_good_rows(existing):
    report = _import([("999999", "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "50%", "")], all_or_nothing=False)

    assert report.applied
    assert report.counts == {Action.CREATE: 1, Action.REFUSED: 1}
    assert BeneficiaryDistrict.objects.filter(district__ubigeo="030301").exists()


def test_refused_rows_keep_their_values_and_sheet_row_numbers(existing):
    _import([("050102", "Perú", "Ayacucho", "HUANTA", "ACOCRO", "", 10, "50%", "")])

    (refused,) = BeneficiaryImport.objects.latest("pk").refused_rows
    assert refused["line"] == 5  # title, blank, header, good row, this row
    assert refused["values"]["province"] == "HUANTA" and refused["values"]["population"] == 10


def _xlsx() -> bytes:
    return factories.workbook_bytes([HEADER, GOOD])


def _encrypted_like() -> bytes:
    # The OLE container Excel writes for password-protected workbooks, with its EncryptedPackage stream name.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000


def _zip_bomb() -> bytes:
    return factories.rezip(_xlsx(), add={"xl/media/padding.bin": b"\0" * (10 * 1024 * 1024)})


def _no_table() -> bytes:
    book = Workbook()
    book.active.append(["Nombre", "Monto"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "file_name", "message"),
    [
        (lambda: b"Ubigeo,Distrito\n030301,ANTABAMBA\n", "list.csv", "not an Excel workbook"),
        (lambda: b"%PDF-1.7 not a workbook", "list.xlsx", "not an Excel workbook"),
        (_plain_zip, "list.xlsx", "not an Excel workbook"),
        (lambda: _xlsx()[:400], "list.xlsx", "damaged or truncated"),
        (_encrypted_like, "list.xlsx", "encrypted"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "list.xls", "old-format Excel file"),
        (lambda: b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024), "list.xlsx", "too large"),
        (_zip_bomb, "list.xlsx", "zip bomb"),
        (lambda: factories.rezip(_xlsx(), add={"xl/vbaProject.bin": b"macro"}), "list.xlsx", "contains macros"),
        (_xlsx, "list.xlsm", "macros (.xlsm) are not accepted"),
        (
            lambda: factories.rezip(_xlsx(), add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
            "list.xlsx",
            "links to other files",
        ),
        (
            lambda: factories.rezip(
                _xlsx(), add={"xl/custom.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'}
            ),
            "list.xlsx",
            "XML declarations",
        ),
        (_no_table, "list.xlsx", "No beneficiary table found"),
        (lambda: factories.workbook_bytes([HEADER]), "list.xlsx", "has headers but no rows"),
    ],
)
def test_bad_file_is_refused_with_a_clear_message_and_nothing_changes(existing, make, file_name, message):
    report = beneficiaries_import(programme=factories.programme(), content=make(), file_name=file_name)

    log = BeneficiaryImport.objects.latest("pk")
    assert message in log.message
    assert not report.applied
    assert list(BeneficiaryDistrict.objects.values()) == existing


def test_too_many_rows_is_refused(existing, settings):
    settings.BENEFICIARY_IMPORT_MAX_ROWS = 1
    rows = [HEADER, GOOD, ("050102", "Perú", "Ayacucho", "HUAMANGA", "ACOCRO", "", 10, "50%", "")]

    report = beneficiaries_import(
        programme=factories.programme(), content=factories.workbook_bytes(rows), file_name="x.xlsx"
    )

    assert "more than 1 rows" in report.file_error
    assert list(BeneficiaryDistrict.objects.values()) == existing
