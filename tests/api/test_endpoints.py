"""Contract tests of the read endpoints: fields, lookups by code, declared filters, scoping, errors, ETag/304."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from municipalities.models import District
from tests.factories import IndicatorFactory, IndicatorValueFactory


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


CONTRACT = {
    "/api/v1/programmes/": {"id", "code", "name", "currency", "belgian_contribution", "updated_at"},
    "/api/v1/results/": {"id", "programme", "code", "kind", "statement"},
    "/api/v1/indicators/": {"id", "programme", "level", "code", "name", "unit", "aggregation", "updated_at"},
    "/api/v1/values/": {"id", "indicator", "period", "chain", "sex", "value", "status", "version", "no_data"},
    "/api/v1/value-chains/": {"id", "programme", "slug", "name"},
    "/api/v1/districts/": {"id", "ubigeo", "department_code", "department", "province", "name"},
    "/api/v1/beneficiary-districts/": {"id", "programme", "ubigeo", "target_population", "women_share"},
    "/api/v1/budget-lines/": {"id", "code", "amount", "spent", "balance", "execution_rate"},
    "/api/v1/stated-scores/": {"id", "level", "period", "efficacy", "efficiency", "sustainability", "origin"},
    "/api/v1/emcl-decisions/": {"id", "programme", "decision", "source", "status"},
}


@pytest.mark.parametrize("path", sorted(CONTRACT))
def test_list_endpoints_return_their_documented_fields(staff_api, full_programme, path):
    rows = results(staff_api.get(path))
    assert rows, path
    assert CONTRACT[path] <= set(rows[0])


@pytest.mark.parametrize(
    "path, field, expected",
    [
        ("/api/v1/programmes/PRG1/", "code", "PRG1"),
        ("/api/v1/indicators/R2.3/", "code", "R2.3"),
        ("/api/v1/value-chains/papa-nativa/", "slug", "papa-nativa"),
        ("/api/v1/districts/050101/", "name", "AYACUCHO"),
        ("/api/v1/beneficiary-districts/050101/", "ubigeo", "050101"),
        ("/api/v1/budget-lines/A/01/01/", "code", "A/01/01"),
    ],
)
def test_objects_are_addressable_by_their_code(staff_api, full_programme, path, field, expected):
    response = staff_api.get(path)
    assert response.status_code == 200, response.content
    assert response.json()[field] == expected


def test_objects_are_addressable_by_id_too(staff_api, programme):
    indicator = programme.results.get(code="R2").indicators.get(code="R2.3")
    assert staff_api.get(f"/api/v1/indicators/{indicator.pk}/").json()["code"] == "R2.3"
    district = District.objects.get(ubigeo="050101")
    assert staff_api.get(f"/api/v1/districts/{district.pk}/").json()["ubigeo"] == "050101"


def test_a_code_used_by_two_programmes_asks_for_the_programme(users, programme, other_programme):
    from indicators.models import Membership

    Membership.objects.create(user=users["staff"], programme=other_programme, role="staff")
    from .conftest import token_client

    api = token_client(users["staff"])
    ambiguous = api.get("/api/v1/indicators/R2.1/")
    assert ambiguous.status_code == 400
    assert ambiguous.json()["error"]["code"] == "ambiguous_code"
    assert api.get("/api/v1/indicators/R2.1/?programme=PRG2").json()["programme"] == "PRG2"


def test_budget_line_execution_comes_from_its_expenses(staff_api, full_programme):
    line = staff_api.get("/api/v1/budget-lines/A/01/01/").json()
    assert (line["spent"], line["balance"], line["execution_rate"]) == ("840.00", "160.00", "0.840000")
    header = staff_api.get("/api/v1/budget-lines/A/").json()
    assert header["balance"] is None and header["execution_rate"] is None


def test_unknown_object_is_a_404_in_the_error_shape(staff_api, programme):
    response = staff_api.get("/api/v1/indicators/R9.9/")
    assert response.status_code == 404
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message"}
    assert (error["status"], error["code"]) == (404, "not_found") and error["message"]


@pytest.mark.parametrize(
    "query, expected_codes",
    [
        ("level=R2", ["R2.1", "R2.3", "R2.9"]),
        ("programme=PRG1&has_data=false", ["R2.9"]),
        ("chain=papa-nativa", ["R2.1"]),
        ("programme=NOPE", []),
    ],
)
def test_indicator_filters(staff_api, programme, query, expected_codes):
    assert [row["code"] for row in results(staff_api.get(f"/api/v1/indicators/?{query}"))] == expected_codes


@pytest.mark.parametrize(
    "query, expected",
    [
        ("indicator=R2.1&from=2011Q2&to=2011Q3&sex=", ["2011Q2", "2011Q3"]),
        ("indicator=R2.1&status=draft", ["2011Q2"]),
        ("indicator=R2.1&chain=papa-nativa", ["2011Q1"]),
        ("indicator=R2.3&to=2010", ["2010"]),
        ("indicator=R2.3&from=2011", ["2011"]),
    ],
)
def test_value_filters_period_range_status_chain(staff_api, programme, query, expected):
    assert [row["period"] for row in results(staff_api.get(f"/api/v1/values/?{query}"))] == expected


def test_undeclared_query_parameters_never_reach_the_orm(staff_api, programme):
    everything = results(staff_api.get("/api/v1/indicators/"))
    assert results(staff_api.get("/api/v1/indicators/?result__programme__code=NOPE&code__startswith=Z")) == everything


def test_bad_filter_value_is_a_400_naming_the_field(staff_api, programme):
    response = staff_api.get("/api/v1/values/?from=2011Q7")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "from" in response.json()["error"]["fields"]
    bad_status = staff_api.get("/api/v1/values/?status=finished")
    assert bad_status.status_code == 400 and "status" in bad_status.json()["error"]["fields"]


def test_updated_since_gives_incremental_pulls(staff_api, programme):
    latest = max(row["updated_at"] for row in results(staff_api.get("/api/v1/values/?page_size=500")))
    assert results(staff_api.get("/api/v1/values/", {"updated_since": latest}))
    assert results(staff_api.get("/api/v1/values/", {"updated_since": "2099-01-01T00:00:00Z"})) == []


def test_ordering_and_pagination(staff_api, programme):
    ordered = results(staff_api.get("/api/v1/indicators/?ordering=-code&page_size=2"))
    assert [row["code"] for row in ordered] == ["R2.9", "R2.3"]
    page = staff_api.get("/api/v1/indicators/?ordering=-code&page_size=2").json()
    assert page["count"] == 3 and page["next"]


def test_sparse_fields(staff_api, programme):
    rows = results(staff_api.get("/api/v1/indicators/?fields=code,name"))
    assert set(rows[0]) == {"code", "name"}


def test_outsider_sees_no_programme_data(outsider_api, programme):
    assert results(outsider_api.get("/api/v1/indicators/")) == []
    assert outsider_api.get("/api/v1/programmes/PRG1/").status_code == 404
    assert outsider_api.get("/api/v1/indicators/R2.3/series/").status_code == 404
    assert outsider_api.get("/api/v1/series/?programme=PRG1").json()["results"] == []


def test_members_see_only_their_programmes(staff_api, programme, other_programme):
    assert [row["code"] for row in results(staff_api.get("/api/v1/programmes/"))] == ["PRG1"]


@pytest.mark.parametrize("role", ["staff", "reviewer", "emcl", "admin"])
def test_every_role_of_the_programme_may_read(users, role):
    from .conftest import token_client

    assert token_client(users[role]).get("/api/v1/indicators/R2.3/series/").status_code == 200


def test_unchanged_read_gets_a_304_and_a_change_a_new_etag(staff_api, programme):
    first = staff_api.get("/api/v1/indicators/R2.3/series/")
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    again = staff_api.get("/api/v1/indicators/R2.3/series/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 304 and again.content == b""
    IndicatorValueFactory(indicator=programme.results.get(code="R2").indicators.get(code="R2.3"), year=2012)
    changed = staff_api.get("/api/v1/indicators/R2.3/series/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("path", ["/api/v1/indicators/", "/api/v1/values/", "/api/v1/programmes/PRG1/"])
def test_lists_and_objects_answer_304_to_their_etag(staff_api, programme, path):
    etag = staff_api.get(path).headers["ETag"]
    assert staff_api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def _queries(api, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators/", "/api/v1/values/", "/api/v1/budget-lines/", "/api/v1/beneficiary-districts/"]
)
def test_list_query_count_does_not_grow_with_page_size(staff_api, full_programme, path):
    result = full_programme.results.get(code="R2")
    for n in range(12):
        indicator = IndicatorFactory(result=result, code=f"R2.{20 + n}", order=20 + n)
        IndicatorValueFactory(indicator=indicator, year=2011)
    staff_api.get(path)  # the first use of a token records when it was used: one write, not a read
    small = _queries(staff_api, path + "?page_size=1")
    large = _queries(staff_api, path + "?page_size=100")
    assert small == large


@pytest.mark.parametrize(
    "path, status",
    [
        # A valid instant whose offset PostgreSQL refuses: read in UTC, it is answered.
        ("/api/v1/values/?updated_since=0437-04-30T07:07:07%2B17:10", 200),
        ("/api/v1/values/?updated_since=0001-01-01T00:00:00%2B05:00", 400),  # before year 1 in UTC
        ("/api/v1/stated-scores/?year=100000000000000000000", 400),
        ("/api/v1/emcl-decisions/?year=-1", 400),
    ],
)
def test_out_of_range_filters_are_answered_not_database_errors(staff_api, programme, path, status):
    assert staff_api.get(path).status_code == status


@pytest.mark.parametrize(
    "path", ["/api/v1/values/99999999999999999999999/", "/api/v1/indicators/99999999999999999999/"]
)
def test_ids_beyond_the_database_range_are_404(staff_api, programme, path):
    assert staff_api.get(path).status_code == 404


def test_budget_line_spent_is_annex_7_3s_at_the_latest_extract_never_a_sum_of_extracts(staff_api, full_programme):
    from budget.models import BudgetExpense, BudgetLine
    from budget.selectors import budget_vs_actuals

    # A later extract, from the start to 2012, is recorded beside the 2010 one (300, then 540 in 2011): it
    # replaces them, never adds to them (a sum of every expense row read 1,740).
    leaf = BudgetLine.objects.get(programme=full_programme, code="A/01/01")
    BudgetExpense.objects.create(line=leaf, year_to=2012, amount=Decimal("900.00"))
    line = staff_api.get("/api/v1/budget-lines/A/01/01/").json()
    annex = budget_vs_actuals(full_programme, 2012).row("A/01/01")
    assert (line["spent"], line["spent_as_of"]) == (f"{annex.total:.2f}", 2012)
    assert (line["spent"], line["balance"]) == ("900.00", "100.00")
