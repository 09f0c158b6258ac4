"""The monitoring card and indicator achievement selectors, on factory data and on the PER0601011 data."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from chains.models import ValueChain
from indicators.figures import NO_FIGURE, WHOLE_PROGRAMME, Figure, Origin
from indicators.figures import indicator_figure as indicator_achievement
from indicators.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Result,
    StatedAchievement,
    StatedScore,
    Task,
)
from indicators.periods import Period
from indicators.scores import TrackStatus
from indicators.selectors import monitoring_card, track_band, track_status_of
from tests.factories import ActivityFactory, IndicatorFactory, ProgrammeFactory, ResultFactory, TaskFactory

pytestmark = pytest.mark.django_db


def ratio(value: D) -> D:
    """A ratio as the read model rounds it (six decimals)."""
    return value.quantize(D("0.000001"), ROUND_HALF_UP)


Y2011 = Period(2011)
Q1, Q2, Q3, Q4 = (Period(2011, q) for q in (1, 2, 3, 4))


def _value(indicator, period, value=None, **kwargs):
    return IndicatorValue.objects.create(
        indicator=indicator, year=period.year, quarter=period.quarter, value=value, **kwargs
    )


def _target(indicator, period, value):
    return IndicatorTarget.objects.create(indicator=indicator, year=period.year, quarter=period.quarter, value=value)


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def levels(programme):
    oe = ResultFactory(programme=programme, code="OE", kind=Result.Kind.SPECIFIC_OBJECTIVE, order=0)
    r1 = ResultFactory(programme=programme, code="R1", order=1)
    r2 = ResultFactory(programme=programme, code="R2", order=2)
    return oe, r1, r2


def test_indicator_achievement_is_actual_over_the_period_target(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1, aggregation=Indicator.Aggregation.LATEST)
    _value(ind, Y2011, D("318"))
    _target(ind, Y2011, D("397"))
    row = indicator_achievement(ind, Y2011)
    assert (row.actual, row.target) == (D("318"), D("397"))
    assert row.achievement == Figure(ratio(D("318") / D("397")), Origin.COMPUTED)


def test_running_total_indicator_adds_previous_years(levels):
    oe, _, _ = levels
    ind = IndicatorFactory(result=oe, aggregation=Indicator.Aggregation.RUNNING_TOTAL, baseline=D("2507"))
    _value(ind, Period(2010), D("3032"))
    _value(ind, Y2011, D("180"))
    _target(ind, Y2011, D("3032"))
    row = indicator_achievement(ind, Y2011)
    assert row.actual == D("3212")
    assert round(row.achievement.value * 100) == 106


def test_quarter_without_its_own_target_is_measured_against_the_year_target(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1, aggregation=Indicator.Aggregation.RUNNING_TOTAL)
    _value(ind, Q1, D("20"))
    _value(ind, Q2, D("30"))
    _target(ind, Y2011, D("100"))
    _target(ind, Q1, D("25"))
    assert indicator_achievement(ind, Q1).achievement.value == D("0.8")
    assert indicator_achievement(ind, Q2).achievement.value == D("0.5")


def test_descending_indicator_uses_its_baseline(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1, direction=Indicator.Direction.DESCENDING, baseline=D("20"))
    _value(ind, Y2011, D("14"))
    _target(ind, Y2011, D("10"))
    assert indicator_achievement(ind, Y2011).achievement.value == D("0.6")


def test_percentage_indicator_uses_summed_numerators_and_denominators(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1, unit_kind=Indicator.UnitKind.PERCENTAGE, aggregation=Indicator.Aggregation.RATIO)
    _value(ind, Q1, numerator=D("1"), denominator=D("2"), share=D("50"))
    _value(ind, Q2, numerator=D("9"), denominator=D("10"), share=D("90"))
    IndicatorTarget.objects.create(indicator=ind, year=2011, quarter=0, share=D("80"))
    row = indicator_achievement(ind, Y2011)
    # Figures are rounded once, to the stored precision (four decimals; ratios six).
    assert row.actual == (D("100") * D("10") / D("12")).quantize(D("0.0001"))
    assert row.achievement.value == ratio(row.actual / D("80"))


def test_count_with_share_compares_the_count_never_the_share_with_a_count_target(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1, unit_kind=Indicator.UnitKind.COUNT_SHARE, aggregation="latest")
    _value(ind, Y2011, D("927"), share=D("35"))
    _target(ind, Y2011, D("1072"))
    assert indicator_achievement(ind, Y2011).achievement.value == ratio(D("927") / D("1072"))
    # Only the share was printed (R4.6: "68.1%" of the ODEL against a target of 72 ODEL): no achievement.
    shares_only = IndicatorFactory(result=r1, unit_kind=Indicator.UnitKind.COUNT_SHARE, aggregation="latest")
    _value(shares_only, Y2011, None, share=D("68.1"))
    _target(shares_only, Y2011, D("72"))
    row = indicator_achievement(shares_only, Y2011)
    assert (row.actual, row.achievement) == (None, NO_FIGURE)


def test_qualitative_indicator_achievement_is_the_percentage_entered(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1, unit_kind=Indicator.UnitKind.QUALITATIVE, aggregation="latest")
    _value(ind, Q2, None, share=D("80"))
    assert indicator_achievement(ind, Q2).achievement == Figure(D("0.8"), Origin.COMPUTED)  # no target needed
    assert indicator_achievement(ind, Q3).achievement == NO_FIGURE


def test_no_data_value_and_missing_target_give_no_achievement(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1)
    _value(ind, Y2011, None, no_data=True, no_data_reason="Sin dato")
    _target(ind, Y2011, D("10"))
    assert indicator_achievement(ind, Y2011).achievement == NO_FIGURE
    other = IndicatorFactory(result=r1)
    _value(other, Y2011, D("5"))
    assert indicator_achievement(other, Y2011).achievement == NO_FIGURE


def test_breakdowns_by_chain_region_or_sex_are_not_added_to_the_total(levels, programme):
    _, r1, _ = levels
    chain = ValueChain.objects.create(programme=programme, slug="tara", name="Tara")
    ind = IndicatorFactory(result=r1)
    _value(ind, Y2011, D("10"))
    _value(ind, Y2011, D("4"), chain=chain)
    _value(ind, Y2011, D("3"), region="05")
    _value(ind, Y2011, D("6"), sex="F")
    _target(ind, Y2011, D("20"))
    assert indicator_achievement(ind, Y2011).actual == D("10")


def test_stated_achievement_is_shown_as_stated_even_when_it_could_be_computed(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1)
    _value(ind, Y2011, D("10"))
    _target(ind, Y2011, D("20"))
    StatedAchievement.objects.create(indicator=ind, year=2011, quarter=0, achievement=D("1.52"))
    row = indicator_achievement(ind, Y2011)
    # The computed one is kept beside it, so that a reader can be told that they differ.
    assert row.achievement == Figure(D("1.52"), Origin.STATED, computed=D("0.5"))
    assert row.achievement.computed_differs
    assert row.actual == D("10")  # the inputs are still shown


def test_card_computes_task_scores_per_result_and_quarter(programme, levels):
    _, r1, r2 = levels
    act = ActivityFactory(result=r1)
    TaskFactory(activity=act, quarter=1, executed=True, planned_cost=100, actual_cost=80, assumable=True)
    TaskFactory(activity=act, quarter=1, executed=False, planned_cost=50)
    TaskFactory(
        activity=act, quarter=2, executed=True, planned_cost=60, actual_cost=60, assumable=True,
        beneficiary_contribution=20, partner_contribution=20,
    )  # fmt: skip
    card = monitoring_card(programme, [Q1, Q2, Q3, Y2011])
    row = card.level("R1")
    assert [f.value for f in row.efficacy] == [D("0.5"), D("1"), None, D("2") / D("3")]
    assert row.efficiency[0] == Figure(D("100") / D("80"), Origin.COMPUTED)
    assert row.sustainability[1] == Figure(D("40") / D("100"), Origin.COMPUTED)
    assert row.sustainability[3].value == D("40") / D("180")
    # Q3 has no task: "no data", not 0 and not 100 %.
    assert (row.efficacy[2], row.efficiency[2], row.sustainability[2]) == (NO_FIGURE, NO_FIGURE, NO_FIGURE)
    # R2 has no task at all.
    assert card.level("R2").efficacy == [NO_FIGURE] * 4


def test_whole_programme_uses_every_task_and_the_final_targets(programme, levels):
    _, r1, _ = levels
    act = ActivityFactory(result=r1)
    TaskFactory(activity=act, year=2010, quarter=4, executed=True, planned_cost=10, actual_cost=10)
    TaskFactory(activity=act, year=2011, quarter=1, executed=False, planned_cost=10)
    ind = IndicatorFactory(result=r1, aggregation=Indicator.Aggregation.SUM, final_target=D("50"))
    _value(ind, Period(2010, 4), D("10"))
    _value(ind, Q1, D("30"))
    _target(ind, Y2011, D("35"))
    StatedScore.objects.create(result=r1, year=2011, quarter=0, efficacy=D("0.9"))
    card = monitoring_card(programme, [Y2011, WHOLE_PROGRAMME])
    row = card.level("R1")
    assert row.efficacy == [Figure(D("0.9"), Origin.STATED, computed=D("0")), Figure(D("0.5"), Origin.COMPUTED)]
    whole = row.indicators[0].periods[1]
    assert (whole.period, whole.actual, whole.target) == (None, D("40"), D("50"))
    assert whole.achievement == Figure(D("0.8"), Origin.COMPUTED)
    assert card.level("OE").efficacy[1] == Figure(D("0.5"), Origin.COMPUTED)


def test_card_prefers_stated_scores_and_marks_them(programme, levels):
    _, r1, _ = levels
    TaskFactory(activity=ActivityFactory(result=r1), quarter=1, executed=True, planned_cost=10, actual_cost=10)
    StatedScore.objects.create(result=r1, year=2011, quarter=1, efficacy=D("0.31"), efficiency=D("0.58"))
    row = monitoring_card(programme, [Q1]).level("R1")
    assert row.efficacy[0] == Figure(D("0.31"), Origin.STATED, computed=D("1"))
    assert row.efficiency[0] == Figure(D("0.58"), Origin.STATED, computed=D("1"))
    # The stated row has no sustainability: computed from tasks (none assumable -> no data).
    assert row.sustainability[0] == NO_FIGURE


def test_objective_is_the_mean_of_its_results_unless_stated(programme, levels):
    oe, r1, r2 = levels
    StatedScore.objects.create(result=r1, year=2011, quarter=0, efficacy=D("0.73"), efficiency=D("1.23"))
    TaskFactory(activity=ActivityFactory(result=r2), quarter=3, executed=True, planned_cost=115, actual_cost=100)
    card = monitoring_card(programme, [Y2011])
    assert card.level("OE").efficacy[0] == Figure((D("0.73") + D("1")) / 2, Origin.COMPUTED)
    assert card.level("OE").efficiency[0].value == (D("1.23") + D("1.15")) / 2
    assert card.level("OE").sustainability[0] == NO_FIGURE
    StatedScore.objects.create(result=oe, year=2011, quarter=0, efficacy=D("0.71"))
    # Beside the stated figure, the mean of what the results computed (R2's tasks; R1 computes nothing).
    assert monitoring_card(programme, [Y2011]).level("OE").efficacy[0] == Figure(
        D("0.71"), Origin.STATED, computed=D("1")
    )


def test_objective_uses_result_weights_when_set(programme, levels):
    _, r1, r2 = levels
    Result.objects.filter(pk=r1.pk).update(weight=D("3"))
    Result.objects.filter(pk=r2.pk).update(weight=D("1"))
    StatedScore.objects.create(result=r1, year=2011, quarter=0, efficacy=D("1"))
    StatedScore.objects.create(result=r2, year=2011, quarter=0, efficacy=D("0.5"))
    assert monitoring_card(programme, [Y2011]).level("OE").efficacy[0].value == D("0.875")


def test_average_achievement_skips_no_data_and_caps_on_request(programme, levels):
    _, r1, _ = levels
    over, half, empty = IndicatorFactory(result=r1), IndicatorFactory(result=r1), IndicatorFactory(result=r1)
    for ind, actual in ((over, D("152")), (half, D("50"))):
        _value(ind, Y2011, actual)
        _target(ind, Y2011, D("100"))
    _target(empty, Y2011, D("100"))
    IndicatorFactory(result=r1, has_data=False)  # only the logframe names it: not on the card
    row = monitoring_card(programme, [Y2011]).level("R1")
    assert row.average_achievement[0] == Figure(D("1.01"), Origin.COMPUTED)
    assert [i.code for i in row.indicators] == [over.code, half.code, empty.code]
    assert monitoring_card(programme, [Y2011], cap_average=True).level("R1").average_achievement[0].value == D("0.75")


def test_card_suggests_ratings_from_the_configured_thresholds(programme, levels, settings):
    _, r1, _ = levels
    StatedScore.objects.create(result=r1, year=2011, quarter=0, efficacy=D("0.71"), sustainability=D("0.61"))
    row = monitoring_card(programme, [Y2011]).level("R1")
    assert row.suggested_ratings[0] == {"efficacy": "C", "efficiency": None, "sustainability": "A", "achievement": None}
    settings.SCORE_RATING_THRESHOLDS = {"efficacy": ["0.7", "0.6", "0.5"]}
    assert monitoring_card(programme, [Y2011]).level("R1").suggested_ratings[0]["efficacy"] == "A"


def _build(programme, results, indicators_per_result, periods):
    for r in range(results):
        result = ResultFactory(programme=programme, code=f"R{r + 1}")
        activity = ActivityFactory(result=result)
        StatedScore.objects.create(result=result, year=2010, quarter=0, efficacy=D("0.5"))
        for _ in range(indicators_per_result):
            ind = IndicatorFactory(result=result, aggregation=Indicator.Aggregation.RUNNING_TOTAL)
            StatedAchievement.objects.create(indicator=ind, year=2010, quarter=0, achievement=D("0.4"))
            for period in periods:
                _value(ind, period, D("3"))
                _target(ind, period, D("10"))
        for period in periods:
            for quarter in period.quarters():
                TaskFactory(activity=activity, year=quarter.year, quarter=quarter.quarter, executed=True)


MONITORING_CARD_QUERIES = 7


@pytest.mark.parametrize(
    ("results", "indicators_per_result", "periods"),
    [
        (1, 1, [Period(2011, 1)]),
        (4, 12, [Period(2010), *(Period(2011, q) for q in (1, 2, 3, 4)), Period(2011), Period(2012, 1)]),
    ],
)
def test_card_query_count_does_not_grow_with_indicators_or_periods(
    programme, django_assert_max_num_queries, results, indicators_per_result, periods
):
    ResultFactory(programme=programme, code="OE", kind=Result.Kind.SPECIFIC_OBJECTIVE, order=0)
    _build(programme, results, indicators_per_result, periods)
    with django_assert_max_num_queries(MONITORING_CARD_QUERIES):
        card = monitoring_card(programme, periods)
    assert sum(len(level.indicators) for level in card.levels) == results * indicators_per_result
    # The data is really read: every indicator has a computed achievement in the first period.
    first = card.levels[1].indicators[0].periods[0].achievement
    assert first.origin in (Origin.COMPUTED, Origin.STATED)


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("task-admin", "task-admin@example.org", "pw-not-used")
    # The backend is named: force_login would otherwise pick the first configured backend.
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_task_entered_in_the_admin_feeds_the_card(programme, levels, superuser_client):
    admin_client = superuser_client
    _, r1, _ = levels
    activity = ActivityFactory(result=r1)
    response = admin_client.post(
        "/admin/indicators/task/add/",
        {
            "activity": activity.pk,
            "name": "Feria regional",
            "year": 2011,
            "quarter": 2,
            "planned": "on",
            "executed": "on",
            "planned_cost": "120.00",
            "actual_cost": "100.00",
            "beneficiary_contribution": "0",
            "partner_contribution": "0",
        },
    )
    assert response.status_code == 302, response.content
    assert Task.objects.get().name == "Feria regional"
    assert admin_client.get("/admin/indicators/task/").status_code == 200
    row = monitoring_card(programme, [Q2]).level("R1")
    assert row.efficacy[0] == Figure(D("1"), Origin.COMPUTED)
    assert row.efficiency[0].value == D("1.2")


def test_task_admin_refuses_negative_costs_and_a_fifth_quarter(levels, superuser_client):
    admin_client = superuser_client
    _, r1, _ = levels
    activity = ActivityFactory(result=r1)
    data = {"activity": activity.pk, "name": "x", "year": 2011, "quarter": 5, "planned_cost": "-1", "actual_cost": "0"}
    data |= {"beneficiary_contribution": "0", "partner_contribution": "0"}
    response = admin_client.post("/admin/indicators/task/add/", data)
    assert response.status_code == 200
    assert b"errornote" in response.content
    assert Task.objects.count() == 0


def test_task_admin_is_refused_to_anonymous_users(client):
    response = client.get("/admin/indicators/task/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("band", "expected_status"),
    [("0.15", TrackStatus.OFF_TRACK), ("0.25", TrackStatus.ON_TRACK)],
)
def test_track_status_uses_the_configured_band(levels, settings, band, expected_status):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1)
    _value(ind, Y2011, D("80"))
    _target(ind, Y2011, D("100"))
    settings.SCORE_TRACK_BAND = band
    assert track_status_of(indicator_achievement(ind, Y2011), D("1")) == expected_status


def test_track_status_without_data_is_no_data(levels):
    _, r1, _ = levels
    ind = IndicatorFactory(result=r1)
    assert track_status_of(indicator_achievement(ind, Y2011), D("1")) == TrackStatus.NO_DATA


@pytest.mark.parametrize("band", ["abc", "-0.1", "NaN"])
def test_a_bad_track_band_setting_is_refused_with_a_message(levels, settings, band):
    settings.SCORE_TRACK_BAND = band
    with pytest.raises(ValueError, match="SCORE_TRACK_BAND"):
        track_band()


def test_bad_rating_thresholds_setting_is_refused_with_a_message(programme, levels, settings):
    settings.SCORE_RATING_THRESHOLDS = {"efficacy": ["0.1", "0.5", "0.9"]}
    with pytest.raises(ValueError, match="descending"):
        monitoring_card(programme, [Y2011])


# --- PER0601011: the seed's own figures ------------------------------------------------------------

CARD_PERIODS = [Period(2008), Period(2009), Period(2010), Q1, Q2, Q3, Q4, Y2011]


@pytest.mark.parametrize(
    ("code", "actual", "target", "printed"),
    [
        ("OE.1", D("3212"), D("3032"), "106"),  # "haciendo un total de 3212 … un 106% de cumplimiento"
        ("R3.2", D("85"), D("72"), "118"),  # "85 actividades … un 118% de la meta final de 72"
        ("R4.5", D("318"), D("397"), "80.1"),  # "un avance del 80.1% de la meta"
    ],
)
def test_achievement_reproduces_the_seed_comments(per0601011, code, actual, target, printed):
    indicator = Indicator.objects.get(result__programme=per0601011, code=code)
    row = indicator_achievement(indicator, Y2011)
    assert (row.actual, row.target) == (actual, target)
    assert row.achievement.origin == Origin.COMPUTED
    places = D(printed).as_tuple().exponent
    assert round(row.achievement.value * 100, -places) == D(printed)


@pytest.mark.parametrize(("code", "printed"), [("OE.1", "106"), ("R3.2", "118"), ("R4.5", "80.1")])
def test_whole_programme_achievement_against_the_final_target_matches_the_seed(per0601011, code, printed):
    # "80.1% de la meta establecida para fines del 2012", "118% de la meta final de 72".
    indicator = Indicator.objects.get(result__programme=per0601011, code=code)
    row = indicator_achievement(indicator, WHOLE_PROGRAMME)
    places = D(printed).as_tuple().exponent
    assert round(row.achievement.value * 100, -places) == D(printed)
    assert row.target == indicator.final_target


def test_card_shows_every_stated_figure_of_table_2_1_and_annex_7_2_as_stated(per0601011, per0601011_data):
    card = monitoring_card(per0601011, CARD_PERIODS)
    index = {p: i for i, p in enumerate(CARD_PERIODS)}
    checked = 0
    for stated in per0601011_data["stated_scores"]:
        level = card.level(stated["level"])
        i = index[Period(stated["year"], stated["quarter"])]
        for name in ("efficacy", "efficiency", "sustainability", "average_achievement"):
            if stated.get(name) is not None:
                figure = getattr(level, name)[i]
                assert (figure.value, figure.origin) == (D(stated[name]), Origin.STATED), (stated["level"], name)
                checked += 1
    for item in per0601011_data["indicators"]:
        row = next((r for lvl in card.levels for r in lvl.indicators if r.code == item["code"]), None)
        for stated in item["stated_achievements"]:
            figure = row.periods[index[Period(stated["year"], stated["quarter"])]].achievement
            assert (figure.value, figure.origin) == (D(stated["achievement"]), Origin.STATED), item["code"]
            checked += 1
    assert checked > 300  # 4 × 4 × 7 card scores, the 2011 rows of table 2.1 and 224 indicator cells


def test_card_on_per0601011_computes_only_from_entered_figures(per0601011):
    card = monitoring_card(per0601011, CARD_PERIODS)
    oe = card.level("OE")
    # OE 2011 is stated by table 2.1; for 2011 Q1 it is the mean of R1–R4 as annex 7.2 states them.
    assert oe.efficacy[-1] == Figure(D("0.71"), Origin.STATED)
    assert oe.efficacy[3] == Figure((D("0.31") + D("0.30") + D("0.59") + D("0.44")) / 4, Origin.COMPUTED)
    # The OE indicator is known for 2011 as a whole only: no quarter of 2011 gets an invented figure.
    oe_indicator = oe.indicators[0]
    assert [p.achievement for p in oe_indicator.periods[3:7]] == [NO_FIGURE] * 4
    # No task was entered for PER0601011: nothing is computed from tasks.
    assert Task.objects.filter(activity__result__programme=per0601011).count() == 0
    assert all(f.origin != Origin.COMPUTED for lvl in card.levels if lvl.code != "OE" for f in lvl.efficacy)


def test_card_on_per0601011_takes_seven_queries(per0601011, django_assert_max_num_queries):
    with django_assert_max_num_queries(MONITORING_CARD_QUERIES):
        monitoring_card(per0601011, CARD_PERIODS)


def test_default_rating_suggestions_agree_with_the_2011_quality_ratings(per0601011, per0601011_data):
    # Calibration guard: the defaults were chosen to agree with these 15 ratings (3.2.4, 3.3.5).
    card = monitoring_card(per0601011, [Y2011])
    pairs = [
        (q["level"], q["criterion"], q["rating"], card.level(q["level"]).suggested_ratings[0][q["criterion"]])
        for q in per0601011_data["quality_criteria"]
        if q["year"] == 2011 and q["criterion"] in ("efficacy", "efficiency", "sustainability")
    ]
    assert len(pairs) == 15
    assert [p for p in pairs if p[2] != p[3]] == []
