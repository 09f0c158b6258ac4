"""A client pulls the PER0601011 R2 series over real HTTP with a token, as a script would."""

import csv
import io
import json
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from cse_monitor.tokens import token_create
from indicators.models import Indicator, Programme
from tests.factories import UserFactory, membership
from tests.waits import REQUEST_SECONDS

PROGRAMME_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "per0601011" / "programme.json"


def fetch(url: str, token: str, accept: str = "application/json"):
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "Accept": accept})  # noqa: S310
    with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:  # noqa: S310 - the test's own live server
        return response.status, dict(response.headers), response.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_client_pulls_the_r2_series_of_per0601011_with_a_token(live_server):
    call_command("load_programme", str(PROGRAMME_FILE), stdout=io.StringIO())
    programme = Programme.objects.get(code="PER0601011")
    analyst = UserFactory(username="donor-analyst")
    membership(analyst, programme, "emcl")
    token = token_create(user=analyst, name="dashboard").secret

    base = f"{live_server.url}/api/v1/series/?programme=PER0601011&level=R2&from=2008&to=2011"
    status, headers, body = fetch(base + "&page_size=500", token)
    assert status == 200
    data = json.loads(body)
    r2_codes = list(
        Indicator.objects.filter(result__programme=programme, result__code="R2")
        .order_by("order")
        .values_list("code", flat=True)
    )
    assert [item["indicator"]["code"] for item in data["results"]] == r2_codes
    assert data["count"] == len(r2_codes) > 0

    # Every stated figure of the seed comes back marked as stated, none as computed.
    points = [p for item in data["results"] for p in item["points"]]
    assert any(p["achievement_source"] == "stated" for p in points)
    for item in data["results"]:
        ind = Indicator.objects.get(pk=item["indicator"]["id"])
        for stated in ind.stated_achievements.filter(year__gte=2008, year__lte=2011):
            period = str(stated.year) if stated.quarter == 0 else f"{stated.year}Q{stated.quarter}"
            point = next(p for p in item["points"] if p["period"] == period)
            assert point["achievement_source"] == "stated"
            assert point["achievement"] == f"{stated.achievement:.6f}"

    # The same rows as CSV, asked for by Accept header; then a poll with the ETag gets a 304.
    status, csv_headers, csv_body = fetch(base + "&page_size=500", token, accept="text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_body.decode())))
    assert len(rows) == len(points)
    request = urllib.request.Request(  # noqa: S310 - http to the live server
        base + "&page_size=500",
        headers={"Authorization": f"Token {token}", "If-None-Match": headers["ETag"]},
    )
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=REQUEST_SECONDS)  # noqa: S310
    assert not_modified.value.code == 304
