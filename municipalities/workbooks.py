"""Opening uploaded workbooks safely and finding the beneficiary table in them.

Checks run on the raw bytes before openpyxl parses anything: size, container (zip vs the OLE
container of encrypted or legacy files), zip-bomb ratios, macros, external links and XML entity
declarations. No Django imports; limits are arguments so that settings and tests choose them.
"""

import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook

from cse_monitor.lib.messages import gettext_noop
from municipalities.normalise import (
    Refusal,
    clean_label,
    declared_codes,
    header_column,
    is_blank,
    is_header_row,
    map_header,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class WorkbookRefused(Refusal):
    """A file that is not imported at all; the message says why."""


MSG_TOO_LARGE = gettext_noop("The file is too large: the limit is %(limit)s bytes.")
MSG_MACRO_EXTENSION = gettext_noop("Workbooks with macros (.xlsm) are not accepted. Save the file as .xlsx.")
MSG_ENCRYPTED = gettext_noop("The workbook is encrypted (password-protected). Save a copy without a password.")
MSG_OLD_XLS = gettext_noop("This is an old-format Excel file (.xls). Save it as an Excel workbook (.xlsx).")
MSG_NOT_XLSX = gettext_noop("The file is not an Excel workbook (.xlsx).")
MSG_DAMAGED = gettext_noop("The file is not an Excel workbook (.xlsx): it is damaged or truncated.")
MSG_TOO_MANY_PARTS = gettext_noop("The workbook has too many parts (%(count)s); it is refused as unsafe.")
MSG_ZIP_BOMB = gettext_noop("The workbook expands to an abnormal size (zip bomb); it is refused as unsafe.")
MSG_MACROS = gettext_noop("The workbook contains macros; it is refused. Save it as a plain .xlsx.")
MSG_EXTERNAL_LINKS = gettext_noop(
    "The workbook has links to other files (external links); it is refused. "
    "Copy the values into the sheet (Paste special > Values) and remove the links."
)
MSG_DTD = gettext_noop("The workbook contains XML declarations that are refused as unsafe.")
MSG_UNREADABLE = gettext_noop("The workbook could not be read (%(error)s).")
MSG_NO_TABLE = gettext_noop(
    "No beneficiary table found: no row has the headers Ubigeo, Departamento, Provincia, Distrito "
    "and N° de Población objetivo."
)
MSG_TOO_MANY_ROWS = gettext_noop("The table has more than %(limit)s rows; split the file.")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 200
    max_members: int = 500
    max_rows: int = 20_000


@dataclass(frozen=True)
class SourceRow:
    line: int  # 1-based row number in the sheet, as Excel shows it
    values: dict[str, object]  # canonical column -> raw cell value
    percent_format: dict[str, bool]  # canonical column -> the cell has a % number format


@dataclass
class Table:
    sheet: str
    header_line: int
    columns: dict[str, int]
    rows: list[SourceRow] = field(default_factory=list)
    repeated_headers: list[int] = field(default_factory=list)
    blank_lines: int = 0
    declared_codes: str | None = None  # "reniec" when the ubigeo header says "Ubigeo RENIEC"


def check_container(content: bytes, file_name: str, limits: Limits) -> None:
    """Refuse what must never reach the XML parser. Raises WorkbookRefused."""
    name = file_name.lower()
    if len(content) > limits.max_bytes:
        raise WorkbookRefused(MSG_TOO_LARGE, limit=f"{limits.max_bytes:,}")
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise WorkbookRefused(MSG_MACRO_EXTENSION)
    if content.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise WorkbookRefused(MSG_ENCRYPTED)
        raise WorkbookRefused(MSG_OLD_XLS)
    if not content.startswith(ZIP_MAGIC):
        raise WorkbookRefused(MSG_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookRefused(MSG_DAMAGED) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(MSG_NOT_XLSX)
    if len(infos) > limits.max_members:
        raise WorkbookRefused(MSG_TOO_MANY_PARTS, count=len(infos))
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes or any(
        info.compress_size and info.file_size / info.compress_size > limits.max_ratio for info in infos
    ):
        raise WorkbookRefused(MSG_ZIP_BOMB)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise WorkbookRefused(MSG_MACROS)
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise WorkbookRefused(MSG_EXTERNAL_LINKS)
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as member:
                # DTDs (entity expansion, external entities) have no place in an xlsx part.
                if b"<!DOCTYPE" in member.read().upper():
                    raise WorkbookRefused(MSG_DTD)


def read_table(content: bytes, file_name: str, limits: Limits | None = None) -> Table:
    """The beneficiary table of the first sheet that has one. Raises WorkbookRefused."""
    limits = limits or Limits()
    check_container(content, file_name, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on malformed parts
        raise WorkbookRefused(MSG_UNREADABLE, error=type(error).__name__) from None
    try:
        for sheet in workbook.worksheets:
            table = _table_in_sheet(sheet, limits)
            if table is not None:
                return table
    finally:
        workbook.close()
    raise WorkbookRefused(MSG_NO_TABLE)


def _table_in_sheet(sheet, limits: Limits) -> Table | None:
    table: Table | None = None
    # Some writers store a wrong sheet dimension; read-only openpyxl would trust it and miss rows.
    sheet.reset_dimensions()
    for line, row in enumerate(sheet.iter_rows(), start=1):
        cells = [cell.value for cell in row]
        if table is None:
            if line > 50:
                return None
            if is_header_row(cells):
                columns = map_header(cells)
                table = Table(
                    sheet=sheet.title,
                    header_line=line,
                    columns=columns,
                    declared_codes=declared_codes(cells[columns["ubigeo"]]),
                )
            continue
        if all(is_blank(value) for value in cells):
            table.blank_lines += 1
            continue
        # A repeated header has "Ubigeo" in the ubigeo column; checking that cell first spares a fold per cell.
        ubigeo_index = table.columns["ubigeo"]
        first = cells[ubigeo_index] if ubigeo_index < len(cells) else None
        if isinstance(first, str) and header_column(first) == "ubigeo" and is_header_row(cells):
            table.repeated_headers.append(line)
            continue
        if len(table.rows) >= limits.max_rows:
            raise WorkbookRefused(MSG_TOO_MANY_ROWS, limit=f"{limits.max_rows:,}")
        values, formats = {}, {}
        for column, index in table.columns.items():
            cell = row[index] if index < len(row) else None
            value = getattr(cell, "value", None)
            values[column] = clean_label(value) if isinstance(value, str) else value
            number_format = getattr(cell, "number_format", "") or ""
            formats[column] = "%" in number_format
        table.rows.append(SourceRow(line=line, values=values, percent_format=formats))
    return table
