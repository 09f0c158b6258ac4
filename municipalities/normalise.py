"""Pure normalisation of what messy beneficiary workbooks contain: headers, names, codes, numbers.

No Django imports: every function here takes a cell value (str, int, float, Decimal, None) and
returns a clean value or raises CellError with a message meant for the person fixing the file.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from cse_monitor.lib.messages import gettext_noop

HUNDRED = Decimal("100")


class Refusal(ValueError):
    """A refusal with a msgid and its named parameters; str() is the English text."""

    def __init__(self, msgid: str, **params: object):
        self.msgid, self.params = msgid, params
        super().__init__(msgid % params)

    def translated(self, gettext) -> str:
        return gettext(self.msgid) % self.params


class CellError(Refusal):
    """A cell that cannot be read; the message says what is wrong and what is expected."""


MSG_UBIGEO_MISSING = gettext_noop("The ubigeo is missing.")
MSG_UBIGEO_NOT_SIX_DIGITS = gettext_noop("The ubigeo '%(value)s' is not a six-digit code.")
MSG_POPULATION_MISSING = gettext_noop("The target population is missing.")
MSG_POPULATION_NOT_NUMBER = gettext_noop("The target population '%(value)s' is not a number.")
MSG_POPULATION_NOT_WHOLE = gettext_noop("The target population '%(value)s' is not a whole number.")
MSG_POPULATION_NOT_POSITIVE = gettext_noop("The target population '%(value)s' must be a positive whole number.")
MSG_SHARE_NOT_NUMBER = gettext_noop("The share '%(value)s' is not a number.")
MSG_SHARE_OUT_OF_RANGE = gettext_noop("The share '%(value)s' is outside 0-100%%.")


def fold(text: object) -> str:
    """Comparison key: no accents, upper case, letters and digits only ("Domini o" -> "DOMINIO")."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9A-Z]", "", without_accents.upper())


def clean_label(value: object) -> str:
    """A name as listed, with line breaks and runs of spaces collapsed and the ends trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Canonical column -> folded header spellings seen in workbooks (annex 7.4 and variants).
COLUMNS = ("ubigeo", "country", "department", "province", "district", "intervention", "population", "women", "domain")
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "ubigeo": (
        "UBIGEO",
        "CODIGOUBIGEO",
        "CODUBIGEO",
        "CODIGO",
        *(
            f"{prefix}{system}"
            for prefix in ("UBIGEO", "CODIGO", "CODIGOUBIGEO")
            for system in ("INEI", "RENIEC", "SUNAT")
        ),
    ),
    "country": ("PAIS", "COUNTRY"),
    "department": ("DEPARTAMENTO", "DEPARTMENT", "REGION", "DPTO"),
    "province": ("PROVINCIA", "PROVINCE"),
    "district": ("DISTRITO", "DISTRICT"),
    "intervention": ("INTERVENCION", "INTERVENTION", "DEINTERVENCION", "PORCENTAJEDEINTERVENCION"),
    "population": (
        "NDEPOBLACIONOBJETIVO",
        "NODEPOBLACIONOBJETIVO",
        "NUMERODEPOBLACIONOBJETIVO",
        "POBLACIONOBJETIVO",
        "POBLACION",
        "TARGETPOPULATION",
        "POPULATION",
    ),
    "women": ("MUJERESTOTAL", "MUJERES", "WOMEN", "WOMENSHARE", "WOMENTOTAL"),
    "domain": ("DOMINIO", "DOMAIN"),
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
REQUIRED_COLUMNS = ("ubigeo", "department", "province", "district", "population")


def header_column(value: object) -> str | None:
    """The canonical column a header cell names, or None ("N° de\\nPoblación  objetivo" -> "population")."""
    return _ALIAS_TO_COLUMN.get(fold(value))


def declared_codes(header: object) -> str | None:
    """The code system a ubigeo header names ("Ubigeo RENIEC" -> "reniec"), None when it names none."""
    folded = fold(header)
    for system in ("INEI", "RENIEC", "SUNAT"):
        if folded.endswith(system):
            return system.lower()
    return None


def map_header(cells: list[object]) -> dict[str, int]:
    """Canonical column -> cell index for a header row; the first occurrence of a column wins."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = header_column(cell)
        if column and column not in mapping:
            mapping[column] = index
    return mapping


def is_header_row(cells: list[object]) -> bool:
    """A row that carries the required headers (the first one, or one repeated mid-table)."""
    return all(column in map_header(cells) for column in REQUIRED_COLUMNS)


def parse_ubigeo(value: object) -> str:
    """Six-digit code; a number that lost its leading zero (30301 -> "030301") is restored."""
    if is_blank(value):
        raise CellError(MSG_UBIGEO_MISSING)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(MSG_UBIGEO_NOT_SIX_DIGITS, value=clean_label(value))
        value = int(value)
    text = re.sub(r"\s+", "", str(value))
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text.isdigit() or not 5 <= len(text) <= 6:
        raise CellError(MSG_UBIGEO_NOT_SIX_DIGITS, value=clean_label(value))
    return text.zfill(6)


_THOUSANDS = re.compile(r"^\d{1,3}([,' ]\d{3})+$")


def _to_decimal(value: object, not_a_number: str) -> Decimal:
    if isinstance(value, bool):
        raise CellError(not_a_number, value=value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = clean_label(value).replace("\u00a0", "")
    if _THOUSANDS.match(text):
        text = re.sub(r"[,' ]", "", text)
    elif re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")  # decimal comma: "49,97"
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(not_a_number, value=clean_label(value)) from None
    if not number.is_finite():
        raise CellError(not_a_number, value=clean_label(value))
    return number


def parse_population(value: object) -> int:
    """A positive whole number of people; accepts numbers stored as text and thousands separators."""
    if is_blank(value):
        raise CellError(MSG_POPULATION_MISSING)
    number = _to_decimal(value, MSG_POPULATION_NOT_NUMBER)
    if number != number.to_integral_value():
        raise CellError(MSG_POPULATION_NOT_WHOLE, value=clean_label(value))
    if number < 1:
        raise CellError(MSG_POPULATION_NOT_POSITIVE, value=clean_label(value))
    return int(number)


def is_percent_text(value: object) -> bool:
    return isinstance(value, str) and value.strip().endswith("%")


def shares_are_fractions(values: list[object]) -> bool:
    """True when a column writes shares as fractions (0.4997): every plain number in it is at most 1.

    Text with a % sign and blanks do not vote. A column of plain numbers such as 49.97 is in percent.
    """
    plain: list[Decimal] = []
    for value in values:
        if is_blank(value) or is_percent_text(value):
            continue
        try:
            plain.append(_to_decimal(value, MSG_SHARE_NOT_NUMBER))
        except CellError:
            continue
    return bool(plain) and all(abs(number) <= 1 for number in plain)


def parse_share(value: object, *, fraction: bool = False, percent_format: bool = False) -> Decimal | None:
    """A share in percent 0-100 (Decimal, 4 places) or None when blank.

    "49.97%" and 49.97 are percent; 0.4997 is a fraction when the cell has a % number format
    (percent_format) or when its column writes fractions (fraction).
    """
    if is_blank(value):
        return None
    if is_percent_text(value):
        number = _to_decimal(str(value).strip()[:-1], MSG_SHARE_NOT_NUMBER)
    else:
        number = _to_decimal(value, MSG_SHARE_NOT_NUMBER)
        if fraction or percent_format:
            number *= HUNDRED
    number = number.quantize(Decimal("0.0001"))
    if not Decimal(0) <= number <= HUNDRED:
        raise CellError(MSG_SHARE_OUT_OF_RANGE, value=clean_label(value))
    return number


# Spellings lists use for names the register writes otherwise (folded register name -> folded spellings).
KNOWN_SPELLINGS: dict[str, frozenset[str]] = {
    "PROVCONSTDELCALLAO": frozenset({"CALLAO", "PROVINCIACONSTITUCIONALDELCALLAO"}),
    "CALLAO": frozenset({"PROVINCIACONSTITUCIONALDELCALLAO"}),
    "CUSCO": frozenset({"CUZCO"}),
    "LIMA": frozenset({"LIMAMETROPOLITANA", "LIMAPROVINCIAS", "LIMAREGION"}),
}


def names_agree(listed: str, official: str) -> bool:
    """A listed name matches the register's, tolerating case, accents, spaces, underscores and known spellings."""
    listed_key, official_key = fold(listed), fold(official)
    return listed_key == official_key or listed_key in KNOWN_SPELLINGS.get(official_key, frozenset())


def district_name_agrees(listed: str, official: str, province: str) -> bool:
    """District names also come as "PROVINCE - DISTRICT" or as the province name for its capital."""
    if names_agree(listed, official):
        return True
    if " - " in listed and names_agree(listed.rsplit(" - ", 1)[1], official):
        return True
    return False
