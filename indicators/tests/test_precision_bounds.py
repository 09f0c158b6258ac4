"""The precision of stored figures: the largest and most precise number each field holds goes in and comes back
exactly, one step beyond is refused with its message (never rounded), through the quarter form, the API, the
entry service and the programme loader, on SQLite and PostgreSQL alike; a row at the bound renders everywhere."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from indicators.entry import errors, rules, services
from indicators.entry.rows import RowKey, ValueInput
from indicators.models import MEASURE, MONEY, SHARE, Indicator, IndicatorValue, Membership, QuarterState
from indicators.periods import Period
from indicators.tests.entry_world import build_world
from programmes.loading import FORMAT, ProgrammeLoadError, programme_load
from tests.api.conftest import token_client
from tests.factories import IndicatorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)
TOO_LARGE = rules.MSG_TOO_LARGE.format(largest="99999999999.9999")
TOO_PRECISE = rules.MSG_TOO_PRECISE.format(places=4)


def test_the_declared_precisions_are_what_every_database_holds_exactly():
    assert (MEASURE.largest, MEASURE.step) == (D("99999999999.9999"), D("0.0001"))
    assert (MONEY.largest, SHARE.largest) == (D("9999999999999.99"), D("999.9999"))
    field = IndicatorValue._meta.get_field("value")
    assert (field.max_digits, field.decimal_places) == (MEASURE.digits, MEASURE.places)


# Rows that each field holds at its bound: (case, indicator of the world, what is typed).
HELD = [
    ("largest value", "money", {"value": "99999999999.9999"}),
    ("most negative value", "wide", {"value": "-99999999999.9999"}),
    ("most precise value", "money", {"value": "12345678901.2345"}),
    ("smallest step", "money", {"value": "0.0001"}),
    ("largest count, most precise share", "people", {"value": "99999999999", "share": "99.9999"}),
    ("share at 100", "people", {"value": "7", "share": "100"}),
    ("share's smallest step", "people", {"value": "7", "share": "0.0001"}),
    (
        "largest numerator and denominator",
        "ratio",
        {"numerator": "99999999999.9999", "denominator": "99999999999.9999"},
    ),
    ("most precise numerator and denominator", "ratio", {"numerator": "0.0001", "denominator": "12345678901.2345"}),
]

# One step beyond: (case, indicator, what is typed, the field refused, its message).
BEYOND = [
    ("one above the largest", "money", {"value": "100000000000"}, "value", TOO_LARGE),
    ("one below the most negative", "wide", {"value": "-100000000000"}, "value", TOO_LARGE),
    ("one decimal too many", "money", {"value": "12345678901.23456"}, "value", TOO_PRECISE),
    ("below the smallest step", "money", {"value": "0.00001"}, "value", TOO_PRECISE),
    ("the 1E16 that broke every read", "money", {"value": "9999999999999999"}, "value", TOO_LARGE),
    ("the figure SQLite rounded", "money", {"value": "1234567890123.4567"}, "value", TOO_LARGE),
    ("a share with five decimals", "people", {"value": "7", "share": "50.00001"}, "share", TOO_PRECISE),
    (
        "numerator too large",
        "ratio",
        {"numerator": "100000000000", "denominator": "100000000000"},
        "numerator",
        TOO_LARGE,
    ),
    ("denominator too precise", "ratio", {"numerator": "1", "denominator": "2.00001"}, "denominator", TOO_PRECISE),
]


@pytest.fixture
def world():
    """The entry world in 2012Q1, reopened so that it takes entry whatever today's date, plus a ratio and an
    indicator allowed the whole range of its column (a percentage change may be negative)."""
    w = build_world(period=Q1)
    QuarterState.objects.create(programme=w.programme, year=2012, quarter=1, reopened=True, reason="tests")
    w.ratio = IndicatorFactory(
        result=w.r2, code="R2.5", unit_kind=Indicator.UnitKind.PERCENTAGE, aggregation=Indicator.Aggregation.RATIO
    )
    w.wide = IndicatorFactory(
        result=w.r2,
        code="R2.6",
        unit_kind=Indicator.UnitKind.PERCENTAGE,
        allowed_min=-MEASURE.largest,
        allowed_max=MEASURE.largest,
    )
    return w


def _stored(indicator) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator=indicator, year=2012, quarter=1, chain=None, sex="", region="")


def _assert_read_back_exactly(indicator, typed: dict) -> None:
    row = _stored(indicator)
    for name, text in typed.items():
        assert getattr(row, name) == D(text), name
        assert format(getattr(row, name), "f").rstrip("0").rstrip(".") == format(D(text).normalize(), "f")


# --- the quarter form -------------------------------------------------------------------------------


def _form_field(indicator, name: str) -> str:
    return f"r{indicator.pk}-0-T-{name}"


@pytest.mark.parametrize(("case", "attr", "typed"), HELD, ids=[c[0] for c in HELD])
def test_the_form_takes_each_fields_bound_and_reads_it_back_exactly(client, world, case, attr, typed):
    indicator = getattr(world, attr)
    client.force_login(world.staff_all)
    url = reverse("indicators:entry", args=[world.programme.code, "2012Q1"])
    response = client.post(url, {_form_field(indicator, name): text for name, text in typed.items()})
    assert response.status_code == 302, response.content.decode()[-3000:]
    _assert_read_back_exactly(indicator, typed)
    html = client.get(url).content.decode()
    for name, text in typed.items():
        # Shown again as typed, unrounded.
        assert re.search(f'name="{_form_field(indicator, name)}"[^>]* value="{re.escape(text)}"', html), name


@pytest.mark.parametrize(("case", "attr", "typed", "field", "message"), BEYOND, ids=[c[0] for c in BEYOND])
def test_the_form_refuses_one_step_beyond_with_its_message(client, world, case, attr, typed, field, message):
    indicator = getattr(world, attr)
    client.force_login(world.staff_all)
    url = reverse("indicators:entry", args=[world.programme.code, "2012Q1"])
    data = {_form_field(indicator, name): text for name, text in typed.items()}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IndicatorValue.objects.exists()


# --- the REST API -----------------------------------------------------------------------------------


def _put(world, indicator, typed: dict):
    api = token_client(world.staff_all)
    url = f"/api/v1/indicators/{indicator.code}/values/2012Q1/?programme={world.programme.code}"
    return api.put(url, typed, format="json", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(("case", "attr", "typed"), HELD, ids=[c[0] for c in HELD])
def test_the_api_takes_each_fields_bound_and_reads_it_back_exactly(world, case, attr, typed):
    indicator = getattr(world, attr)
    response = _put(world, indicator, typed)
    assert response.status_code == 201, response.content
    _assert_read_back_exactly(indicator, typed)
    for name, text in typed.items():
        assert D(response.json()[name]) == D(text)


@pytest.mark.parametrize(("case", "attr", "typed", "field", "message"), BEYOND, ids=[c[0] for c in BEYOND])
def test_the_api_refuses_one_step_beyond_with_its_message(world, case, attr, typed, field, message):
    response = _put(world, getattr(world, attr), typed)
    assert response.status_code == 400
    assert response.json()["error"]["fields"][field] == [message]
    assert not IndicatorValue.objects.exists()


# --- the entry service (what the form and the API call) ------------------------------------------------


@pytest.mark.parametrize(("case", "attr", "typed", "field", "message"), BEYOND, ids=[c[0] for c in BEYOND])
def test_the_service_refuses_one_step_beyond_whoever_calls_it(world, case, attr, typed, field, message):
    indicator = getattr(world, attr)
    item = ValueInput(key=RowKey(indicator.pk), **{name: D(text) for name, text in typed.items()})
    with pytest.raises(errors.EntryValidationError) as info:
        services.quarter_values_save(user=world.staff_all, programme=world.programme, period=Q1, inputs=[item])
    assert message in info.value.errors[RowKey(indicator.pk)]
    assert not IndicatorValue.objects.exists()


# --- the programme loader ---------------------------------------------------------------------------


def _programme_file(unit_kind: str, aggregation: str, value: dict, **indicator) -> dict:
    return {
        "format": FORMAT,
        "programme": {
            "code": "LOAD1",
            "name": "Programa cargado",
            "belgian_contribution": {"amount": "1000.00"},
            "partner_contribution": {"amount": "0"},
            "responsible": {"name": "", "role": ""},
            "executor": {"name": "", "role": ""},
        },
        "levels": [{"code": "R1", "kind": "R", "order": 1, "statement": "Resultado 1"}],
        "indicators": [
            {
                "code": "R1.1",
                "level": "R1",
                "order": 1,
                "name": "Indicador",
                "unit_kind": unit_kind,
                "aggregation": aggregation,
                "values": [{"year": 2011, "quarter": 0, "no_data": False, "source_text": "", **value}],
                **indicator,
            }
        ],
    }


# The loader reads a file's percentages as ratios and shares as ratios (0.35 = 35 %).
LOADER_HELD = [
    ("largest value", "money", "latest", {"value": "99999999999.9999"}, {"value": D("99999999999.9999")}),
    ("most precise value", "area", "latest", {"value": "12345678901.2345"}, {"value": D("12345678901.2345")}),
    ("share at 100 %", "count_share", "latest", {"value": "7", "share": "1"}, {"share": D("100")}),
    ("share's smallest step", "count_share", "latest", {"value": "7", "share": "0.000001"}, {"share": D("0.0001")}),
    (
        "largest numerator and denominator",
        "percentage",
        "ratio",
        {"numerator": "99999999999.9999", "denominator": "99999999999.9999"},
        {"numerator": D("99999999999.9999"), "denominator": D("99999999999.9999"), "value": D("100")},
    ),
]

LOADER_BEYOND = [
    ("one above the largest", "money", "latest", {"value": "100000000000"}, "value", TOO_LARGE),
    ("one decimal too many", "area", "latest", {"value": "1.23456"}, "value", TOO_PRECISE),
    ("a share with five decimals", "count_share", "latest", {"value": "7", "share": "0.0000001"}, "share", TOO_PRECISE),
    (
        "numerator too large",
        "percentage",
        "ratio",
        {"numerator": "100000000000", "denominator": "100000000000"},
        "numerator",
        TOO_LARGE,
    ),
]


@pytest.mark.parametrize(
    ("case", "unit", "aggregation", "value", "expected"), LOADER_HELD, ids=[c[0] for c in LOADER_HELD]
)
def test_the_loader_takes_each_fields_bound_and_reads_it_back_exactly(case, unit, aggregation, value, expected):
    programme_load(data=_programme_file(unit, aggregation, value))
    row = IndicatorValue.objects.get(indicator__code="R1.1")
    for name, number in expected.items():
        assert getattr(row, name) == number, name


@pytest.mark.parametrize(
    ("case", "unit", "aggregation", "value", "field", "message"), LOADER_BEYOND, ids=[c[0] for c in LOADER_BEYOND]
)
def test_the_loader_refuses_one_step_beyond_naming_indicator_period_and_field(
    case, unit, aggregation, value, field, message
):
    with pytest.raises(ProgrammeLoadError) as info, translation.override("en"):
        programme_load(data=_programme_file(unit, aggregation, value))
    assert f"R1.1 2011 {field}: {message}" in str(info.value)
    assert not IndicatorValue.objects.exists() and not Indicator.objects.exists()


def test_the_loader_refuses_a_target_or_a_baseline_beyond_its_column():
    data = _programme_file("money", "latest", {"value": "1"}, final_target={"value": "100000000000"})
    with pytest.raises(ProgrammeLoadError, match="final_target: This number is too large"), translation.override("en"):
        programme_load(data=data)
    assert not Indicator.objects.exists()


# --- the database itself ----------------------------------------------------------------------------


def test_the_database_refuses_a_row_beyond_the_bound_written_around_the_application(world):
    row = IndicatorValue.objects.create(indicator=world.money, year=2012, quarter=1, value=MEASURE.largest)
    table = IndicatorValue._meta.db_table
    with pytest.raises((IntegrityError, DataError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = %s WHERE id = %s", ["1E16", row.pk])  # noqa: S608
    row.refresh_from_db()
    assert row.value == MEASURE.largest


# --- a row at the bound renders everywhere ------------------------------------------------------------


def test_a_stored_row_at_the_bound_renders_on_every_surface(client, per0601011):
    money = Indicator.objects.get(result__programme=per0601011, code="R1.2")
    count = Indicator.objects.get(result__programme=per0601011, code="R3.2")
    IndicatorValue.objects.filter(indicator=money, year=2011, quarter=0, chain=None).update(value=MEASURE.largest)
    IndicatorValue.objects.create(indicator=money, year=2011, quarter=4, value=MEASURE.largest, status="submitted")
    IndicatorValue.objects.create(indicator=count, year=2011, quarter=4, value=D("99999999999"), status="submitted")
    user = UserFactory(username="bounds-admin")
    MembershipFactory(user=user, programme=per0601011, role=Membership.Role.ADMIN)
    client.force_login(user)

    series = client.get(f"/api/v1/indicators/R1.2/series/?programme={per0601011.code}")
    assert series.status_code == 200
    assert "99999999999.9999" in series.content.decode()
    assert client.get("/").status_code == 200  # the home page's scores read these rows
    report = client.get(reverse("reports:report", kwargs={"code": per0601011.code, "year": 2011}))
    assert report.status_code == 200
    assert ">99999999999.9999<" in report.content.decode().replace(",", "")  # R1.2 2011, whatever the grouping
    form = client.get(reverse("indicators:entry", args=[per0601011.code, "2011Q4"]))
    assert form.status_code == 200
    html = form.content.decode().replace(",", "")
    assert ">99999999999.9999<" in html and ">99999999999<" in html  # R1.2 and R3.2 of the closed quarter
