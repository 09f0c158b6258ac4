"""Excel downloads through HTTP: members get the files, others are refused."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Membership
from tests.factories import MembershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROUTES = [
    ("exports:beneficiaries", {}, "Ubigeo"),
    ("exports:beneficiaries_template", {}, "Ubigeo"),
    ("exports:indicator_tables", {"year": 2011}, "Nivel"),
    ("exports:budget_vs_actuals", {"year": 2011}, "Code"),  # in the request's language, as the report
]


@pytest.mark.parametrize(("name", "kwargs", "first_header"), ROUTES)
def test_a_member_downloads_the_workbook(client, name, kwargs, first_header):
    membership = MembershipFactory(programme=ProgrammeFactory(code="PER0601011"), role=Membership.Role.EMCL)
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


def test_unknown_programme_or_absurd_year_is_404(client):
    membership = MembershipFactory(programme=ProgrammeFactory(code="PER0601011"), role=Membership.Role.ADMIN)
    client.force_login(membership.user)

    assert client.get(reverse("exports:beneficiaries", kwargs={"code": "NOPE"})).status_code == 404
    assert (
        client.get(reverse("exports:indicator_tables", kwargs={"code": "PER0601011", "year": 99999})).status_code == 404
    )
