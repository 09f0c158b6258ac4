"""Reading the district register shipped with the application."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REGISTER_CSV = Path(__file__).resolve().parent / "data" / "ubigeo_inei_reniec_sunat_2016.csv"


@dataclass(frozen=True)
class RegisterRow:
    ubigeo: str
    ubigeo_reniec: str
    ubigeo_sunat: str
    department: str
    province: str
    name: str


def _code(raw: str) -> str:
    """The register writes a missing code as "NA" (padded with spaces)."""
    value = raw.strip()
    return "" if value == "NA" else value


def read_register(path: Path = REGISTER_CSV) -> Iterator[RegisterRow]:
    """Districts that have an INEI code (two RENIEC/SUNAT-only rows of the file have none)."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not _code(row["cod_ubigeo_inei"]):
                continue
            yield RegisterRow(
                ubigeo=_code(row["cod_ubigeo_inei"]),
                ubigeo_reniec=_code(row["cod_ubigeo_reniec"]),
                ubigeo_sunat=_code(row["cod_ubigeo_sunat"]),
                department=row["desc_dep_inei"].strip(),
                province=row["desc_prov_inei"].strip(),
                name=row["desc_ubigeo_inei"].strip(),
            )
