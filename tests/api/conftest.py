"""Fixtures for the API tests: a small programme, users per role, clients with tokens."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from budget.models import BudgetExpense, BudgetLine
from cse_monitor.tokens import token_create
from indicators.models import Indicator, Membership, StatedScore
from municipalities.models import BeneficiaryDistrict, District
from reports.models import EmclDecision
from tests.factories import (
    TEST_PASSWORD,
    IndicatorFactory,
    IndicatorTargetFactory,
    IndicatorValueFactory,
    ProgrammeFactory,
    ResultFactory,
    StatedAchievementFactory,
    UserFactory,
    ValueChainFactory,
    membership,
)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme(db):
    """PRG1 with R2 and three indicators, two chains, values, targets and a stated achievement."""
    prog = ProgrammeFactory(code="PRG1")
    r2 = ResultFactory(programme=prog, code="R2", order=2)
    papa = ValueChainFactory(programme=prog, slug="papa-nativa", name="Papa nativa", order=1)
    ValueChainFactory(programme=prog, slug="tara", name="Tara", order=2)
    sales = IndicatorFactory(result=r2, code="R2.1", order=1, disaggregated_by_chain=True, disaggregated_by_sex=True)
    IndicatorValueFactory(indicator=sales, year=2011, quarter=1, value=Decimal("5"))
    IndicatorValueFactory(indicator=sales, year=2011, quarter=2, value=Decimal("7"), status="draft")
    IndicatorValueFactory(indicator=sales, year=2011, quarter=3, value=None, no_data=True, no_data_reason="Sin dato")
    IndicatorValueFactory(indicator=sales, year=2011, quarter=1, chain=papa, value=Decimal("2"))
    IndicatorValueFactory(indicator=sales, year=2011, quarter=1, sex="F", value=Decimal("3"))
    IndicatorTargetFactory(indicator=sales, year=2011, quarter=0, value=Decimal("24"))
    mesas = IndicatorFactory(result=r2, code="R2.3", order=3, aggregation=Indicator.Aggregation.LATEST, unit="mesas")
    IndicatorValueFactory(indicator=mesas, year=2010, quarter=0, value=Decimal("4"), is_stated=True)
    IndicatorValueFactory(indicator=mesas, year=2011, quarter=0, value=Decimal("8"), is_stated=True)
    IndicatorTargetFactory(indicator=mesas, year=2011, quarter=0, value=Decimal("8"))
    StatedAchievementFactory(indicator=mesas, year=2011, quarter=2, achievement=Decimal("0.75"))
    IndicatorFactory(result=r2, code="R2.9", order=9, has_data=False)
    return prog


@pytest.fixture
def full_programme(programme):
    """The small programme plus one row for each remaining resource."""
    district = District.objects.get(ubigeo="050101")
    BeneficiaryDistrict.objects.create(
        programme=programme,
        district=district,
        department_label="Ayacucho",
        province_label="Huamanga",
        district_label="Ayacucho",
        target_population=3212,
        women_share=Decimal("49.97"),
    )
    header = BudgetLine.objects.create(programme=programme, code="A", name="Result area", is_header=True, order=1)
    leaf = BudgetLine.objects.create(
        programme=programme, parent=header, code="A/01/01", name="Line", amount=Decimal("1000.00"), order=2
    )
    BudgetExpense.objects.create(line=leaf, year_to=2010, amount=Decimal("300.00"))
    BudgetExpense.objects.create(line=leaf, year_from=2011, year_to=2011, amount=Decimal("540.00"))
    StatedScore.objects.create(
        result=programme.results.get(code="R2"), year=2011, efficacy=Decimal("0.73"), source="Informe anual 2011, 2.1"
    )
    EmclDecision.objects.create(programme=programme, year=2011, decision="Aprobar el POA", source="Acta EMCL")
    return programme


@pytest.fixture
def other_programme(db):
    prog = ProgrammeFactory(code="PRG2")
    result = ResultFactory(programme=prog, code="R2", order=2)
    IndicatorFactory(result=result, code="R2.1", order=1)
    ValueChainFactory(programme=prog, slug="papa-nativa", order=1)
    return prog


@pytest.fixture
def users(programme):
    """One user per role of PRG1, plus an authenticated outsider with no membership."""
    out = {}
    for role in Membership.Role.values:
        user = UserFactory(username=f"api-{role}", password=TEST_PASSWORD)
        membership(user, programme, role)
        out[role] = user
    out["outsider"] = UserFactory(username="api-outsider", password=TEST_PASSWORD)
    return out


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user, name='tests').secret}")
    return client


@pytest.fixture
def staff_api(users):
    return token_client(users["staff"])


@pytest.fixture
def outsider_api(users):
    return token_client(users["outsider"])
