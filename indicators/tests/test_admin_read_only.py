"""The Django admin shows values, their history and quarter states, and changes none of them: values change
only through the entry service. Tested through the admin's own pages, as a logged-in superuser."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission

from indicators.models import IndicatorValue, QuarterState, ValueReview
from indicators.periods import Period
from indicators.tests.entry_world import build_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)
VALUES = "/admin/indicators/indicatorvalue/"


@pytest.fixture
def world():
    return build_world(period=Q1)


@pytest.fixture
def locked(world):
    """The issue's case: a value of 12, approved, in an approved (locked) quarter."""
    state = QuarterState.objects.create(programme=world.programme, year=2012, quarter=1, status="approved")
    value = IndicatorValue.objects.create(
        indicator=world.count, year=2012, quarter=1, value=D("12"), status="approved", version=3, entered_by=world.staff
    )
    ValueReview.objects.create(value=value, reviewer=world.reviewer, action="returned", comment="revisar")
    return value, state


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def _unchanged(value: IndicatorValue) -> None:
    stored = IndicatorValue.objects.get(pk=value.pk)
    assert (stored.value, stored.status, stored.version, stored.entered_by_id) == (
        value.value,
        value.status,
        value.version,
        value.entered_by_id,
    )
    assert stored.history.count() == value.history.count()


def _change_form(row: IndicatorValue, **changes) -> dict:
    data = {
        "indicator": row.indicator_id,
        "year": row.year,
        "quarter": row.quarter,
        "region": "",
        "sex": "",
        "value": "4242",
        "status": "approved",
        "version": str(row.version),
        "entered_by": "",
        "_save": "Save",
    }
    return {**data, **changes}


def test_the_values_list_and_a_value_are_shown_read_only(client, root, locked):
    value, _state = locked
    listing = client.get(VALUES)
    assert listing.status_code == 200 and f"{VALUES}{value.pk}/change/" in listing.content.decode()
    page = client.get(f"{VALUES}{value.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="value"' not in html and 'name="status"' not in html and 'name="version"' not in html
    assert "12" in html


def test_a_change_posted_to_the_admin_is_refused_and_the_value_stays(client, root, locked):
    value, _state = locked
    response = client.post(f"{VALUES}{value.pk}/change/", _change_form(value))
    assert response.status_code == 403
    _unchanged(value)


def test_a_user_granted_every_permission_on_values_still_cannot_change_one(client, locked):
    value, _state = locked
    editor = UserFactory(username="editor", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__endswith="_indicatorvalue"))
    client.force_login(editor)
    assert client.post(f"{VALUES}{value.pk}/change/", _change_form(value)).status_code == 403
    assert client.post(f"{VALUES}{value.pk}/delete/", {"post": "yes"}).status_code == 403
    _unchanged(value)


def test_adding_a_value_in_the_admin_is_refused(client, root, world):
    assert client.get(f"{VALUES}add/").status_code == 403
    data = {"indicator": world.count.pk, "year": 2012, "quarter": 1, "value": "5", "status": "approved"}
    assert client.post(f"{VALUES}add/", data).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_deleting_a_value_in_the_admin_is_refused(client, root, locked):
    value, _state = locked
    assert client.get(f"{VALUES}{value.pk}/delete/").status_code == 403
    assert client.post(f"{VALUES}{value.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(VALUES, {"action": "delete_selected", "_selected_action": [value.pk], "post": "yes"})
    _unchanged(value)


def test_the_history_is_shown_and_a_revert_is_refused(client, root, world):
    value = IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("12"))
    value.value, value.version = D("13"), 2
    value.save()
    first = value.history.earliest()
    history = client.get(f"{VALUES}{value.pk}/history/")
    assert history.status_code == 200 and f"history/{first.history_id}/" in history.content.decode()
    old = client.get(f"{VALUES}{value.pk}/history/{first.history_id}/")
    assert old.status_code == 200
    revert = client.post(f"{VALUES}{value.pk}/history/{first.history_id}/", _change_form(value, value="12"))
    assert revert.status_code == 403
    _unchanged(value)
    assert IndicatorValue.objects.get(pk=value.pk).value == D("13")


def test_the_indicator_page_shows_its_values_without_a_way_to_change_them(client, root, locked):
    value, _state = locked
    html = client.get(f"/admin/indicators/indicator/{value.indicator_id}/change/").content.decode()
    inline = html[html.index('id="values-group"') :]
    assert 'name="values-0-value"' not in inline and 'name="values-0-status"' not in inline
    assert "12.0000" in inline or "12,0000" in inline  # the value, shown


def test_an_indicator_or_programme_whose_deletion_would_take_values_is_not_deleted(client, root, locked):
    value, _state = locked
    for url in (
        f"/admin/indicators/indicator/{value.indicator_id}/delete/",
        f"/admin/indicators/programme/{value.indicator.result.programme_id}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    _unchanged(value)


def test_quarter_states_are_read_only(client, root, locked):
    _value, state = locked
    url = f"/admin/indicators/quarterstate/{state.pk}/change/"
    assert client.get(url).status_code == 200
    data = {"programme": state.programme_id, "year": 2012, "quarter": 1, "status": "open", "opens_on": "2012-01-01"}
    assert client.post(url, data).status_code == 403
    assert client.get("/admin/indicators/quarterstate/add/").status_code == 403
    assert client.post(f"/admin/indicators/quarterstate/{state.pk}/delete/", {"post": "yes"}).status_code == 403
    state.refresh_from_db()
    assert (state.status, state.opens_on) == ("approved", None)
    assert client.get(f"/admin/indicators/quarterstate/{state.pk}/history/").status_code == 200


def test_review_comments_are_read_only(client, root, locked):
    value, _state = locked
    review = ValueReview.objects.get(value=value)
    url = f"/admin/indicators/valuereview/{review.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"comment": "otra cosa"}).status_code == 403
    assert client.post(f"/admin/indicators/valuereview/{review.pk}/delete/", {"post": "yes"}).status_code == 403
    review.refresh_from_db()
    assert review.comment == "revisar"
