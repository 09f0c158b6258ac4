"""Hand-worked cases for every formula of the scores engine (pure, no database)."""

from decimal import Decimal as D

import pytest

from indicators.periods import Period
from indicators.scores import (
    DEFAULT_RATING_THRESHOLDS,
    NO_DATA,
    Aggregate,
    LevelScores,
    Observation,
    TaskFigures,
    TrackStatus,
    achievement,
    aggregate,
    average_achievement,
    cap,
    combine,
    efficacy,
    efficiency,
    entered_achievement,
    level_scores,
    objective_scores,
    suggest_rating,
    sustainability,
    track_status,
    weighted_mean,
    year_to_date,
)


@pytest.mark.parametrize(
    ("actual", "target", "direction", "baseline", "expected"),
    [
        # The seed's own comments: OE 3,212 of 3,032 = 106 %; R3 85 of 72 = 118 %; R4 318 of 397 = 80.1 %.
        (D("3212"), D("3032"), "asc", None, D("3212") / D("3032")),
        (D("85"), D("72"), "asc", D("39"), D("85") / D("72")),  # ascending ignores the baseline
        (D("318"), D("397"), "asc", None, D("318") / D("397")),
        (D("0"), D("10"), "asc", None, D("0")),  # a measured zero is an achievement of 0, not "no data"
        (D("5"), D("0"), "asc", None, None),  # zero target
        (None, D("10"), "asc", None, None),  # no data
        (D("5"), None, "asc", None, None),  # no target
        # Descending with a baseline: cut from 20 to 10 planned, reached 14 -> 6 of 10 = 60 %.
        (D("14"), D("10"), "desc", D("20"), D("0.6")),
        (D("8"), D("10"), "desc", D("20"), D("1.2")),  # beyond the target: uncapped
        (D("25"), D("10"), "desc", D("20"), D("-0.5")),  # worse than the baseline: negative
        (D("5"), D("10"), "desc", D("10"), None),  # baseline equals target: no planned reduction
        (D("5"), D("0"), "desc", D("20"), D("0.75")),  # a zero target is fine when a baseline exists
        # Descending without a baseline: target ÷ actual.
        (D("12"), D("9"), "desc", None, D("0.75")),
        (D("0"), D("9"), "desc", None, None),  # division by a zero actual
        (D("4"), D("0"), "desc", None, None),  # zero target
        (None, D("9"), "desc", D("20"), None),
    ],
)
def test_achievement_table(actual, target, direction, baseline, expected):
    assert achievement(actual, target, direction=direction, baseline=baseline) == expected


def test_achievement_rounds_to_the_seed_percentages():
    assert round(achievement(D("3212"), D("3032")) * 100) == 106
    assert round(achievement(D("85"), D("72")) * 100) == 118
    assert round(achievement(D("318"), D("397")) * 100, 1) == D("80.1")


def test_achievement_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="sideways"):
        achievement(D("1"), D("1"), direction="sideways")


@pytest.mark.parametrize(("percent", "expected"), [(D("80"), D("0.8")), (D("0"), D("0")), (None, None)])
def test_entered_achievement(percent, expected):
    assert entered_achievement(percent) == expected


@pytest.mark.parametrize(
    ("ratio", "limit", "expected"),
    [(D("1.52"), D("1"), D("1")), (D("0.8"), D("1"), D("0.8")), (None, D("1"), None), (D("1.52"), D("1.2"), D("1.2"))],
)
def test_cap(ratio, limit, expected):
    assert cap(ratio, limit) == expected


def _q(year, quarter, value=None, numerator=None, denominator=None):
    return Observation(Period(year, quarter), value=value, numerator=numerator, denominator=denominator)


QUARTERS_2011 = [_q(2011, 1, D("10")), _q(2011, 2, D("20")), _q(2011, 3), _q(2011, 4, D("5"))]


@pytest.mark.parametrize(
    ("aggregation", "period", "expected"),
    [
        ("sum", Period(2011), D("35")),  # Q3 "no data" is skipped, not read as 0 (same sum) nor as a break
        ("sum", Period(2011, 2), D("20")),
        ("sum", Period(2011, 3), None),  # no data stays no data, never 0
        ("latest", Period(2011), D("5")),
        ("latest", Period(2011, 3), None),
        ("running", Period(2011, 2), D("30")),
        ("running", Period(2011, 3), None),  # nothing measured in Q3: its total is unknown, not Q2's carried on
        ("running", Period(2011), D("35")),
        ("sum", Period(2012), None),
    ],
)
def test_aggregate_quarters(aggregation, period, expected):
    assert aggregate(QUARTERS_2011, aggregation, period).value == expected


@pytest.mark.parametrize(
    ("aggregation", "quarter", "expected"),
    [
        ("sum", 1, D("10")),
        ("sum", 2, D("30")),  # Q1 + Q2
        ("sum", 3, D("30")),  # Q3 "no data" adds nothing and is not a break
        ("sum", 4, D("35")),
        ("latest", 3, D("20")),  # the last value so far this year
        ("latest", 4, D("5")),
        ("running", 2, D("30")),  # a running total is already "so far"
        ("running", 3, None),  # ... and unknown where nothing was measured
    ],
)
def test_year_to_date(aggregation, quarter, expected):
    assert year_to_date(QUARTERS_2011, aggregation, Period(2011, quarter)).value == expected


def test_year_to_date_ignores_other_years_and_the_whole_year_row():
    rows = [_q(2010, 4, D("99")), _q(2011, 0, D("1000")), *QUARTERS_2011]
    assert year_to_date(rows, "sum", Period(2011, 2)).value == D("30")
    assert year_to_date(rows, "latest", Period(2011, 1)).value == D("10")


def test_year_to_date_of_a_ratio_sums_numerators_and_denominators():
    rows = [_q(2011, 1, numerator=D("1"), denominator=D("2")), _q(2011, 2, numerator=D("9"), denominator=D("10"))]
    got = year_to_date(rows, "ratio", Period(2011, 2))
    assert (got.numerator, got.denominator, got.value) == (D("10"), D("12"), D("100") * D("10") / D("12"))


def test_year_to_date_is_measured_at_a_quarter():
    with pytest.raises(ValueError, match="is a year"):
        year_to_date(QUARTERS_2011, "sum", Period(2011))


def test_running_total_adds_the_previous_years_like_the_objective_indicator():
    # OE: 3,032 units by the end of 2010, 180 new in 2011 -> 3,212.
    values = [_q(2010, 0, D("3032")), _q(2011, 0, D("180"))]
    assert aggregate(values, "running", Period(2011)).value == D("3212")
    assert aggregate(values, "sum", Period(2011)).value == D("180")
    assert aggregate(values, "latest", Period(2011)).value == D("180")
    assert achievement(aggregate(values, "running", Period(2011)).value, D("3032")) == D("3212") / D("3032")


def test_stock_takes_the_latest_value_not_the_sum():
    values = [_q(2011, 1, D("40")), _q(2011, 2, D("42")), _q(2011, 4, D("45")), _q(2011, 3, D("44"))]
    assert aggregate(values, "latest", Period(2011)).value == D("45")
    assert aggregate(values, "sum", Period(2011)).value == D("171")


def test_percentage_is_summed_numerators_over_summed_denominators_not_a_mean_of_percentages():
    # 1 of 2 (50 %) and 9 of 10 (90 %): 10 of 12 = 83.3 %, not the 70 % mean of the percentages.
    values = [_q(2011, 1, numerator=D("1"), denominator=D("2")), _q(2011, 2, numerator=D("9"), denominator=D("10"))]
    result = aggregate(values, "ratio", Period(2011))
    assert result == Aggregate(D("100") * D("10") / D("12"), D("10"), D("12"))
    assert round(result.value, 1) == D("83.3")


def test_ratio_with_a_zero_denominator_has_no_value():
    values = [_q(2011, 1, numerator=D("0"), denominator=D("0"))]
    assert aggregate(values, "ratio", Period(2011)).value is None
    assert aggregate([_q(2011, 1, D("50"))], "ratio", Period(2011)) == NO_DATA  # a bare value is not a ratio


def test_a_whole_year_value_stands_for_its_year_and_is_not_added_to_its_quarters():
    values = [_q(2011, 0, D("100")), _q(2011, 1, D("30")), _q(2011, 2, D("30"))]
    assert aggregate(values, "sum", Period(2011)).value == D("100")
    assert aggregate(values, "sum", Period(2011, 1)).value == D("30")
    assert aggregate(values + [_q(2012, 1, D("7"))], "running", Period(2012, 1)).value == D("107")


def test_running_total_of_a_quarter_in_a_year_known_only_as_a_whole_is_no_data():
    values = [_q(2010, 0, D("3032")), _q(2011, 0, D("180"))]
    assert aggregate(values, "running", Period(2011, 1)) == NO_DATA
    assert aggregate(values, "running", Period(2012)) == NO_DATA


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("sum", D("3212")), ("running", D("3212")), ("latest", D("180"))],
)
def test_whole_programme_covers_every_year(aggregation, expected):
    values = [_q(2010, 0, D("3032")), _q(2011, 0, D("180")), _q(2011, 1, D("99"))]  # the year row stands for 2011
    assert aggregate(values, aggregation, None).value == expected


def test_whole_programme_ratio_and_no_data():
    values = [_q(2010, 1, numerator=D("1"), denominator=D("4")), _q(2011, 2, numerator=D("3"), denominator=D("4"))]
    assert aggregate(values, "ratio", None).value == D("50")
    assert aggregate([_q(2011, 1)], "sum", None) == NO_DATA
    assert aggregate([], "running", None) == NO_DATA


def test_a_whole_year_row_marked_no_data_falls_back_to_the_quarters():
    values = [_q(2011, 0), _q(2011, 1, D("30"))]
    assert aggregate(values, "sum", Period(2011)).value == D("30")


def test_aggregate_refuses_an_unknown_aggregation():
    with pytest.raises(ValueError, match="mean"):
        aggregate(QUARTERS_2011, "mean", Period(2011))


@pytest.mark.parametrize(
    ("aggregation", "parts", "expected"),
    [
        ("sum", [Aggregate(D("1")), NO_DATA, Aggregate(D("2"))], Aggregate(D("3"))),
        ("latest", [Aggregate(D("1")), Aggregate(D("2")), NO_DATA], Aggregate(D("2"))),
        ("running", [Aggregate(D("10")), Aggregate(D("12"))], Aggregate(D("12"))),
        ("ratio", [Aggregate(D("50"), D("1"), D("2")), Aggregate(D("90"), D("9"), D("10"))], None),
        ("sum", [NO_DATA, NO_DATA], NO_DATA),
    ],
)
def test_combine(aggregation, parts, expected):
    if expected is None:
        expected = Aggregate(D("100") * D("10") / D("12"), D("10"), D("12"))
    assert combine(parts, aggregation) == expected


@pytest.mark.parametrize(
    ("items", "weights", "capped", "expected"),
    [
        ([D("0.5"), D("1.0")], None, False, D("0.75")),
        ([D("0.5"), None, D("1.0")], None, False, D("0.75")),  # no data is skipped, not averaged as 0
        ([D("0.5"), D("1.52")], None, False, D("1.01")),  # uncapped by default
        ([D("0.5"), D("1.52")], None, True, D("0.75")),  # documented option: cap each at 100 %
        ([D("0.5"), D("1.0")], [D("3"), D("1")], False, D("0.625")),
        ([D("0.5"), None], [D("3"), D("1")], False, D("0.5")),
        ([None, None], None, False, None),
        ([], None, False, None),
        ([D("0.5")], [D("0")], False, None),  # all weight zero: nothing to average
    ],
)
def test_average_achievement(items, weights, capped, expected):
    assert average_achievement(items, weights, cap=capped) == expected


def test_weighted_mean_refuses_mismatched_or_negative_weights():
    with pytest.raises(ValueError, match="2 items but 1 weights"):
        weighted_mean([D("1"), D("2")], [D("1")])
    with pytest.raises(ValueError, match="negative"):
        weighted_mean([D("1")], [D("-1")])


@pytest.mark.parametrize(
    ("achieved", "expected", "band", "status"),
    [
        (D("0.86"), D("1"), D("0.15"), TrackStatus.ON_TRACK),
        (D("0.85"), D("1"), D("0.15"), TrackStatus.ON_TRACK),  # on the edge of the band
        (D("0.84"), D("1"), D("0.15"), TrackStatus.OFF_TRACK),
        (D("1.52"), D("1"), D("0.15"), TrackStatus.ON_TRACK),  # ahead is on track
        (D("0.40"), D("0.50"), D("0.15"), TrackStatus.OFF_TRACK),  # band is relative: 0.425 needed
        (D("0.43"), D("0.50"), D("0.15"), TrackStatus.ON_TRACK),
        (D("0.84"), D("1"), D("0.20"), TrackStatus.ON_TRACK),  # configurable band
        (None, D("1"), D("0.15"), TrackStatus.NO_DATA),
        (D("0.9"), None, D("0.15"), TrackStatus.NO_DATA),
    ],
)
def test_track_status(achieved, expected, band, status):
    assert track_status(achieved, expected, band) == status


def _task(**kwargs):
    money = {k: D(str(v)) for k, v in kwargs.items() if k.endswith(("cost", "contribution"))}
    flags = {k: v for k, v in kwargs.items() if k not in money}
    return TaskFigures(**flags, **money)


R1_TASKS = [
    _task(executed=True, planned_cost=100, actual_cost=80, assumable=True, beneficiary_contribution=30),
    _task(executed=True, planned_cost=50, actual_cost=70, assumable=True, partner_contribution=10),
    _task(executed=False, planned_cost=200, actual_cost=0),
    _task(executed=False, planned_cost=40, actual_cost=0),
    _task(planned=False, executed=True, planned_cost=0, actual_cost=10),  # unplanned extra
]


def test_efficacy_is_the_share_of_planned_tasks_executed():
    assert efficacy(R1_TASKS) == D("0.5")  # 2 of 4 planned; the unplanned task is not counted


def test_efficiency_is_planned_cost_of_executed_over_actual_cost():
    # (100 + 50 + 0) ÷ (80 + 70 + 10) = 150 ÷ 160
    assert efficiency(R1_TASKS) == D("150") / D("160")


def test_efficiency_above_one_when_executed_cheaper_than_planned():
    assert efficiency([_task(executed=True, planned_cost=123, actual_cost=100)]) == D("1.23")


def test_sustainability_is_the_share_paid_by_beneficiaries_and_partners_of_assumable_tasks():
    # contributions 30 + 10 = 40; total cost of assumable tasks 80 + 70 + 40 = 190
    assert sustainability(R1_TASKS) == D("40") / D("190")
    # 61 céntimos of each sol, as section 2.2 reads 0.61
    assert sustainability([_task(assumable=True, actual_cost=39, beneficiary_contribution=61)]) == D("0.61")


@pytest.mark.parametrize(
    "tasks",
    [
        [],  # a result with no tasks in the period
        [_task(planned=False, executed=False)],
    ],
)
def test_a_result_without_tasks_has_no_scores_not_zero_nor_100(tasks):
    assert level_scores(tasks) == LevelScores(None, None, None)


def test_scores_without_spending_or_assumable_tasks_are_no_data():
    not_yet = [_task(executed=False, planned_cost=100)]
    assert efficacy(not_yet) == D("0")  # planned and not executed: a real 0
    assert efficiency(not_yet) is None
    assert sustainability(not_yet) is None


def test_task_figures_refuse_negative_money():
    with pytest.raises(ValueError, match="actual_cost"):
        TaskFigures(actual_cost=D("-1"))


def test_objective_is_the_mean_of_its_results_like_table_2_1():
    # Table 2.1: efficiency (123 + 115 + 97 + 83) / 4 = 104.5 %; sustainability mean 0.605.
    results = [
        LevelScores(D("0.73"), D("1.23"), D("0.48")),
        LevelScores(D("0.80"), D("1.15"), D("0.60")),
        LevelScores(D("0.55"), D("0.97"), D("0.70")),
        LevelScores(D("0.73"), D("0.83"), D("0.64")),
    ]
    oe = objective_scores(results)
    assert oe.efficiency == D("1.045")
    assert oe.sustainability == D("0.605")
    assert oe.efficacy == D("0.7025")


def test_objective_with_weights_and_a_result_without_data():
    results = [LevelScores(D("1"), None, None), LevelScores(D("0.5"), None, D("0.2")), LevelScores()]
    oe = objective_scores(results, [D("1"), D("3"), D("5")])
    assert oe == LevelScores(D("0.625"), None, D("0.2"))


@pytest.mark.parametrize(
    ("criterion", "value", "expected"),
    [
        ("efficacy", D("0.95"), "A"),
        ("efficacy", D("0.90"), "A"),
        ("efficacy", D("0.80"), "B"),
        ("efficacy", D("0.71"), "C"),  # the OE's 71 % is rated C in 3.2.4
        ("efficacy", D("0.30"), "D"),
        ("efficiency", D("1.04"), "A"),
        ("sustainability", D("0.61"), "A"),
        ("sustainability", D("0.2"), "C"),
        ("sustainability", D("0.07"), "D"),
        ("achievement", D("0.57"), "C"),
        ("efficacy", None, None),
    ],
)
def test_suggest_rating_with_default_thresholds(criterion, value, expected):
    assert suggest_rating(criterion, value) == expected


def test_suggest_rating_with_configured_thresholds():
    thresholds = {"efficacy": ["0.7", "0.6", "0.5"]}
    assert suggest_rating("efficacy", D("0.71"), thresholds) == "A"
    assert suggest_rating("efficiency", D("1.04"), thresholds) == "A"  # other criteria keep their defaults
    assert DEFAULT_RATING_THRESHOLDS["efficacy"][0] == D("0.90")  # the defaults are not mutated


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [({"efficacy": ["0.5", "0.6", "0.7"]}, "descending"), ({"efficacy": ["0.9", "0.8"]}, "three")],
)
def test_suggest_rating_refuses_bad_thresholds(thresholds, message):
    with pytest.raises(ValueError, match=message):
        suggest_rating("efficacy", D("0.5"), thresholds)


def test_suggest_rating_refuses_an_unknown_criterion():
    with pytest.raises(ValueError, match="relevance"):
        suggest_rating("relevance", D("0.5"))
