"""Hard bounds of a value (a percentage is 0–100 unless its indicator declares another range), stated figures
that become entered ones when edited, and the programme loader writing through the entry service's rules."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from indicators.entry import errors, rules, services
from indicators.entry.rows import RowKey, ValueInput
from indicators.models import Indicator, IndicatorValue, Programme, QuarterState
from indicators.periods import Period
from indicators.tests.entry_world import build_world
from programmes.loading import ProgrammeLoadError, programme_load, read_programme_file
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)
PERCENT_RANGE = rules.MSG_OUTSIDE_ALLOWED.format(low="0", high="100")
SEED = Path(settings.BASE_DIR) / "fixtures" / "per0601011" / "programme.json"


@pytest.fixture
def world():
    w = build_world(period=Q1)
    QuarterState.objects.create(programme=w.programme, year=2012, quarter=1, reopened=True, reason="tests")
    return w


def save(world, user, indicator, **fields):
    return services.quarter_values_save(
        user=user, programme=world.programme, period=Q1, inputs=[ValueInput(key=RowKey(indicator.pk), **fields)]
    )


def stored(indicator) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator=indicator, year=2012, quarter=1, chain=None, sex="", region="")


# --- a percentage is 0–100 unless declared ------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "value", "expected"),
    [
        (None, None, "100", []),
        (None, None, "0", []),
        (None, None, "1234", [PERCENT_RANGE]),
        (None, None, "100.0001", [PERCENT_RANGE]),
        (None, None, "-1", [PERCENT_RANGE]),
        ("0", "200", "133", []),  # a plan compliance that counts added activities
        ("0", "200", "200.0001", [rules.MSG_OUTSIDE_ALLOWED.format(low="0", high="200")]),
        ("-100", None, "-35", []),  # a change that may fall, unbounded above
        ("-100", None, "-100.5", [rules.MSG_BELOW_ALLOWED.format(low="-100")]),
    ],
)
def test_a_percentage_is_bounded_by_its_allowed_range(world, low, high, value, expected):
    world.rate.allowed_min = None if low is None else D(low)
    world.rate.allowed_max = None if high is None else D(high)
    world.rate.save()
    if expected:
        with pytest.raises(errors.EntryValidationError) as info:
            save(world, world.staff_all, world.rate, value=D(value), comment="range")
        assert info.value.errors[RowKey(world.rate.pk)] == expected
        assert not IndicatorValue.objects.exists()
    else:
        save(world, world.staff_all, world.rate, value=D(value), comment="range")
        assert stored(world.rate).value == D(value)


def test_other_units_have_no_default_range(world):
    assert world.money.allowed_range == (None, None)
    save(world, world.staff_all, world.money, value=D("1234"))
    assert stored(world.money).value == D("1234")


def test_the_form_refuses_1234_percent_and_nothing_can_be_submitted(client, world):
    client.force_login(world.staff_all)
    url = reverse("indicators:entry", args=[world.programme.code, "2012Q1"])
    response = client.post(url, {f"r{world.rate.pk}-0-T-value": "1234"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert PERCENT_RANGE in response.content.decode()
    assert not IndicatorValue.objects.exists()
    client.post(reverse("indicators:submit", args=[world.programme.code, "2012Q1"]))
    assert not IndicatorValue.objects.filter(status="submitted").exists()


def test_the_api_refuses_1234_percent_with_the_message(world):
    api = token_client(world.staff_all)
    url = f"/api/v1/indicators/{world.rate.code}/values/2012Q1/?programme={world.programme.code}"
    response = api.put(url, {"value": "1234"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"] == [PERCENT_RANGE]
    assert api.put(url, {"value": "100"}, format="json").status_code == 201


def test_a_percentage_ratio_above_100_is_refused(world):
    ratio = Indicator.objects.create(
        result=world.r2,
        code="R2.9",
        name="Ratio",
        unit_kind=Indicator.UnitKind.PERCENTAGE,
        aggregation=Indicator.Aggregation.RATIO,
    )
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff_all, ratio, numerator=D("150"), denominator=D("120"))
    assert info.value.errors[RowKey(ratio.pk)] == [PERCENT_RANGE]
    save(world, world.staff_all, ratio, numerator=D("120"), denominator=D("120"))
    assert stored(ratio).value == D("100")


# --- a stated figure that is edited becomes an entered one --------------------------------------------


def _stated_value(world) -> IndicatorValue:
    """A quarter's figure loaded from a report, as the loader stores it (approved, stated)."""
    [row] = services.values_load(
        rows=[services.LoadedValue(indicator=world.count, period=Q1, value=D("40"), source_text="40", stated=True)]
    )
    return row


def test_editing_a_stated_figure_makes_it_entered_and_the_history_shows_it(world):
    row = _stated_value(world)
    assert row.is_stated and row.status == "approved"
    save(world, world.staff, world.count, value=D("44"), expected_version=row.version, reason="acta corregida")
    row.refresh_from_db()
    assert (row.value, row.is_stated, row.status, row.entered_by) == (D("44"), False, "draft", world.staff)
    before, after = row.history.order_by("history_date", "history_id")
    assert (before.is_stated, before.value, before.history_change_reason) == (
        True,
        D("40"),
        services.LOADED_REASON,
    )
    assert (after.is_stated, after.value, after.history_change_reason) == (False, D("44"), "acta corregida")


def test_a_comment_on_a_stated_figure_leaves_it_stated(world):
    row = _stated_value(world)
    save(
        world,
        world.staff,
        world.count,
        value=D("40"),
        comment="fuente: informe",
        expected_version=row.version,
        reason="nota",
    )
    row.refresh_from_db()
    assert row.is_stated and row.comment == "fuente: informe"


def test_a_stated_figure_edited_over_the_api_becomes_entered(world):
    row = _stated_value(world)
    api = token_client(world.staff)
    url = f"/api/v1/indicators/{world.count.code}/values/2012Q1/?programme={world.programme.code}"
    response = api.put(url, {"value": "45", "reason": "recount"}, format="json", HTTP_IF_MATCH=f'"v{row.version}"')
    assert response.status_code == 200, response.content
    assert response.json()["is_stated"] is False
    row.refresh_from_db()
    assert not row.is_stated and row.history.latest().history_change_reason == "recount"


# --- the loader writes through the entry service ----------------------------------------------------


def _seed() -> dict:
    return read_programme_file(SEED)


def _indicator(data: dict, code: str) -> dict:
    return next(item for item in data["indicators"] if item["code"] == code)


def test_the_seed_declares_the_ranges_of_its_percentages_above_100_and_loads_them_as_declared(per0601011):
    declared = {
        i.code: (i.allowed_min, i.allowed_max)
        for i in Indicator.objects.filter(result__programme=per0601011, allowed_max__isnull=False)
    }
    assert declared == {
        "R1.4": (D("0"), D("200")),
        "R2.1": (D("-100"), D("200")),
        "R2.6": (D("0"), D("200")),
        "R3.1": (D("0"), D("200")),
    }
    r26 = IndicatorValue.objects.get(
        indicator__result__programme=per0601011, indicator__code="R2.6", chain__slug="papa-nativa"
    )
    assert r26.value == D("133") and r26.is_stated
    # Every other percentage of the report lies in 0–100.
    others = IndicatorValue.objects.filter(
        indicator__result__programme=per0601011, indicator__unit_kind="percentage", indicator__allowed_max__isnull=True
    ).exclude(value__isnull=True)
    assert others.exists() and all(D(0) <= v.value <= D(100) for v in others)


def test_the_loader_records_the_history_of_every_value_with_its_reason(per0601011):
    values = IndicatorValue.objects.filter(indicator__result__programme=per0601011)
    records = IndicatorValue.history.filter(id__in=values.values("pk"))
    assert records.count() == values.count() > 0
    assert set(records.values_list("history_change_reason", "history_type", "status")) == {
        (services.LOADED_REASON, "+", "approved")
    }


def test_the_loader_never_widens_a_range_a_value_outside_it_refuses_the_file():
    data = _seed()
    del _indicator(data, "R2.1")["allowed_range"]  # 116 % in 2011 without its declared range
    with pytest.raises(ProgrammeLoadError) as info, translation.override("en"):
        programme_load(data=data)
    assert f"R2.1 2011 value: {PERCENT_RANGE}" in str(info.value)
    assert "R2.1 2010" not in str(info.value)  # 60 % is fine
    assert not Programme.objects.exists() and not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("code", "change", "expected"),
    [
        ("R1.1", {"value": "-3"}, "R1.1 2011 value: " + rules.MSG_NEGATIVE),
        ("R1.1", {"value": "3.5"}, "R1.1 2011 value: " + rules.MSG_NOT_WHOLE),
        ("R1.6", {"share": "1.2"}, "R1.6 2011 share: " + rules.MSG_SHARE_RANGE),
        ("R2.8", {"value": "12.34"}, "R2.8 2011 value: " + PERCENT_RANGE),  # 1234 %
        ("R1.1", {"value": None}, "R1.1 2011 no_data: " + rules.MSG_EMPTY_VALUE),  # neither a number nor "sin dato"
    ],
)
def test_a_bad_value_refuses_the_whole_file_naming_indicator_period_and_field(code, change, expected):
    data = _seed()
    value = next(v for v in _indicator(data, code)["values"] if v["year"] == 2011 and not v.get("chain"))
    value.update(change, no_data=False)
    with pytest.raises(ProgrammeLoadError) as info, translation.override("en"):
        programme_load(data=data)
    assert expected in str(info.value)
    assert not Programme.objects.exists() and not IndicatorValue.objects.exists()


def test_loading_stays_fast_by_writing_in_bulk():
    """More values cost no query each: the loader inserts each kind of row in batches, history included.
    Counted in queries, not seconds, so that a busy machine cannot fail it."""
    with CaptureQueriesContext(connection) as seed_load:
        programme_load(data=_seed())
    seed_values = IndicatorValue.objects.count()
    bigger = _seed()
    bigger["programme"]["code"] = "PER0601011-B"
    for indicator in bigger["indicators"]:
        # The same figures again in 2008, 2009 and 2012 (years of the programme's life without values).
        indicator["values"] += [
            {**value, "year": year}
            for value in indicator["values"]
            for year in ((2008, 2009) if value["year"] == 2010 else (2012,))
        ]
    with CaptureQueriesContext(connection) as bigger_load:
        programme_load(data=bigger)
    added = IndicatorValue.objects.count() - 2 * seed_values
    assert seed_values > 50 and added > seed_values
    # SQLite splits a batch at its limit of parameters per query: a few more batches, never one per row.
    assert len(bigger_load) - len(seed_load) < added // 10
