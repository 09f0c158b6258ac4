"""Invariants of the scores engine, checked with generated inputs (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.periods import Period
from indicators.scores import (
    Aggregation,
    Observation,
    TaskFigures,
    achievement,
    aggregate,
    average_achievement,
    combine,
    efficacy,
    sustainability,
)

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
measure = st.decimals(min_value=0, max_value=1_000_000, places=4, allow_nan=False, allow_infinity=False)
ratio = st.decimals(min_value=0, max_value=5, places=4, allow_nan=False, allow_infinity=False)

tasks = st.lists(
    st.builds(
        TaskFigures,
        planned=st.booleans(),
        executed=st.booleans(),
        planned_cost=money,
        actual_cost=money,
        beneficiary_contribution=money,
        partner_contribution=money,
        assumable=st.booleans(),
    ),
    max_size=30,
)


@settings(deadline=None)
@given(tasks)
def test_efficacy_is_between_0_and_1_or_no_data(rows):
    value = efficacy(rows)
    if any(t.planned for t in rows):
        assert Decimal(0) <= value <= Decimal(1)
    else:
        assert value is None


@settings(deadline=None)
@given(tasks)
def test_sustainability_is_between_0_and_1_or_no_data(rows):
    value = sustainability(rows)
    assert value is None or Decimal(0) <= value <= Decimal(1)


@st.composite
def quarterly_observations(draw):
    """Quarter values of one year; each quarter may be missing, "no data", or carry a value or a ratio."""
    out = []
    for quarter in (1, 2, 3, 4):
        kind = draw(st.sampled_from(["missing", "no_data", "value"]))
        if kind == "missing":
            continue
        if kind == "no_data":
            out.append(Observation(Period(2011, quarter)))
            continue
        denominator = draw(measure)
        out.append(
            Observation(
                Period(2011, quarter),
                value=draw(measure),
                numerator=draw(st.decimals(min_value=0, max_value=denominator, places=4)),
                denominator=denominator,
            )
        )
    earlier = draw(st.one_of(st.none(), measure))
    if earlier is not None:
        out.append(Observation(Period(2010), value=earlier, numerator=earlier, denominator=earlier + 1))
    return out


@settings(deadline=None)
@given(quarterly_observations(), st.sampled_from(list(Aggregation)))
def test_aggregating_the_four_quarters_equals_computing_the_year(observations, aggregation):
    by_quarter = [aggregate(observations, aggregation, Period(2011, q)) for q in (1, 2, 3, 4)]
    assert combine(by_quarter, aggregation) == aggregate(observations, aggregation, Period(2011))


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), ratio), max_size=12))
def test_average_achievement_lies_between_the_smallest_and_largest_item_with_data(items):
    mean = average_achievement(items)
    present = [i for i in items if i is not None]
    if not present:
        assert mean is None
    else:
        assert min(present) <= mean <= max(present)
        capped = average_achievement(items, cap=True)
        assert capped <= Decimal(1)
        assert capped <= mean


@settings(deadline=None)
@given(measure, measure, measure, measure)
def test_descending_achievement_is_1_at_the_target_0_at_the_baseline_and_rewards_less(baseline, target, x, y):
    if baseline <= target:  # not a reduction: (baseline == target has no planned change at all)
        if baseline == target:
            assert achievement(x, target, direction="desc", baseline=baseline) is None
        return
    assert achievement(target, target, direction="desc", baseline=baseline) == 1
    assert achievement(baseline, target, direction="desc", baseline=baseline) == 0
    lower, higher = min(x, y), max(x, y)
    assert achievement(lower, target, direction="desc", baseline=baseline) >= achievement(
        higher, target, direction="desc", baseline=baseline
    )


@settings(deadline=None)
@given(measure, st.decimals(min_value="0.0001", max_value=1_000_000, places=4))
def test_ascending_achievement_times_target_is_the_actual(actual, target):
    result = achievement(actual, target)
    assert abs(result * target - actual) <= Decimal("1e-20") * max(actual, 1)
