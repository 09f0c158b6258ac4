from datetime import date

import pytest

from cse_monitor.lib.years import FIRST_YEAR, LAST_YEAR
from indicators.periods import InvalidPeriod, Period, period_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2011", Period(2011)), ("2011Q3", Period(2011, 3)), (" 2012q1 ", Period(2012, 1)), ("2011-Q4", Period(2011, 4))],
)
def test_parse_accepts_years_and_quarters(text, expected):
    assert Period.parse(text) == expected


@pytest.mark.parametrize("text", ["", "11", "2011Q5", "2011Q0", "Q3", "2011 Q", "abcd"])
def test_parse_refuses_malformed_periods(text):
    with pytest.raises(InvalidPeriod):
        Period.parse(text)


def test_str_round_trips():
    for period in (Period(2011), Period(2011, 1), Period(2012, 4)):
        assert Period.parse(str(period)) == period


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Period(2011), date(2011, 1, 1), date(2011, 12, 31)),
        (Period(2011, 1), date(2011, 1, 1), date(2011, 3, 31)),
        (Period(2012, 2), date(2012, 4, 1), date(2012, 6, 30)),
        (Period(2011, 4), date(2011, 10, 1), date(2011, 12, 31)),
    ],
)
def test_start_and_end_dates(period, start, end):
    assert (period.start, period.end) == (start, end)


def test_previous_crosses_year_boundary():
    assert Period(2012, 1).previous() == Period(2011, 4)
    assert Period(2012).previous() == Period(2011)


def test_period_range_expands_years_to_quarters():
    periods = period_range(Period(2010), Period.parse("2011Q2"))
    assert [str(p) for p in periods] == ["2010Q1", "2010Q2", "2010Q3", "2010Q4", "2011Q1", "2011Q2"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2012, 1, 1), Period(2012, 1)),
        (date(2012, 3, 31), Period(2012, 1)),
        (date(2012, 4, 1), Period(2012, 2)),
        (date(2012, 9, 30), Period(2012, 3)),
        (date(2012, 10, 1), Period(2012, 4)),
        (date(2012, 12, 31), Period(2012, 4)),
    ],
)
def test_containing_is_the_quarter_a_day_falls_in(day, expected):
    assert Period.containing(day) == expected
    assert expected.start <= day <= expected.end


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, LAST_YEAR + 1])
def test_a_year_outside_the_one_range_is_refused(year):
    with pytest.raises(InvalidPeriod):
        Period(year)
    assert Period(FIRST_YEAR).year == FIRST_YEAR and Period(LAST_YEAR).year == LAST_YEAR
