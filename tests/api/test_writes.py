"""Writing values through the API: the entry service's rules, If-Match concurrency, idempotent PUT, roles, workflow."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from indicators.models import IndicatorValue
from indicators.periods import Period

from .conftest import token_client


def current_quarter() -> Period:
    return Period.containing(timezone.localdate())


def url(indicator="R2.1", period=None, query=""):
    return f"/api/v1/indicators/{indicator}/values/{period or current_quarter()}/{query}"


def put(api, body, *, if_match=None, **kwargs):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return api.put(kwargs.get("target", url()), body, format="json", **headers)


def stored(period=None, **filters):
    period = period or current_quarter()
    return IndicatorValue.objects.get(
        indicator__code=filters.get("code", "R2.1"), year=period.year, quarter=period.quarter, chain=None, sex=""
    )


def seen_versions(period: Period) -> dict[str, int]:
    """What a reviewer read through GET /values/: each value id with its version."""
    rows = IndicatorValue.objects.filter(year=period.year, quarter=period.quarter).values_list("pk", "version")
    return {str(pk): version for pk, version in rows}


def test_put_creates_then_is_idempotent_then_updates_with_if_match(staff_api, programme):
    created = put(staff_api, {"value": "85", "comment": "ODEL"})
    assert created.status_code == 201, created.content
    assert created.headers["ETag"] == '"v1"'
    assert (created.json()["value"], created.json()["status"], created.json()["version"]) == ("85.0000", "draft", 1)
    row = stored()
    assert row.history.count() == 1 and row.history.first().history_user.username == "api-staff"

    again = put(staff_api, {"value": "85", "comment": "ODEL"}, if_match='"v1"')
    assert again.status_code == 200 and again.json()["version"] == 1
    assert stored().history.count() == 1

    changed = put(staff_api, {"value": "90", "comment": "ODEL"}, if_match='"v1"')
    assert changed.status_code == 200 and changed.headers["ETag"] == '"v2"'
    assert stored().value == 90 and stored().history.count() == 2


def test_stale_if_match_is_412_and_writes_nothing(staff_api, programme):
    put(staff_api, {"value": "85"})
    put(staff_api, {"value": "86"}, if_match='"v1"')
    stale = put(staff_api, {"value": "99"}, if_match='"v1"')
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert stored().value == 86 and stored().version == 2


def test_replacing_without_if_match_is_428(staff_api, programme):
    put(staff_api, {"value": "85"})
    response = put(staff_api, {"value": "99"})
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert stored().value == 85


def test_if_match_on_a_value_that_does_not_exist_is_412(staff_api, programme):
    assert put(staff_api, {"value": "85"}, if_match='"v3"').status_code == 412
    assert not IndicatorValue.objects.filter(year=current_quarter().year, quarter=current_quarter().quarter).exists()


def test_get_value_gives_its_etag_and_304(staff_api, programme):
    put(staff_api, {"value": "85"})
    first = staff_api.get(url())
    assert first.status_code == 200 and first.headers["ETag"] == '"v1"'
    assert staff_api.get(url(), HTTP_IF_NONE_MATCH='"v1"').status_code == 304
    assert staff_api.get(url("R2.3")).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"value": "1.23456"}, "value"),  # more decimals than stored: refused, never rounded
        ({"value": "many"}, "value"),
        ({"share": "120"}, "share"),
        ({"no_data_reason": "x" * 301, "no_data": True}, "no_data_reason"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(staff_api, programme, body, field):
    response = put(staff_api, body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not IndicatorValue.objects.filter(year=current_quarter().year).exists()


def test_the_services_validation_answers_400_with_its_message(staff_api, programme):
    response = put(staff_api, {"no_data": True, "no_data_reason": ""})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]
    assert not IndicatorValue.objects.filter(year=current_quarter().year).exists()


def test_values_are_entered_per_quarter_not_per_year(staff_api, programme):
    response = put(staff_api, {"value": "1"}, target=url(period=current_quarter().year))
    assert response.status_code == 400


def test_a_closed_quarter_refuses_entry_with_409(staff_api, programme):
    response = put(staff_api, {"value": "1"}, target=url(period="2011Q4"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quarter_not_open"


def test_chain_and_sex_rows_are_separate_resources(staff_api, programme):
    assert put(staff_api, {"value": "2"}, target=url(query="?chain=papa-nativa")).status_code == 201
    assert put(staff_api, {"value": "3"}, target=url(query="?sex=F")).status_code == 201
    assert put(staff_api, {"value": "5"}).status_code == 201
    assert put(staff_api, {"value": "1"}, target=url(query="?chain=nope")).status_code == 400
    assert put(staff_api, {"value": "1"}, target=url(query="?sex=X")).status_code == 400
    period = current_quarter()
    assert IndicatorValue.objects.filter(year=period.year, quarter=period.quarter).count() == 3


# The permission matrix: who may read a series, enter a value, submit, approve.
MATRIX = [
    # role, read, put, submit, approve
    ("staff", 200, 201, 200, 403),
    ("admin", 200, 201, 200, 403),  # the admin entered the value: who enters does not approve
    ("reviewer", 200, 403, 403, 200),
    ("emcl", 200, 403, 403, 403),
    ("outsider", 404, 404, 404, 404),
]


@pytest.mark.parametrize("role, read, write, submit, approve", MATRIX)
def test_permission_matrix(users, programme, role, read, write, submit, approve):
    api = token_client(users[role])
    quarter = current_quarter()
    assert api.get("/api/v1/indicators/R2.1/series/").status_code == read
    assert put(api, {"value": "7"}).status_code == write
    if write != 201:
        put(token_client(users["staff"]), {"value": "7"})
    assert api.post(f"/api/v1/programmes/PRG1/quarters/{quarter}/submit/", {}, format="json").status_code == submit
    if submit != 200:  # the quarter's values are submitted by staff, so that approval can be tried
        token_client(users["staff"]).post(f"/api/v1/programmes/PRG1/quarters/{quarter}/submit/", {}, format="json")
    approval = {"seen": seen_versions(quarter)}
    assert api.post(f"/api/v1/programmes/PRG1/quarters/{quarter}/approve/", approval, format="json").status_code == (
        approve
    )


def test_anonymous_cannot_write(programme):
    assert APIClient().put(url(), {"value": "1"}, format="json").status_code == 401


def test_review_workflow_submit_reason_approve_lock_reopen(users, programme):
    staff, reviewer = token_client(users["staff"]), token_client(users["reviewer"])
    quarter = current_quarter()
    base = f"/api/v1/programmes/PRG1/quarters/{quarter}"
    put(staff, {"value": "10"})
    assert staff.post(f"{base}/submit/", {}, format="json").json()["count"] == 1
    assert stored().status == "submitted"
    # Changing a submitted value needs a reason, as in the form.
    no_reason = put(staff, {"value": "11"}, if_match='"v2"')
    assert no_reason.status_code == 400 and stored().value == 10
    # Returning needs a comment per value; then the reviewer returns it.
    value_id = stored().pk
    assert reviewer.post(f"{base}/return/", {"comments": {str(value_id): " "}}, format="json").status_code == 400
    assert reviewer.post(f"{base}/return/", {"comments": {str(value_id): "check"}}, format="json").status_code == 200
    assert stored().status == "returned"
    assert staff.post(f"{base}/submit/", {}, format="json").status_code == 200
    assert reviewer.post(f"{base}/approve/", {"seen": seen_versions(quarter)}, format="json").status_code == 200
    assert stored().status == "approved"
    locked = put(staff, {"value": "12", "reason": "typo"}, if_match=f'"v{stored().version}"')
    assert locked.status_code == 409 and stored().value == 10
    assert reviewer.post(f"{base}/reopen/", {"reason": ""}, format="json").status_code == 400
    assert reviewer.post(f"{base}/reopen/", {"reason": "typo in R2.1"}, format="json").status_code == 200
    fixed = put(staff, {"value": "12", "reason": "typo"}, if_match=f'"v{stored().version}"')
    assert fixed.status_code == 200 and stored().value == 12 and stored().status == "draft"
    assert stored().history.first().history_change_reason == "typo"
