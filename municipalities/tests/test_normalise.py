"""Pure normalisation of messy workbook cells."""

from decimal import Decimal

import pytest

from municipalities.normalise import (
    CellError,
    declared_codes,
    district_name_agrees,
    header_column,
    names_agree,
    parse_population,
    parse_share,
    parse_ubigeo,
    shares_are_fractions,
)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Ubigeo", "ubigeo"),
        (" UBIGEO ", "ubigeo"),
        ("País", "country"),
        ("Departamento", "department"),
        ("Provincia", "province"),
        ("Distrito", "district"),
        ("% intervención", "intervention"),
        ("N° de Población objetivo", "population"),
        ("N° de\nPoblación  objetivo", "population"),
        ("Nº de poblacion objetivo", "population"),
        ("% Mujeres/total", "women"),
        ("Domini o", "domain"),
        ("DOMINIO", "domain"),
        ("Observaciones", None),
        (None, None),
    ],
)
def test_header_spellings_map_to_columns(header, column):
    assert header_column(header) == column


@pytest.mark.parametrize(
    ("value", "expected"),
    [("030301", "030301"), (30301, "030301"), (30301.0, "030301"), ("30301", "030301"), (" 050101 ", "050101")],
)
def test_ubigeo_is_restored_to_six_digits(value, expected):
    assert parse_ubigeo(value) == expected


@pytest.mark.parametrize("value", [None, "", "ABC", "1234", "1234567", 30301.5, "05-01-01"])
def test_bad_ubigeo_is_refused(value):
    with pytest.raises(CellError):
        parse_ubigeo(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3166, 3166), ("3166", 3166), (" 3166 ", 3166), (3166.0, 3166), ("100,935", 100935), ("100'935", 100935)],
)
def test_population_accepts_whole_numbers_in_any_spelling(value, expected):
    assert parse_population(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "missing"),
        ("", "missing"),
        (0, "positive"),
        (-5, "positive"),
        (3166.5, "not a whole number"),
        ("muchos", "not a number"),
    ],
)
def test_bad_population_is_refused_with_its_reason(value, message):
    with pytest.raises(CellError, match=message):
        parse_population(value)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("49.97%", {}, Decimal("49.97")),
        ("49,97%", {}, Decimal("49.97")),
        (" 49.97 % ", {}, Decimal("49.97")),
        (49.97, {}, Decimal("49.97")),
        ("49.97", {}, Decimal("49.97")),
        (0.4997, {"fraction": True}, Decimal("49.97")),
        (0.4997, {"percent_format": True}, Decimal("49.97")),
        (1, {"fraction": True}, Decimal("100")),
        ("100%", {}, Decimal("100")),
        (None, {}, None),
        ("", {}, None),
    ],
)
def test_share_in_percent_from_any_spelling(value, kwargs, expected):
    assert parse_share(value, **kwargs) == expected


@pytest.mark.parametrize("value", ["120%", 100.5, -1, "abc", "-0.5%"])
def test_share_outside_0_100_or_not_a_number_is_refused(value):
    with pytest.raises(CellError):
        parse_share(value)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.4997, 0.5013, None], True),
        ([49.97, 50.13], False),
        ([0.4997, 49.97], False),
        (["49.97%", "50%"], False),
        (["49.97%", 0.5], True),
        ([None, ""], False),
    ],
)
def test_a_column_writes_fractions_when_every_plain_number_is_at_most_one(values, expected):
    assert shares_are_fractions(values) is expected


@pytest.mark.parametrize(
    ("listed", "official", "agree"),
    [
        ("Apurímac", "APURIMAC", True),
        ("CASTROVIRREYN A", "CASTROVIRREYNA", True),
        ("CHURCAMPÁ", "CHURCAMPA", True),
        ("ANCO HUALLO", "ANCO_HUALLO", True),
        ("  la mar ", "LA MAR", True),
        ("HUANTA", "HUAMANGA", False),
        ("Callao", "PROV. CONST. DEL CALLAO", True),
        ("Cuzco", "CUSCO", True),
        ("Lima Metropolitana", "LIMA", True),
        ("Lima", "CALLAO", False),
    ],
)
def test_names_agree_despite_case_accents_spaces_and_underscores(listed, official, agree):
    assert names_agree(listed, official) is agree


@pytest.mark.parametrize(
    ("listed", "official", "agree"),
    [
        ("AYMARAES - CHALHUANCA", "CHALHUANCA", True),
        ("VICTOR FAJARDO - HUANCAPÍ", "HUANCAPI", True),
        ("CHALHUANCA", "CHALHUANCA", True),
        ("PAZOS", "QUISHUAR", False),
    ],
)
def test_district_names_listed_as_province_dash_district(listed, official, agree):
    assert district_name_agrees(listed, official, "ANY") is agree


@pytest.mark.parametrize(
    ("header", "codes"),
    [
        ("Ubigeo", None),
        ("Ubigeo RENIEC", "reniec"),
        ("UBIGEO_SUNAT", "sunat"),
        ("Código INEI", "inei"),
        ("Ubigeo\nReniec", "reniec"),
    ],
)
def test_a_ubigeo_header_may_declare_its_code_system(header, codes):
    assert header_column(header) == "ubigeo"
    assert declared_codes(header) == codes
