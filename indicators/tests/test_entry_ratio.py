"""Ratio indicators entered as numerator and denominator: rules, the form, and Σnumerator ÷ Σdenominator."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import scores
from indicators.entry import errors, rules, services, workflow
from indicators.entry.rows import RowKey, ValueInput
from indicators.entry.selectors import entry_page
from indicators.models import Indicator, IndicatorValue, QuarterState
from indicators.periods import Period
from indicators.permissions import scope_for
from indicators.tests.entry_world import add_regions, build_world

pytestmark = pytest.mark.django_db

Q1, Q2 = Period(2012, 1), Period(2012, 2)
IN_Q1, IN_Q2 = date(2012, 2, 15), date(2012, 5, 15)


@pytest.fixture
def rw():
    return add_regions(build_world(period=Q1))


def save(rw, *inputs, period=Q1, today=IN_Q1, user=None):
    return services.quarter_values_save(
        user=user or rw.world.staff_all, programme=rw.world.programme, period=period, inputs=inputs, today=today
    )


def ratio_input(indicator, numerator, denominator, region="", **kwargs):
    return ValueInput(
        key=RowKey(indicator.pk, region=region),
        numerator=None if numerator is None else D(numerator),
        denominator=None if denominator is None else D(denominator),
        **kwargs,
    )


def stored(indicator, period=Q1, region=""):
    return IndicatorValue.objects.get(
        indicator=indicator, year=period.year, quarter=period.quarter, chain=None, sex="", region=region
    )


def test_numerator_and_denominator_are_stored_with_the_rows_share(rw):
    result = save(rw, ratio_input(rw.ratio, "30", "120"))
    value = stored(rw.ratio)
    assert result.created == 1
    assert (value.numerator, value.denominator, value.value, value.share) == (D("30"), D("120"), D("25"), None)
    # The same pair again is unchanged: no new version, no history.
    again = save(rw, ratio_input(rw.ratio, "30.0", "120", expected_version=1))
    assert (again.unchanged, stored(rw.ratio).version) == (1, 1)


def test_the_engine_takes_the_sum_of_numerators_over_the_sum_of_denominators(rw):
    save(rw, ratio_input(rw.ratio, "30", "120"))
    save(rw, ratio_input(rw.ratio, "10", "20"), period=Q2, today=IN_Q2)
    rows = IndicatorValue.objects.filter(indicator=rw.ratio, region="")
    observations = [scores.Observation(v.period, v.value, v.numerator, v.denominator) for v in rows]
    year = scores.aggregate(observations, rw.ratio.aggregation, Period(2012))
    assert (year.numerator, year.denominator) == (D("40"), D("140"))
    assert year.value.quantize(D("0.0001")) == D("28.5714")  # 40 ÷ 140, not the mean of 25 % and 50 % (37.5 %)
    # The form's "so far this year" is the same figure.
    page = entry_page(programme=rw.world.programme, period=Q2, scope=scope_for(rw.world.admin, rw.world.programme))
    [item] = [i for g in page.groups for i in g.indicators if i.indicator == rw.ratio]
    assert item.figure.year_to_date == D("28.5714")


def test_regions_of_a_ratio_do_not_enter_the_programme_figure(rw):
    save(rw, ratio_input(rw.ratio, "30", "120"), ratio_input(rw.ratio, "30", "40", region="05"))
    page = entry_page(programme=rw.world.programme, period=Q1, scope=scope_for(rw.world.admin, rw.world.programme))
    [item] = [i for g in page.groups for i in g.indicators if i.indicator == rw.ratio]
    assert item.figure.year_to_date == D("25")


@pytest.mark.parametrize(
    ("numerator", "denominator", "extra", "message"),
    [
        ("30", "0", {}, rules.MSG_DENOMINATOR_NOT_POSITIVE),
        ("-3", "10", {}, rules.MSG_NUMERATOR_NEGATIVE),
        ("30", None, {}, rules.MSG_RATIO_BOTH),
        (None, "30", {}, rules.MSG_RATIO_BOTH),
        ("1.23456", "10", {}, "Use at most 4 decimals."),
        ("30", "120", {"no_data": True, "no_data_reason": "no survey"}, rules.MSG_NO_DATA_WITH_NUMBER),
        ("30", "120", {"value": D("25")}, rules.MSG_RATIO_VALUE_TYPED),  # the share is computed, never typed
    ],
)
def test_bad_ratio_input_is_refused_and_writes_nothing(rw, numerator, denominator, extra, message):
    with pytest.raises(errors.EntryValidationError) as info:
        save(rw, ratio_input(rw.ratio, numerator, denominator, **extra))
    assert message in info.value.errors[RowKey(rw.ratio.pk)]
    assert not IndicatorValue.objects.exists()


def test_a_count_ratio_takes_whole_numbers(rw):
    rw.ratio.unit_kind = Indicator.UnitKind.COUNT
    rw.ratio.save()
    with pytest.raises(errors.EntryValidationError) as info:
        save(rw, ratio_input(rw.ratio, "2.5", "10"))
    assert info.value.errors[RowKey(rw.ratio.pk)] == [rules.MSG_RATIO_NOT_WHOLE]
    save(rw, ratio_input(rw.ratio, "2", "10"))
    assert stored(rw.ratio).value == D("20")


def test_other_indicators_take_no_numerator(rw):
    with pytest.raises(errors.EntryValidationError) as info:
        save(rw, ValueInput(key=RowKey(rw.world.money.pk), value=D("5"), numerator=D("1"), denominator=D("2")))
    assert info.value.errors[RowKey(rw.world.money.pk)] == [rules.MSG_NOT_A_RATIO]


def test_a_ratio_sin_dato_carries_no_numbers(rw):
    save(rw, ratio_input(rw.ratio, None, None, no_data=True, no_data_reason="encuesta no realizada"))
    value = stored(rw.ratio)
    assert value.no_data and (value.value, value.numerator, value.denominator) == (None, None, None)


def test_a_ratio_outlier_is_judged_on_its_share(rw):
    save(rw, ratio_input(rw.ratio, "10", "100"))
    with pytest.raises(errors.EntryValidationError) as info:
        save(rw, ratio_input(rw.ratio, "60", "100"), period=Q2, today=IN_Q2)
    assert "×2" in info.value.errors[RowKey(rw.ratio.pk)][0]


# --- through the form ----------------------------------------------------------------------------


@pytest.fixture
def open_rw(rw):
    QuarterState.objects.create(programme=rw.world.programme, year=2012, quarter=1, reopened=True, reason="tests")
    return rw


def url(rw):
    return reverse("indicators:entry", args=[rw.world.programme.code, "2012Q1"])


def name(indicator, field, region=""):
    return f"r{indicator.pk}-0-T{'-' + region if region else ''}-{field}"


def test_form_round_trip_with_peruvian_numbers(client, open_rw):
    rw = open_rw
    client.force_login(rw.world.staff_all)
    response = client.post(url(rw), {name(rw.ratio, "numerator"): "617,25", name(rw.ratio, "denominator"): "1.234,5"})
    assert response.status_code == 302
    value = stored(rw.ratio)
    assert (value.numerator, value.denominator, value.value) == (D("617.25"), D("1234.5"), D("50"))
    html = client.get(url(rw)).content.decode()
    row = html[html.index(f'id="row-{rw.ratio.pk}-0-T"') :][:4000]
    assert 'value="617.25"' in row and 'value="1234.5"' in row
    assert "<output>50%</output>" in row  # the share beside them, computed
    assert f'name="{name(rw.ratio, "value")}"' not in row  # no typed value for a ratio


def test_form_asks_an_ambiguous_denominator_and_saves_nothing(client, open_rw):
    rw = open_rw
    client.force_login(rw.world.staff_all)
    response = client.post(
        url(rw), {name(rw.ratio, "numerator"): "30", name(rw.ratio, "denominator"): "1.200"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert f'name="{name(rw.ratio, "denominator_mark")}" value=","' in response.content.decode()
    assert not IndicatorValue.objects.exists()
    response = client.post(
        url(rw),
        {
            name(rw.ratio, "numerator"): "30",
            name(rw.ratio, "denominator"): "1.200",
            name(rw.ratio, "denominator_mark"): ",",
        },
    )
    assert response.status_code == 302 and stored(rw.ratio).denominator == D("1200")


def test_form_shows_the_services_ratio_error_on_its_row(client, open_rw):
    rw = open_rw
    client.force_login(rw.world.staff_all)
    response = client.post(
        url(rw), {name(rw.ratio, "numerator"): "3", name(rw.ratio, "denominator"): "0"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "The denominator must be greater than zero." in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_ratio_region_parts_are_checked_on_numerators_and_denominators(client, open_rw):
    rw = open_rw
    save(
        rw,
        ratio_input(rw.ratio, "40", "140"),
        ratio_input(rw.ratio, "30", "120", region="03"),
        ratio_input(rw.ratio, "10", "20", region="05"),
        ratio_input(rw.ratio, "0", "10", region="09"),
    )
    client.force_login(rw.world.reviewer)
    html = client.get(url(rw), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    article = html[html.index(f'id="ind-{rw.ratio.pk}"') :][:3000]
    assert "the parts&#x27; denominators add up to 150, the total&#x27;s is 140." in article
    assert "numerators" not in article  # 30 + 10 + 0 = 40: those match
    row = html[html.index(f'id="row-{rw.ratio.pk}-0-T-03"') :][:1500]
    assert '"Numerator">30</td>' in row and '"Denominator">120</td>' in row and "25%" in row  # read only


def test_review_and_history_show_numerator_and_denominator(client, open_rw):
    rw = open_rw
    save(rw, ratio_input(rw.ratio, "30", "120"))
    save(rw, ratio_input(rw.ratio, "30", "100", expected_version=1))
    workflow.quarter_submit(user=rw.world.staff_all, programme=rw.world.programme, period=Q1, today=IN_Q1)
    client.force_login(rw.world.reviewer)
    review = client.get(reverse("indicators:review", args=[rw.world.programme.code, "2012Q1"])).content.decode()
    assert "30 / 100 = 30%" in review
    history = client.get(reverse("indicators:value_history", args=[stored(rw.ratio).pk])).content.decode()
    assert "30 / 120 = 25" in history and "30 / 100 = 30" in history
