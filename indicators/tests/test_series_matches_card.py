"""One formula everywhere: the API's series and the monitoring card give every indicator of the seed
the same actual, target and achievement for every year and quarter."""

import pytest

from indicators.models import Indicator
from indicators.periods import Period
from indicators.selectors import monitoring_card
from indicators.series import Granularity, SeriesQuery, series_for

YEARS = range(2008, 2013)


@pytest.mark.django_db
def test_series_and_card_agree_on_every_indicator_of_per0601011(per0601011):
    periods = [Period(year, quarter) for year in YEARS for quarter in (0, 1, 2, 3, 4)]
    card = monitoring_card(per0601011, periods)
    on_card = {
        (row.code, str(figures.period)): (figures.actual, figures.target, figures.achievement.value)
        for level in card.levels
        for row in level.indicators
        for figures in row.periods
    }
    # The card lists the indicators that carry figures (the logframe also names some that never do).
    indicators = Indicator.objects.filter(result__programme=per0601011, has_data=True).select_related(
        "result__programme"
    )
    query = SeriesQuery(first=Period(YEARS[0]), last=Period(YEARS[-1], 4), granularity=Granularity.ALL)
    in_series = {
        (series.indicator.code, point.period): (point.value, point.target, point.achievement)
        for series in series_for(indicators, query)
        for point in series.points
        if point.chain is None and point.sex == "" and point.region == ""
    }
    kinds = set(indicators.values_list("unit_kind", flat=True))
    assert Indicator.UnitKind.COUNT_SHARE in kinds  # the case the two once read differently
    assert in_series.keys() == on_card.keys()
    differing = {key: (in_series[key], on_card[key]) for key in on_card if in_series[key] != on_card[key]}
    assert not differing
    assert any(achievement is not None for _, _, achievement in on_card.values())
