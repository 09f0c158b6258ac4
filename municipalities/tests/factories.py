"""Test data of the beneficiary imports: workbooks built in memory (nothing read from the seed file), and
the programme and the admin who import them, made by the shared factories (tests.factories)."""

import io
import zipfile

from openpyxl import Workbook

from indicators.models import Programme
from municipalities.tests.seed_annex_74 import HEADER, ROWS_AFTER_REPEATED_HEADER, ROWS_BEFORE_REPEATED_HEADER
from tests.factories import TEST_PASSWORD, ProgrammeFactory, UserFactory


def programme(code: str = "PER0601011") -> Programme:
    """The programme the annex is imported into; the same one each time a test asks (get or create)."""
    return ProgrammeFactory(code=code)


def admin_user(username: str = "importer"):
    """A superuser who may log in with TEST_PASSWORD (the browser test types it)."""
    return UserFactory(username=username, is_staff=True, is_superuser=True, password=TEST_PASSWORD)


def workbook_bytes(
    rows: list[tuple], *, title: str = "Beneficiarios", preamble: tuple = ("7.4. Beneficiarios",)
) -> bytes:
    """An .xlsx whose first sheet holds `preamble` lines, a blank line, then `rows` as given."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for line in preamble:
        sheet.append([line])
    if preamble:
        sheet.append([])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seed_annex_rows() -> list[tuple]:
    """Annex 7.4 as printed: header, 50 rows, the repeated header, a blank line, 23 rows."""
    return [HEADER, *ROWS_BEFORE_REPEATED_HEADER, HEADER, (), *ROWS_AFTER_REPEATED_HEADER]


def seed_annex_workbook() -> bytes:
    return workbook_bytes(seed_annex_rows())


def annex_rows_with(changes: dict[str, dict[int, object]]) -> list[tuple]:
    """The seed's annex with some cells replaced: {ubigeo: {column index: new value}}."""
    rows = []
    for row in seed_annex_rows():
        if row and row[0] in changes:
            row = list(row)
            for index, value in changes[row[0]].items():
                row[index] = value
            row = tuple(row)
        rows.append(row)
    return rows


def rezip(content: bytes, *, add: dict[str, bytes] | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of an xlsx with extra parts added (macros, external links, hostile XML)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def all_districts_workbook() -> bytes:
    """Every district of the register, ubigeo as numbers (leading zero lost), shares as % cells."""
    from municipalities.models import District

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Ubigeo",
            "País",
            "Departamento",
            "Provincia",
            "Distrito",
            "% intervención",
            "N° de Población objetivo",
            "% Mujeres/total",
            "Dominio",
        ]
    )
    for index, district in enumerate(District.objects.order_by("ubigeo")):
        sheet.append(
            [
                int(district.ubigeo),
                "Perú",
                district.department.title(),
                district.province,
                district.name,
                1,
                1000 + index,
                0.5,
                "Rural",
            ]
        )
        sheet.cell(row=sheet.max_row, column=6).number_format = "0.00%"
        sheet.cell(row=sheet.max_row, column=8).number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
