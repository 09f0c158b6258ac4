"""Approve what you saw, and who enters does not approve: in the service, the review page and the API, every role."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from indicators.entry import errors, quarters, services, workflow
from indicators.entry.rows import RowKey, ValueInput
from indicators.models import IndicatorValue, QuarterState
from indicators.periods import Period
from indicators.tests.entry_world import build_world
from tests.api.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)


@pytest.fixture
def world():
    w = build_world(period=Q1)
    QuarterState.objects.create(programme=w.programme, year=2012, quarter=1, reopened=True, reason="tests")
    w.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return w


def save(world, user, indicator, value, **kwargs):
    item = ValueInput(key=RowKey(indicator.pk), value=D(value), **kwargs)
    services.quarter_values_save(user=user, programme=world.programme, period=Q1, inputs=[item])


def submit(world, user) -> int:
    return workflow.quarter_submit(user=user, programme=world.programme, period=Q1)


def seen(world) -> dict[int, int]:
    """What the review page shows: every value of the quarter with its version."""
    return dict(IndicatorValue.objects.filter(year=2012, quarter=1).values_list("pk", "version"))


def approve(world, user, versions=None) -> int:
    versions = seen(world) if versions is None else versions
    return workflow.quarter_approve(user=user, programme=world.programme, period=Q1, seen=versions)


def row(indicator) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator=indicator, year=2012, quarter=1, chain=None, sex="")


def state(world) -> str:
    return quarters.quarter_state(world.programme, Q1).status


def snapshot():
    return list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "status", "version"))


# --- approve what you saw -----------------------------------------------------------------------------


def test_a_value_changed_after_the_reviewer_read_it_is_not_approved(world):
    save(world, world.staff, world.count, "85")
    submit(world, world.staff)
    shown = seen(world)  # the reviewer opens the review page: 85
    save(world, world.staff, world.count, "8500", expected_version=row(world.count).version, reason="typo")
    assert row(world.count).status == "submitted"  # still awaiting review, with a new version
    before = snapshot()
    with pytest.raises(errors.WorkflowError, match=r"1 value\(s\) changed .*\(R1\.1\)"):
        approve(world, world.reviewer, shown)
    assert snapshot() == before and state(world) != QuarterState.Status.APPROVED
    assert approve(world, world.reviewer) == 1  # read again: 8500, approved as seen
    assert (row(world.count).value, row(world.count).status) == (D("8500"), "approved")


def test_a_submitted_value_the_reviewer_never_saw_is_not_approved(world):
    save(world, world.staff, world.count, "85")
    submit(world, world.staff)
    shown = seen(world)
    save(world, world.staff_all, world.money, "10")
    submit(world, world.staff_all)  # submitted after the page was read
    before = snapshot()
    with pytest.raises(errors.WorkflowError, match=r"R2\.2"):
        approve(world, world.reviewer, shown)
    assert snapshot() == before
    with pytest.raises(errors.WorkflowError):
        approve(world, world.reviewer, {})  # an approval without what was seen approves nothing
    assert snapshot() == before


def test_a_selection_is_approved_as_seen_and_the_quarter_stays_open(world):
    save(world, world.staff, world.count, "85")
    save(world, world.staff_all, world.money, "10")
    submit(world, world.staff)
    submit(world, world.staff_all)
    count = row(world.count)
    assert (
        workflow.values_approve(
            user=world.reviewer, programme=world.programme, period=Q1, seen={count.pk: count.version}
        )
        == 1
    )
    assert (row(world.count).status, row(world.money).status) == ("approved", "submitted")
    assert state(world) != QuarterState.Status.APPROVED
    money = row(world.money)
    with pytest.raises(errors.WorkflowError):
        workflow.values_approve(user=world.reviewer, programme=world.programme, period=Q1, seen={money.pk: 1})
    with pytest.raises(errors.WorkflowError, match="Only submitted values"):
        workflow.values_approve(
            user=world.reviewer, programme=world.programme, period=Q1, seen={count.pk: row(world.count).version}
        )
    assert row(world.money).status == "submitted"


# --- who enters does not approve, whatever the role ---------------------------------------------------


# role: may they enter a value; what approving a value they entered gives.
OWN = [
    ("staff", True, PermissionDenied),  # staff never approve
    ("staff_all", True, PermissionDenied),
    ("reviewer", False, None),  # reviewers never enter
    ("emcl", False, None),
    ("admin", True, errors.SelfApprovalError),
    ("superuser", True, errors.SelfApprovalError),
]


@pytest.mark.parametrize(("role", "enters", "refusal"), OWN, ids=[r[0] for r in OWN])
def test_no_role_approves_a_value_it_entered(world, role, enters, refusal):
    user = getattr(world, role)
    if not enters:
        with pytest.raises(PermissionDenied):
            save(world, user, world.count, "40")
        return
    save(world, user, world.count, "40")
    assert submit(world, user) == 1
    before = snapshot()
    with pytest.raises(refusal):
        approve(world, user)
    assert snapshot() == before and state(world) != QuarterState.Status.APPROVED


# role: may they approve a value someone else entered.
OTHERS = [
    ("staff", False),
    ("staff_all", False),
    ("reviewer", True),
    ("emcl", False),
    ("admin", True),
    ("superuser", True),
    ("outsider", False),
]


@pytest.mark.parametrize(("role", "approves"), OTHERS, ids=[r[0] for r in OTHERS])
def test_approving_a_value_someone_else_entered(world, role, approves):
    save(world, world.staff, world.count, "40")
    submit(world, world.staff)
    if approves:
        assert approve(world, getattr(world, role)) == 1
        assert row(world.count).status == "approved" and state(world) == QuarterState.Status.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            approve(world, getattr(world, role))
        assert row(world.count).status == "submitted"


def test_whoever_entered_a_value_since_its_last_approval_cannot_approve_it(world):
    save(world, world.admin, world.count, "40")
    save(world, world.staff, world.count, "41", expected_version=1)  # staff's figure now, admin's before
    submit(world, world.staff)
    with pytest.raises(errors.SelfApprovalError):
        approve(world, world.admin)
    approve(world, world.reviewer)
    # Reopened and corrected by staff alone: the admin's entry is approved history, no longer pending.
    workflow.quarter_reopen(user=world.reviewer, programme=world.programme, period=Q1, reason="R1.1")
    save(world, world.staff, world.count, "42", expected_version=row(world.count).version, reason="acta")
    submit(world, world.staff)
    assert approve(world, world.admin) == 1


def test_a_submit_covers_the_submitters_own_rows_only(world):
    save(world, world.staff, world.count, "40")
    save(world, world.staff_all, world.money, "10")
    save(world, world.admin, world.rate, "50")
    assert submit(world, world.admin) == 1  # the admin may edit every row, yet submits only theirs
    assert [row(i).status for i in (world.count, world.money, world.rate)] == ["draft", "draft", "submitted"]
    assert state(world) == QuarterState.Status.OPEN
    assert submit(world, world.staff_all) == 1
    assert submit(world, world.staff) == 1
    assert state(world) == QuarterState.Status.SUBMITTED
    with pytest.raises(errors.WorkflowError, match="nothing to submit"):
        submit(world, world.superuser)


# --- through the review page --------------------------------------------------------------------------


def _review_url(world, name="review"):
    return reverse(f"indicators:{name}", args=[world.programme.code, "2012Q1"])


def _page_versions(client, world) -> dict[str, str]:
    """The approval form as the review page renders it: its hidden seen-<id> fields."""
    import re

    html = client.get(_review_url(world)).content.decode()
    return dict(re.findall(r'name="(seen-\d+)" value="(\d+)"', html))


def test_the_review_page_approves_what_it_showed_and_refuses_a_newer_version(client, world):
    save(world, world.staff, world.count, "85")
    submit(world, world.staff)
    client.force_login(world.reviewer)
    form = _page_versions(client, world)
    assert form == {f"seen-{row(world.count).pk}": str(row(world.count).version)}
    save(world, world.staff, world.count, "8500", expected_version=row(world.count).version, reason="typo")
    response = client.post(_review_url(world), {"approve": "1", **form}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "changed or were submitted after you opened the review" in response.content.decode()
    assert row(world.count).status == "submitted" and state(world) != QuarterState.Status.APPROVED
    client.post(_review_url(world), {"approve": "1", **_page_versions(client, world)})
    assert row(world.count).status == "approved"


@pytest.mark.parametrize("role", ["admin", "superuser"])
def test_the_review_page_refuses_an_approvers_own_values(client, world, role):
    user = getattr(world, role)
    save(world, user, world.money, "10")
    submit(world, user)
    client.force_login(user)
    response = client.post(
        _review_url(world), {"approve": "1", **_page_versions(client, world)}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "You entered 1 of these values (R2.2)" in response.content.decode()
    assert row(world.money).status == "submitted"
    client.force_login(world.reviewer)
    client.post(_review_url(world), {"approve": "1", **_page_versions(client, world)})
    assert row(world.money).status == "approved"


@pytest.mark.parametrize("role", ["staff", "emcl", "outsider"])
def test_the_review_page_refuses_roles_that_do_not_review(client, world, role):
    save(world, world.staff, world.count, "40")
    submit(world, world.staff)
    client.force_login(getattr(world, role))
    response = client.post(_review_url(world), {"approve": "1", f"seen-{row(world.count).pk}": "2"})
    assert response.status_code == 403
    assert row(world.count).status == "submitted"


def test_the_admins_submit_button_leaves_others_drafts(client, world):
    save(world, world.staff, world.count, "40")
    save(world, world.admin, world.money, "10")
    client.force_login(world.admin)
    client.post(_review_url(world, "submit"))
    assert (row(world.count).status, row(world.money).status) == ("draft", "submitted")


# --- through the API -----------------------------------------------------------------------------------


def _approve_api(world, user, versions: dict[int, int]):
    url = f"/api/v1/programmes/{world.programme.code}/quarters/2012Q1/approve/"
    body = {"seen": {str(pk): version for pk, version in versions.items()}}
    return token_client(user).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_approves_the_versions_sent_and_refuses_a_newer_one(world):
    save(world, world.staff, world.count, "85")
    submit(world, world.staff)
    shown = seen(world)
    save(world, world.staff, world.count, "8500", expected_version=row(world.count).version, reason="typo")
    stale = _approve_api(world, world.reviewer, shown)
    assert stale.status_code == 409
    assert "changed or were submitted after you opened the review" in stale.json()["error"]["message"]
    assert row(world.count).status == "submitted"
    assert _approve_api(world, world.reviewer, {}).status_code == 409
    assert _approve_api(world, world.reviewer, seen(world)).json()["count"] == 1
    assert row(world.count).status == "approved"


def test_the_api_refuses_malformed_versions(world):
    url = f"/api/v1/programmes/{world.programme.code}/quarters/2012Q1/approve/"
    api = token_client(world.reviewer)
    assert api.post(url, {"seen": {"R1.1": 2}}, format="json").status_code == 400
    assert api.post(url, {"seen": {"1": "two"}}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [
        ("staff", 403, 403),
        ("staff_all", 403, 403),
        ("emcl", None, 403),
        ("reviewer", None, 200),
        ("admin", 403, 200),
        ("superuser", 403, 200),
    ],
)
def test_the_api_approval_by_role_of_own_and_others_values(world, role, own, others):
    user = getattr(world, role)
    if own is not None:
        mine = world.count if role == "staff" else world.money  # staff enter R1 only
        save(world, user, mine, "10")
        submit(world, user)
        response = _approve_api(world, user, seen(world))
        assert response.status_code == own
        if role in ("admin", "superuser"):
            assert "You entered 1 of these values" in response.json()["error"]["message"]
        assert row(mine).status == "submitted"
        IndicatorValue.objects.all().delete()
    save(world, world.staff, world.count, "40")
    submit(world, world.staff)
    assert _approve_api(world, user, seen(world)).status_code == others
    assert row(world.count).status == ("approved" if others == 200 else "submitted")
