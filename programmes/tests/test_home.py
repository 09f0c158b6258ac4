"""The programme home page, the landing page of every role, through HTTP."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from cse_monitor.lib import formatting
from indicators.models import Indicator, IndicatorValue, Membership, StatedScore
from indicators.periods import Period
from programmes.overview import DOWN, FLAT, UP, trend
from programmes.views import MSG_BAD_PERIOD, SHOWN_CHARS
from reports.models import Report
from tests.factories import UserFactory, small_programme

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


def test_the_off_track_list_uses_the_configured_band(client, db, member, settings):
    programme = small_programme()  # 75–76 % of the target: within a 30 % band, on track
    settings.SCORE_TRACK_BAND = "0.30"
    client.force_login(member(programme, Role.REVIEWER))
    overview = client.get("/").context["overviews"][0]
    assert "R1.1" not in {row.code for row in overview.off_track}


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


# --- The period shown: the latest year with a report or approved data, within the programme's life ----------


def _overview(client, query=""):
    response = client.get(f"/{query}")
    return response, response.context["overviews"][0]


def _values(programme, period, status, n=6):
    indicators = list(Indicator.objects.filter(result__programme=programme).order_by("code")[:n])
    for indicator in indicators:
        IndicatorValue.objects.create(
            indicator=indicator, year=period.year, quarter=period.quarter, value=Decimal("7"), status=status
        )


@pytest.mark.parametrize("status", [IndicatorValue.Status.SUBMITTED, IndicatorValue.Status.DRAFT])
def test_trial_values_of_2026q4_do_not_move_the_default_period(client, db, member, status):
    programme = small_programme()  # life 2009–2012; report (stated scores) and approved values of 2011
    _values(programme, Period(2026, 4), status)
    client.force_login(member(programme, Role.EMCL))
    response, overview = _overview(client)
    assert overview.period == Period(2011)
    assert Period(2026, 4) not in overview.choices
    with translation.override("es"):
        heading = gettext("Scores of %(period)s (trend against %(previous)s)") % {"period": 2011, "previous": 2010}
    assert heading in response.content.decode()


def test_approved_values_outside_the_programmes_life_do_not_move_it_either(client, db, member):
    programme = small_programme()
    _values(programme, Period(2026, 4), IndicatorValue.Status.APPROVED)
    _values(programme, Period(2012, 2), IndicatorValue.Status.SUBMITTED)  # in the life, but not approved
    client.force_login(member(programme, Role.EMCL))
    assert _overview(client)[1].period == Period(2011)


def test_approved_values_of_a_later_year_of_the_life_become_the_default(client, db, member):
    programme = small_programme()
    _values(programme, Period(2012, 1), IndicatorValue.Status.APPROVED, n=1)
    client.force_login(member(programme, Role.EMCL))
    assert _overview(client)[1].period == Period(2012)


def test_a_report_row_of_a_later_year_becomes_the_default(client, db, member):
    programme = small_programme()
    Report.objects.create(programme=programme, year=2012)
    client.force_login(member(programme, Role.EMCL))
    assert _overview(client)[1].period == Period(2012)


def test_the_choices_are_the_years_of_the_life_and_the_quarters_with_data(client, db, member):
    programme = small_programme()
    StatedScore.objects.create(result=programme.results.get(code="R1"), year=2011, quarter=3, efficacy=Decimal("0.5"))
    _values(programme, Period(2010, 2), IndicatorValue.Status.SUBMITTED, n=1)
    _values(programme, Period(2010, 4), IndicatorValue.Status.DRAFT, n=1)  # a private draft is no choice
    _values(programme, Period(2026, 4), IndicatorValue.Status.SUBMITTED, n=1)  # outside the life
    client.force_login(member(programme, Role.EMCL))
    response, overview = _overview(client)
    # Newest first, each year followed by its quarters with data.
    assert [str(p) for p in overview.choices] == ["2012", "2011", "2011Q3", "2010", "2010Q2", "2009"]
    html = response.content.decode()
    assert '<select name="period"' in html and '<option value="2011" selected>' in html


def test_choosing_2010_shows_2010s_scores(client, db, member):
    programme = small_programme()
    r1 = programme.results.get(code="R1")
    StatedScore.objects.create(result=r1, year=2010, efficacy=Decimal("0.84"), efficiency=Decimal("1.02"))
    StatedScore.objects.create(result=r1, year=2009, efficacy=Decimal("0.91"), efficiency=Decimal("0.95"))
    client.force_login(member(programme, Role.REVIEWER))
    response, overview = _overview(client, "?period=2010")
    assert response.status_code == 200
    assert (overview.period, overview.previous, overview.unavailable) == (Period(2010), Period(2009), None)
    level = next(lv for lv in overview.levels if lv.code == "R1")
    assert (level.efficacy.current.value, level.efficacy.previous.value) == (Decimal("0.84"), Decimal("0.91"))
    assert level.efficiency.direction == UP  # 95% -> 102%
    html = response.content.decode()
    assert "84%" in html and '<option value="2010" selected>' in html
    assert "73%" not in html  # 2011's stated efficacy is not on the page


def test_choosing_a_quarter_with_data_shows_it_against_the_quarter_before(client, db, member):
    programme = small_programme()
    r1 = programme.results.get(code="R1")
    StatedScore.objects.create(result=r1, year=2011, quarter=2, efficacy=Decimal("0.40"))
    StatedScore.objects.create(result=r1, year=2011, quarter=3, efficacy=Decimal("0.55"))
    client.force_login(member(programme, Role.STAFF))
    _response, overview = _overview(client, "?period=2011Q3")
    assert (overview.period, overview.previous) == (Period(2011, 3), Period(2011, 2))
    level = next(lv for lv in overview.levels if lv.code == "R1")
    assert (level.efficacy.current.value, level.efficacy.direction) == (Decimal("0.55"), UP)


@pytest.mark.parametrize("raw", ["banana", "99999", "2011Q5", "2011-13", "<script>alert(1)</script>", "1" * 500])
def test_a_value_that_is_not_a_period_is_answered_with_a_message_not_a_500(client, db, member, raw):
    programme = small_programme()
    client.force_login(member(programme, Role.EMCL))
    response, overview = _overview(client, "?" + urlencode({"period": raw}))
    assert response.status_code == 400
    assert overview.period == Period(2011)  # the default is still shown
    with translation.override("es"):
        told = gettext(MSG_BAD_PERIOD) % {"value": raw[:SHOWN_CHARS]}
    html = response.content.decode()
    assert escape(told) in html
    assert "<script>alert" not in html


@pytest.mark.parametrize("raw", ["2031", "2026Q4", "2010Q1", "2007"])
def test_a_period_that_is_not_the_programmes_says_so_and_shows_the_default(client, db, member, raw):
    programme = small_programme()
    client.force_login(member(programme, Role.EMCL))
    response, overview = _overview(client, "?" + urlencode({"period": raw}))
    assert response.status_code == 200
    assert (overview.period, str(overview.unavailable)) == (Period(2011), raw)
    with translation.override("es"):
        told = gettext(
            "%(period)s is not a period of this programme: choose one of its years, or a quarter with data."
        ) % {"period": raw}
    assert told in response.content.decode()


def test_reports_outside_the_programmes_life_are_not_listed(client, db, member):
    programme = small_programme()
    Report.objects.create(programme=programme, year=2031)
    client.force_login(member(programme, Role.EMCL))
    assert [r.year for r in _overview(client)[1].reports] == [2011]
    assert _overview(client)[1].period == Period(2011)


# Annex 7.2 of the seed, as stated: efficacy and efficiency per result for 2010 and for 2011Q3.
SEED_SCORES = {
    "2010": {"R1": ("84%", "102%"), "R2": ("79%", "87%"), "R3": ("98%", "135%"), "R4": ("93%", "81%")},
    "2011Q3": {"R1": ("66%", "87%"), "R2": ("68%", "81%"), "R3": ("45%", "60%"), "R4": ("93%", "101%")},
}


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["2010", "2011Q3"])
def test_per0601011_home_shows_2011_by_default_and_the_seeds_scores_of_a_chosen_period(client, per0601011, raw):
    client.force_login(UserFactory(username="home-admin", is_superuser=True))
    _response, overview = _overview(client)
    assert overview.period == Period(2011)
    assert [str(p) for p in overview.choices if p.is_year] == ["2012", "2011", "2010", "2009", "2008"]
    response, overview = _overview(client, f"?period={raw}")
    assert str(overview.period) == raw
    shown = {
        level.code: (
            formatting.percent(level.efficacy.current.value),
            formatting.percent(level.efficiency.current.value),
        )
        for level in overview.levels
        if level.code in SEED_SCORES[raw]
    }
    assert shown == SEED_SCORES[raw]
    html = response.content.decode()
    assert all(f"{efficacy}" in html for efficacy, _ in SEED_SCORES[raw].values())
