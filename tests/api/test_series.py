"""The series endpoints: figures per period, no data with reasons, targets, achievements, CSV/XLSX, query counts."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.api.series import NUMERIC_COLUMNS
from indicators.series import COLUMNS
from tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    IndicatorValueFactory,
    StatedAchievementFactory,
    ValueChainFactory,
)


def points(response) -> dict:
    assert response.status_code == 200, response.content
    return {(p["period"], p["chain"], p["sex"]): p for p in response.json()["points"]}


def test_series_per_period_value_status_target_and_computed_achievement(staff_api, programme):
    got = points(staff_api.get("/api/v1/indicators/R2.1/series/?from=2011&to=2011"))
    assert list(got) == [(p, None, "") for p in ("2011Q1", "2011Q2", "2011Q3", "2011Q4", "2011")]
    q1 = got[("2011Q1", None, "")]
    assert (q1["value"], q1["value_source"], q1["status"], q1["version"]) == ("5.0000", "entered", "approved", 1)
    # A quarter without its own target is measured against its year's (the monitoring card's rule).
    assert (q1["target"], q1["achievement"], q1["achievement_source"]) == ("24.0000", "0.208333", "computed")
    assert got[("2011Q2", None, "")]["status"] == "draft"
    year = got[("2011", None, "")]
    # No row for the year: a summed indicator's year is the sum of its quarters, marked computed.
    assert (year["value"], year["value_source"], year["stored_value"], year["status"]) == (
        "12.0000",
        "computed",
        None,
        None,
    )
    assert (year["achievement"], year["achievement_source"]) == ("0.500000", "computed")


def test_no_data_is_null_with_its_reason(staff_api, programme):
    got = points(staff_api.get("/api/v1/indicators/R2.1/series/?from=2011Q3&to=2011Q4"))
    reported = got[("2011Q3", None, "")]
    assert (reported["value"], reported["no_data_reason"], reported["no_data_note"]) == (
        None,
        "reported_no_data",
        "Sin dato",
    )
    assert reported["achievement"] is None and reported["achievement_source"] is None
    missing = got[("2011Q4", None, "")]
    assert (missing["value"], missing["no_data_reason"], missing["value_id"]) == (None, "not_entered", None)


def test_stated_figures_are_marked_stated(staff_api, programme):
    got = points(staff_api.get("/api/v1/indicators/R2.3/series/?from=2010&to=2011&granularity=year"))
    assert list(got) == [("2010", None, ""), ("2011", None, "")]
    assert (got[("2011", None, "")]["value"], got[("2011", None, "")]["value_source"]) == ("8.0000", "stated")
    assert got[("2011", None, "")]["achievement"] == "1.000000"
    quarters = points(staff_api.get("/api/v1/indicators/R2.3/series/?from=2011Q2&to=2011Q2"))
    q2 = quarters[("2011Q2", None, "")]
    assert (q2["value"], q2["achievement"], q2["achievement_source"]) == (None, "0.750000", "stated")


def test_disaggregation_by_sex_and_chain(staff_api, programme):
    got = points(staff_api.get("/api/v1/indicators/R2.1/series/?from=2011Q1&to=2011Q1&disaggregate=sex,chain"))
    assert got[("2011Q1", None, "F")]["value"] == "3.0000"
    assert got[("2011Q1", "papa-nativa", "")]["value"] == "2.0000"
    assert got[("2011Q1", "tara", "")]["no_data_reason"] == "not_entered"
    # Targets are programme-wide: a breakdown is not measured against the total's target.
    assert got[("2011Q1", None, "F")]["target"] is None
    assert got[("2011Q1", None, "")]["value"] == "5.0000"


def test_chain_parameter_gives_that_chains_series(staff_api, programme):
    got = points(staff_api.get("/api/v1/indicators/R2.1/series/?from=2011Q1&to=2011Q1&chain=papa-nativa"))
    assert list(got) == [("2011Q1", "papa-nativa", "")]
    assert got[("2011Q1", "papa-nativa", "")]["value"] == "2.0000"


def test_a_chain_target_measures_the_chains_series(staff_api, programme):
    indicator = programme.results.get(code="R2").indicators.get(code="R2.1")
    IndicatorTargetFactory(
        indicator=indicator, year=2011, quarter=1, chain=programme.chains.get(slug="papa-nativa"), value=4
    )
    got = points(staff_api.get("/api/v1/indicators/R2.1/series/?from=2011Q1&to=2011Q1&chain=papa-nativa"))
    assert got[("2011Q1", "papa-nativa", "")]["achievement"] == "0.500000"


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2011Q5", "from"),
        ("to=11", "to"),
        ("from=2012&to=2011", "to"),
        ("granularity=month", "granularity"),
        ("disaggregate=age", "disaggregate"),
        ("region=Ayacucho", "region"),
        ("chain=no-such-chain", "chain"),
    ],
)
def test_bad_series_parameters_are_400_naming_the_field(staff_api, programme, query, field):
    response = staff_api.get(f"/api/v1/indicators/R2.1/series/?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_bad_parameters_answer_json_even_when_csv_was_asked(staff_api, programme):
    response = staff_api.get("/api/v1/indicators/R2.1/series/?from=bad&format=csv")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_bulk_series_for_a_level(staff_api, programme, other_programme):
    body = staff_api.get("/api/v1/series/?programme=PRG1&level=R2&from=2011&to=2011&granularity=year").json()
    assert [item["indicator"]["code"] for item in body["results"]] == ["R2.1", "R2.3", "R2.9"]
    single = staff_api.get("/api/v1/indicators/R2.3/series/?from=2011&to=2011&granularity=year").json()
    assert body["results"][1] == single


def _json_rows(api, url):
    body = api.get(url).json()
    items = body["results"] if "results" in body else [body]
    rows = []
    for item in items:
        ind = item["indicator"]
        for p in item["points"]:
            head = {"programme": ind["programme"], "level": ind["level"], "indicator_id": ind["id"]}
            rows.append({**head, "indicator": ind["code"], "unit": ind["unit"], **p})
    return rows


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/R2.1/series/?from=2011&to=2011&disaggregate=sex,chain",
        "/api/v1/series/?programme=PRG1&from=2010&to=2011",
    ],
)
def test_csv_opened_back_equals_the_json(staff_api, programme, url):
    expected = _json_rows(staff_api, url)
    by_param = staff_api.get(url + "&format=csv")
    by_accept = staff_api.get(url, HTTP_ACCEPT="text/csv")
    assert by_param["Content-Type"].startswith("text/csv") and by_accept.content == by_param.content
    reader = csv.reader(io.StringIO(by_param.content.decode()))
    header = next(reader)
    assert tuple(header) == COLUMNS
    rows = [dict(zip(header, line, strict=True)) for line in reader]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got == {k: "" if want[k] is None else str(want[k]) for k in COLUMNS}


def test_xlsx_opened_back_equals_the_json(staff_api, programme):
    url = "/api/v1/indicators/R2.1/series/?from=2011&to=2011&disaggregate=sex,chain"
    expected = _json_rows(staff_api, url)
    response = staff_api.get(url + "&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert tuple(table[0]) == COLUMNS
    assert len(table) - 1 == len(expected)
    numeric = set(NUMERIC_COLUMNS)
    for line, want in zip(table[1:], expected, strict=True):
        line = tuple(line) + (None,) * (len(COLUMNS) - len(line))  # trailing empty cells are not stored
        got = dict(zip(COLUMNS, line, strict=True))
        for name in COLUMNS:
            if want[name] is None or want[name] == "":
                assert got[name] in (None, ""), name
            elif name in numeric:
                assert Decimal(str(got[name])) == Decimal(str(want[name])), name
            else:
                assert got[name] == want[name], name


def _series_queries(api, url) -> int:
    api.get(url)  # first use of the token records last_used_at
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_series_query_count_does_not_grow_with_periods_chains_or_indicators(staff_api, programme):
    result = programme.results.get(code="R2")
    few = _series_queries(staff_api, "/api/v1/series/?programme=PRG1&from=2011&to=2011&disaggregate=chain")
    for n in range(6):
        ValueChainFactory(programme=programme, slug=f"extra-{n}", order=10 + n)
        indicator = IndicatorFactory(result=result, code=f"R2.{30 + n}", order=30 + n, disaggregated_by_chain=True)
        for year in range(2008, 2013):
            for quarter in range(1, 5):
                IndicatorValueFactory(indicator=indicator, year=year, quarter=quarter)
    many = _series_queries(staff_api, "/api/v1/series/?programme=PRG1&from=2008&to=2012&disaggregate=chain")
    assert few == many
    single_short = _series_queries(staff_api, "/api/v1/indicators/R2.30/series/?from=2011&to=2011")
    single_long = _series_queries(staff_api, "/api/v1/indicators/R2.30/series/?from=2008&to=2012Q4")
    assert single_short == single_long


def test_fast_series_json_equals_the_documented_serializer(programme):
    from indicators.api.series import IndicatorSeriesSerializer, series_json
    from indicators.models import Indicator
    from indicators.series import SeriesQuery, series_for

    indicator = Indicator.objects.get(code="R2.1")
    IndicatorTargetFactory(
        indicator=indicator, year=2011, quarter=3, value=Decimal("7")
    )  # achievement 5/7: many decimals
    found = series_for(
        Indicator.objects.filter(result__programme=programme).select_related("result__programme"),
        SeriesQuery(disaggregate=("sex", "chain")),
    )
    assert sum(len(item.points) for item in found) > 20
    assert [series_json(item) for item in found] == IndicatorSeriesSerializer(found, many=True).data


def test_running_total_adds_earlier_years_and_is_marked_computed(staff_api, programme):
    from indicators.models import Indicator

    total = IndicatorFactory(
        result=programme.results.get(code="R2"), code="R2.5", order=5, aggregation=Indicator.Aggregation.RUNNING_TOTAL
    )
    IndicatorValueFactory(indicator=total, year=2010, quarter=0, value=Decimal("4"))
    IndicatorValueFactory(indicator=total, year=2011, quarter=1, value=Decimal("3"))
    got = points(staff_api.get("/api/v1/indicators/R2.5/series/?from=2010&to=2011Q2"))
    assert got[("2010", None, "")]["value"] == "4.0000"
    assert (got[("2011Q1", None, "")]["value"], got[("2011Q1", None, "")]["value_source"]) == ("7.0000", "computed")
    assert got[("2011Q1", None, "")]["stored_value"] == "3.0000"
    assert got[("2011Q2", None, "")]["value"] is None  # nothing measured in the quarter: no data, not 7 carried on


@pytest.mark.parametrize("suffix, content_type", [("json", "application/json"), ("csv", "text/csv")])
def test_format_suffix_urls_serve_the_series(staff_api, programme, suffix, content_type):
    response = staff_api.get(f"/api/v1/indicators/R2.3/series.{suffix}?from=2011&to=2011")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)


def _periods(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["period"] for p in response.json()["points"]]


def test_an_indicators_series_does_not_depend_on_the_other_indicators_asked_with_it(staff_api, programme):
    from datetime import date

    programme.start_effective, programme.end_effective = date(2010, 4, 1), date(2011, 12, 31)
    programme.save()
    # R2.3's points alone, and among others in the bulk endpoint, are the same points.
    alone = staff_api.get("/api/v1/indicators/R2.3/series/").json()["points"]
    bulk = staff_api.get("/api/v1/series/?programme=PRG1&indicator=R2.3,R2.1").json()["results"]
    assert next(item["points"] for item in bulk if item["indicator"]["code"] == "R2.3") == alone
    # One late value of another indicator pads nobody else's series.
    IndicatorValueFactory(indicator=programme.results.get(code="R2").indicators.get(code="R2.1"), year=2026, quarter=4)
    bulk = staff_api.get("/api/v1/series/?programme=PRG1&indicator=R2.3,R2.1").json()["results"]
    by_code = {item["indicator"]["code"]: [p["period"] for p in item["points"]] for item in bulk}
    assert by_code["R2.3"] == [p["period"] for p in alone]
    assert by_code["R2.1"][-1] == "2026" and "2026Q4" in by_code["R2.1"]  # its own data stays visible


def test_the_default_window_is_the_programmes_life_with_stated_achievements_only(staff_api, programme):
    from datetime import date

    from indicators.models import Indicator

    programme.start_effective, programme.end_effective = date(2008, 4, 1), date(2012, 11, 1)
    programme.save()
    # Like PER0601011's R4.12: no value, no target, only the achievements annex 7.2 states.
    stated_only = IndicatorFactory(result=programme.results.get(code="R2"), code="R2.7", order=7)
    for year, ratio in ((2008, "0.15"), (2009, "0.30")):
        StatedAchievementFactory(indicator=stated_only, year=year, quarter=0, achievement=Decimal(ratio))
    got = _periods(staff_api.get("/api/v1/indicators/R2.7/series/?granularity=year"))
    assert got == ["2008", "2009", "2010", "2011", "2012"]
    points = {p["period"]: p for p in staff_api.get("/api/v1/indicators/R2.7/series/").json()["points"]}
    assert (points["2008"]["achievement"], points["2008"]["achievement_source"]) == ("0.150000", "stated")
    assert Indicator.objects.get(pk=stated_only.pk).values.count() == 0


def test_a_quarter_measured_against_its_years_target_says_so(staff_api, programme):
    got = points(staff_api.get("/api/v1/indicators/R2.1/series/?from=2011&to=2011"))
    q2 = got[("2011Q2", None, "")]
    # Q2's own value is 7; towards the year's target of 24 it counts what the year gathered so far: 5 + 7.
    assert (q2["value"], q2["year_to_date"], q2["target"], q2["target_period"]) == (
        "7.0000",
        "12.0000",
        "24.0000",
        "2011",
    )
    assert q2["achievement"] == "0.500000"
    year = got[("2011", None, "")]
    assert (year["target_period"], year["year_to_date"]) == ("2011", year["value"])
