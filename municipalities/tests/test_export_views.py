"""Excel downloads through HTTP: members get the files, others are refused."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Membership
from tests.factories import MembershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def per0601011_record():
    """A programme with PER0601011's code and life (2008–2012), nothing else."""
    return ProgrammeFactory(code="PER0601011", start_effective=date(2008, 4, 1), end_effective=date(2012, 11, 1))


ROUTES = [
    ("municipalities:beneficiaries", {}, "Ubigeo"),
    ("municipalities:beneficiaries_template", {}, "Ubigeo"),
    ("indicators:indicator_tables_xlsx", {"year": 2011}, "Nivel"),
    ("budget:budget_vs_actuals_xlsx", {"year": 2011}, "Code"),  # in the request's language, as the report
]


@pytest.mark.parametrize(("name", "kwargs", "first_header"), ROUTES)
def test_a_member_downloads_the_workbook(client, name, kwargs, first_header):
    membership = MembershipFactory(programme=per0601011_record(), role=Membership.Role.EMCL)
    client.force_login(membership.user)

    response = client.get(reverse(name, kwargs={"code": "PER0601011", **kwargs}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == first_header


@pytest.mark.parametrize(("name", "kwargs", "first_header"), ROUTES)
def test_a_user_without_a_role_in_the_programme_is_refused(client, name, kwargs, first_header):
    ProgrammeFactory(code="PER0601011")
    client.force_login(UserFactory())

    assert client.get(reverse(name, kwargs={"code": "PER0601011", **kwargs})).status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "first_header"), ROUTES)
def test_anonymous_is_sent_to_login(client, name, kwargs, first_header):
    ProgrammeFactory(code="PER0601011")

    response = client.get(reverse(name, kwargs={"code": "PER0601011", **kwargs}))

    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("year", [99999, 2007, 2013, 2031])
@pytest.mark.parametrize("name", ["indicators:indicator_tables_xlsx", "budget:budget_vs_actuals_xlsx"])
def test_unknown_programme_or_a_year_outside_the_programmes_life_is_404(client, name, year):
    membership = MembershipFactory(programme=per0601011_record(), role=Membership.Role.ADMIN)
    client.force_login(membership.user)

    assert client.get(reverse("municipalities:beneficiaries", kwargs={"code": "NOPE"})).status_code == 404
    assert client.get(reverse(name, kwargs={"code": "PER0601011", "year": year})).status_code == 404
    assert client.get(reverse(name, kwargs={"code": "PER0601011", "year": 2008})).status_code == 200
