"""Beneficiary workbooks: the list in annex 7.4 layout, the refused rows of an import, the blank template."""

from decimal import Decimal

import tablib
from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.worksheet.datavalidation import DataValidation

from cse_monitor.lib.spreadsheets import append_row, to_bytes, write_header
from indicators.models import Programme
from municipalities.models import BeneficiaryDistrict, BeneficiaryImport, District
from municipalities.resources import ANNEX_HEADERS, SHARE_COLUMNS, BeneficiaryResource

WIDTHS = (10, 8, 16, 20, 30, 14, 16, 14, 14)
PERCENT = "0.00%"
TEMPLATE_ROWS = 1000
DEFAULT_DOMAINS = ("Rural", "Urbano")
HUNDRED = Decimal(100)


def _share_cell(value: object) -> object:
    """Shares are stored in percent (49.97) and written as Excel percentages (0.4997 shown 49.97%)."""
    if isinstance(value, Decimal):
        return float(value / HUNDRED)
    return value


def dataset_workbook(dataset: tablib.Dataset) -> bytes:
    """An annex 7.4 dataset as .xlsx: text neutralised against formulas, shares as % cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Beneficiarios"
    write_header(sheet, list(dataset.headers), WIDTHS)
    for row in dataset:
        values = [_share_cell(v) if i + 1 in SHARE_COLUMNS else v for i, v in enumerate(row)]
        append_row(sheet, values, {column: PERCENT for column in SHARE_COLUMNS})
    return to_bytes(book)


def beneficiaries_workbook(programme: Programme) -> bytes:
    """The programme's beneficiary list in the layout the importer reads (round-trips unchanged)."""
    queryset = BeneficiaryResource().get_queryset().filter(programme=programme)
    return dataset_workbook(BeneficiaryResource().export(queryset, force_native_type=True))


def refused_rows_workbook(log: BeneficiaryImport) -> bytes:
    """The refused rows of an import as they were read, with the sheet row and an error column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Filas rechazadas"
    write_header(sheet, [*ANNEX_HEADERS, "Fila original", "Error"], [*WIDTHS, 10, 80])
    keys = ("ubigeo", "country", "department", "province", "district", "intervention", "population", "women", "domain")
    for refused in log.refused_rows:
        values = [refused["values"].get(key) for key in keys]
        if isinstance(values[0], int):  # keep the six digits the register needs
            values[0] = str(values[0]).zfill(6)
        append_row(sheet, [*values, refused["line"], " | ".join(refused["errors"])])
    return to_bytes(book)


def _domains(programme: Programme) -> list[str]:
    used = BeneficiaryDistrict.objects.filter(programme=programme).exclude(domain="").values_list("domain", flat=True)
    return sorted(set(DEFAULT_DOMAINS) | set(used))


def template_workbook(programme: Programme) -> bytes:
    """A blank list the importer accepts: locked header, drop-downs for departments and domains,
    validation on shares (0-100%) and populations (whole number >= 1)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Beneficiarios"
    write_header(sheet, list(ANNEX_HEADERS), WIDTHS)

    lists = book.create_sheet("Listas")
    departments = sorted(set(District.objects.values_list("department", flat=True)))
    domains = _domains(programme)
    for row, name in enumerate(departments, start=1):
        lists.cell(row=row, column=1, value=name)
    for row, name in enumerate(domains, start=1):
        lists.cell(row=row, column=2, value=name)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    last = TEMPLATE_ROWS + 1
    validations = [
        DataValidation(
            type="textLength",
            operator="equal",
            formula1="6",
            showErrorMessage=True,
            errorTitle="Ubigeo",
            error="Six digits, e.g. 050101.",
            sqref=f"A2:A{last}",
        ),
        DataValidation(
            type="list",
            formula1=f"=Listas!$A$1:$A${len(departments)}",
            showErrorMessage=True,
            errorTitle="Departamento",
            error="Choose a department of the list.",
            sqref=f"C2:C{last}",
        ),
        DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="1",
            showErrorMessage=True,
            errorTitle="%",
            error="A share between 0% and 100%.",
            sqref=f"F2:F{last} H2:H{last}",
        ),
        DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="1",
            showErrorMessage=True,
            errorTitle="Población",
            error="A whole number of people, at least 1.",
            sqref=f"G2:G{last}",
        ),
        DataValidation(
            type="list",
            formula1=f"=Listas!$B$1:$B${len(domains)}",
            showErrorMessage=True,
            errorTitle="Dominio",
            error="Choose a domain of the list.",
            sqref=f"I2:I{last}",
        ),
    ]
    for validation in validations:
        sheet.add_data_validation(validation)

    unlocked = Protection(locked=False)
    for row in sheet.iter_rows(min_row=2, max_row=last, max_col=len(ANNEX_HEADERS)):
        for cell in row:
            cell.protection = unlocked
            if cell.column == 1:
                cell.number_format = "@"  # text, so that 030301 keeps its zero
            elif cell.column in SHARE_COLUMNS:
                cell.number_format = PERCENT
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False

    notes = book.create_sheet("Instrucciones")
    for line in (
        f"Beneficiary districts of {programme.code}: one row per district, INEI ubigeo by default.",
        "The header row is locked; fill the rows below it. Shares are percentages (49.97%).",
        "Department and province must be those of the ubigeo in the INEI register (accents and case do not matter).",
    ):
        notes.append([line])
    return to_bytes(book)
