"""Places (places.py): annex 7.4 and the pilot municipalities, checked against the application's district register."""

import pytest

from fixtures.per0601011_builder.build import build
from fixtures.per0601011_builder.places import index_register, register_by_ubigeo
from fixtures.per0601011_builder.seed import SeedFormatError
from municipalities.register import read_register


def test_the_builder_reads_the_register_the_application_loads():
    rows = list(read_register())
    assert register_by_ubigeo() == index_register(rows)
    assert len(register_by_ubigeo()) == len(rows)  # one row per INEI code
    assert register_by_ubigeo()["050101"].name == "AYACUCHO"


def test_place_name_typos_are_kept_as_printed_and_resolved_by_ubigeo(built):
    by_ubigeo = {b["ubigeo"]: b for b in built["beneficiaries"]}
    assert len(by_ubigeo) == 73
    assert by_ubigeo["090411"]["province"] == "CASTROVIRREYN A"
    assert by_ubigeo["090502"]["province"] == "CHURCAMPÁ"
    assert by_ubigeo["030401"]["district"] == "AYMARAES - CHALHUANCA"
    assert by_ubigeo["030401"]["register_name"] == "CHALHUANCA"
    assert by_ubigeo["030602"]["district"] == "ANCO HUALLO"
    assert by_ubigeo["030602"]["register_name"] == "ANCO_HUALLO"


def test_pilot_municipalities_are_resolved_against_the_register(built):
    pilots = {p["name_as_reported"]: p["ubigeo"] for p in built["pilot_municipalities"]}
    assert len(pilots) == 10
    assert pilots["Ranracancho"] == "030608"
    assert pilots["Mayocc"] == "090508"
    assert pilots["San Juan Bautista"] == "050110"


def test_parser_refuses_an_ubigeo_missing_from_the_register(seed_text, register):
    text = seed_text.replace("030301\tPerú", "039999\tPerú")
    with pytest.raises(SeedFormatError, match="039999"):
        build(text, register)


def test_parser_refuses_a_district_listed_under_another_department(seed_text, register):
    text = seed_text.replace("030301\tPerú\tApurímac", "030301\tPerú\tAyacucho")
    with pytest.raises(SeedFormatError, match="030301: department 'Ayacucho'"):
        build(text, register)
