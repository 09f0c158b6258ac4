"""PUT of a value for a region row and of a ratio's numerator and denominator: the entry service's rules and roles."""

from decimal import Decimal

import pytest
from django.utils import timezone

from indicators import scores
from indicators.models import Indicator, IndicatorValue, Membership
from indicators.periods import Period
from municipalities.models import BeneficiaryDistrict, District
from tests.factories import IndicatorFactory, UserFactory

from .conftest import token_client


def current_quarter() -> Period:
    return Period.containing(timezone.localdate())


def url(indicator, query=""):
    return f"/api/v1/indicators/{indicator}/values/{current_quarter()}/{query}"


def put(api, target, body, if_match=None):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return api.put(target, body, format="json", **headers)


def rows(code):
    quarter = current_quarter()
    return IndicatorValue.objects.filter(indicator__code=code, year=quarter.year, quarter=quarter.quarter)


@pytest.fixture
def regional(programme, users):
    """PRG1 works in Ayacucho and Apurímac; R2.5 is entered per region, R2.6 as numerator ÷ denominator."""
    for ubigeo, label in (("050101", "Ayacucho"), ("030101", "Apurímac")):
        district = District.objects.get(ubigeo=ubigeo)
        BeneficiaryDistrict.objects.create(
            programme=programme,
            district=district,
            department_label=label,
            province_label=district.province,
            district_label=district.name,
            target_population=100,
        )
    r2 = programme.results.get(code="R2")
    IndicatorFactory(result=r2, code="R2.5", order=5, disaggregated_by_region=True)
    IndicatorFactory(
        result=r2,
        code="R2.6",
        order=6,
        unit_kind=Indicator.UnitKind.PERCENTAGE,
        aggregation=Indicator.Aggregation.RATIO,
        disaggregated_by_region=True,
    )
    ayacucho = UserFactory(username="api-ayacucho")
    Membership.objects.create(user=ayacucho, programme=programme, role=Membership.Role.STAFF, regions="05")
    return {**users, "ayacucho": ayacucho}


def test_region_rows_are_separate_resources(regional):
    staff = token_client(regional["staff"])
    assert put(staff, url("R2.5", "?region=05"), {"value": "2"}).status_code == 201
    created = put(staff, url("R2.5", "?region=03"), {"value": "3"})
    assert created.status_code == 201 and created.json()["region"] == "03"
    assert put(staff, url("R2.5"), {"value": "5"}).status_code == 201
    assert sorted(rows("R2.5").values_list("region", "value")) == [
        ("", Decimal("5")),
        ("03", Decimal("3")),
        ("05", Decimal("2")),
    ]
    # Idempotent per region: the same body again changes nothing.
    again = put(staff, url("R2.5", "?region=05"), {"value": "2"}, if_match='"v1"')
    assert again.status_code == 200 and again.json()["version"] == 1
    got = staff.get(url("R2.5", "?region=05"))
    assert got.status_code == 200 and got.json()["value"] == "2.0000" and got.headers["ETag"] == '"v1"'


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?region=5", "region"),  # not a department code
        ("?region=AY", "region"),
        ("?region=09", "non_field_errors"),  # Huancavelica: no beneficiary district of PRG1 there
    ],
)
def test_bad_region_is_400_and_writes_nothing(regional, query, field):
    response = put(token_client(regional["staff"]), url("R2.5", query), {"value": "2"})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not rows("R2.5").exists()


def test_a_region_of_an_indicator_not_disaggregated_by_region_is_400(regional):
    response = put(token_client(regional["staff"]), url("R2.1", "?region=05"), {"value": "2"})
    assert response.status_code == 400 and not rows("R2.1").exists()


#            role,       own region (05), other region (03), total
MATRIX = [
    ("ayacucho", 201, 403, 403),
    ("staff", 201, 201, 201),  # all_scope
    ("admin", 201, 201, 201),
    ("reviewer", 403, 403, 403),
    ("emcl", 403, 403, 403),
    ("outsider", 404, 404, 404),
]


@pytest.mark.parametrize(("role", "own", "other", "total"), MATRIX)
def test_region_permission_matrix(regional, role, own, other, total):
    api = token_client(regional[role])
    assert put(api, url("R2.5", "?region=05"), {"value": "1"}).status_code == own
    assert put(api, url("R2.5", "?region=03"), {"value": "1"}).status_code == other
    assert put(api, url("R2.5"), {"value": "1"}).status_code == total
    written = {region for region, expected in (("05", own), ("03", other), ("", total)) if expected == 201}
    assert set(rows("R2.5").values_list("region", flat=True)) == written


def test_ratio_round_trip_and_the_engine(regional):
    staff = token_client(regional["staff"])
    created = put(staff, url("R2.6"), {"numerator": "30", "denominator": "120", "comment": "encuesta"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["numerator"], body["denominator"], body["value"]) == ("30.0000", "120.0000", "25.0000")
    assert (
        put(staff, url("R2.6"), {"numerator": "30", "denominator": "120", "comment": "encuesta"}, '"v1"').json()[
            "version"
        ]
        == 1
    )
    region = put(staff, url("R2.6", "?region=05"), {"numerator": "10", "denominator": "20"})
    assert region.status_code == 201 and region.json()["value"] == "50.0000"
    # The programme's figure is Σnumerator ÷ Σdenominator over the total rows entered.
    stored = rows("R2.6").filter(region="")
    observations = [scores.Observation(v.period, v.value, v.numerator, v.denominator) for v in stored]
    figure = scores.aggregate(observations, Indicator.Aggregation.RATIO, Period(current_quarter().year))
    assert figure.value == Decimal("25")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"numerator": "30", "denominator": "0"}, "non_field_errors"),
        ({"numerator": "-1", "denominator": "10"}, "non_field_errors"),
        ({"numerator": "30"}, "non_field_errors"),
        ({"value": "25"}, "non_field_errors"),  # a ratio's share is computed, never typed
        ({"numerator": "1.23456", "denominator": "10"}, "numerator"),
        ({"numerator": "many", "denominator": "10"}, "numerator"),
        ({}, "value"),
    ],
)
def test_bad_ratio_body_is_400_and_writes_nothing(regional, body, field):
    response = put(token_client(regional["staff"]), url("R2.6"), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not rows("R2.6").exists()


def test_numerator_on_an_indicator_that_is_not_a_ratio_is_400(regional):
    response = put(token_client(regional["staff"]), url("R2.5"), {"value": "1", "numerator": "1", "denominator": "2"})
    assert response.status_code == 400 and not rows("R2.5").exists()
