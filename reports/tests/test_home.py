"""The programme home page, the landing page of every role, through HTTP."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from indicators.models import IndicatorValue, Membership, StatedScore
from reports.models import Report
from reports.overview import DOWN, FLAT, UP, trend
from reports.tests.factories import UserFactory, small_programme

Role = Membership.Role


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (Decimal("0.84"), Decimal("0.73"), DOWN),
        (Decimal("0.41"), Decimal("0.48"), UP),
        (Decimal("1"), Decimal("1.00"), FLAT),
        (None, Decimal("0.5"), None),
        (Decimal("0.5"), None, None),
    ],
)
def test_trend_compares_two_figures_and_invents_none(previous, current, expected):
    assert trend(previous, current) == expected


def test_anonymous_users_go_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_user_sees_only_the_programmes_where_they_have_a_role(client, db, member):
    mine, other = small_programme(), small_programme()
    client.force_login(member(mine, Role.EMCL))
    html = client.get("/").content.decode()
    assert f'id="programme-{mine.code}"' in html
    assert f'id="programme-{other.code}"' not in html


def test_a_user_without_any_role_is_told_so(client, db):
    client.force_login(UserFactory(username="nobody"))
    with translation.override("es"):
        told = gettext("You have no role in any programme yet. Ask an administrator.")
    assert told in client.get("/").content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.REVIEWER, Role.EMCL, Role.ADMIN])
def test_every_role_lands_on_the_scores_with_their_trend(client, db, member, role):
    programme = small_programme()
    r1 = programme.results.get(code="R1")
    StatedScore.objects.create(result=r1, year=2010, efficacy=Decimal("0.84"), efficiency=Decimal("1.02"))
    client.force_login(member(programme, role))
    response = client.get("/")
    assert response.status_code == 200
    overview = response.context["overviews"][0]
    assert str(overview.period) == "2011" and str(overview.previous) == "2010"
    level = next(lv for lv in overview.levels if lv.code == "R1")
    assert level.efficacy.direction == DOWN  # 84% -> 73%
    assert level.efficiency.direction == UP  # 102% -> 123%
    assert level.sustainability.direction is None  # no 2010 figure: no trend
    html = response.content.decode()
    assert "73%" in html and "▼" in html and "▲" in html


def test_indicators_off_track_are_listed_with_their_achievement(client, db, member):
    programme = small_programme()  # values 60–61 against a target of 80: 75–76 %, below the 85 % band
    client.force_login(member(programme, Role.REVIEWER))
    overview = client.get("/").context["overviews"][0]
    codes = {row.code for row in overview.off_track}
    assert "R1.1" in codes
    html = client.get("/").content.decode()
    assert "75%" in html


def test_quarters_waiting_for_review_count_the_submitted_values(client, db, member):
    programme = small_programme()
    for value in IndicatorValue.objects.filter(indicator__result__programme=programme, year=2011)[:3]:
        IndicatorValue.objects.filter(pk=value.pk).update(status=IndicatorValue.Status.SUBMITTED)
    client.force_login(member(programme, Role.REVIEWER))
    waiting = client.get("/").context["overviews"][0].waiting
    assert [(str(w.period), w.submitted) for w in waiting] == [("2011", 3)]


def test_reports_are_listed_with_their_approval_state(client, db, member):
    programme = small_programme()
    Report.objects.create(programme=programme, year=2010, status=Report.Status.APPROVED)
    client.force_login(member(programme, Role.EMCL))
    reports = client.get("/").context["overviews"][0].reports
    assert [(r.year, r.status) for r in reports] == [(2011, "draft"), (2010, "approved")]
    html = client.get("/").content.decode()
    assert f"/reports/{programme.code}/2011/" in html and f"/reports/{programme.code}/2010.pdf" in html
