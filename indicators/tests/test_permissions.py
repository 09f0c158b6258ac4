"""The permission matrix: each role × each action × own / other value chain, in the service and over HTTP."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from rest_framework.test import APIClient

from indicators import permissions
from indicators.entry import errors, services, workflow
from indicators.entry.rows import RowKey, ValueInput
from indicators.models import IndicatorValue
from indicators.periods import Period
from indicators.tests.entry_world import build_world, current_quarter

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)
IN_Q1 = date(2012, 2, 15)
ROLES = ["staff", "staff_chain2", "staff_all", "reviewer", "emcl", "admin", "outsider"]


@pytest.fixture
def world():
    return build_world(period=Q1)


def _save(world, user, key):
    services.quarter_values_save(
        user=user, programme=world.programme, period=Q1, inputs=[ValueInput(key=key, value=D("3"))], today=IN_Q1
    )


def _submitted_value(world) -> IndicatorValue:
    _save(world, world.staff_all, RowKey(world.count.pk))
    workflow.quarter_submit(user=world.staff_all, programme=world.programme, period=Q1, today=IN_Q1)
    return IndicatorValue.objects.get(indicator=world.count, chain=None)


def _approve(world, user) -> None:
    value = _submitted_value(world)
    workflow.quarter_approve(user=user, programme=world.programme, period=Q1, seen={value.pk: value.version})


ACTIONS = {
    "edit own result total (R1.1)": lambda w, u: _save(w, u, RowKey(w.count.pk)),
    "edit value chain 1 part (R1.1)": lambda w, u: _save(w, u, RowKey(w.count.pk, w.chain1.pk)),
    "edit value chain 2 part (R1.1)": lambda w, u: _save(w, u, RowKey(w.count.pk, w.chain2.pk)),
    "edit other result (R2.2)": lambda w, u: _save(w, u, RowKey(w.money.pk)),
    "submit": lambda w, u: workflow.quarter_submit(user=u, programme=w.programme, period=Q1, today=IN_Q1),
    "return": lambda w, u: workflow.values_return(
        user=u, programme=w.programme, period=Q1, comments={_submitted_value(w).pk: "why"}
    ),
    "approve": lambda w, u: _approve(w, u),
    "reopen": lambda w, u: workflow.quarter_reopen(user=u, programme=w.programme, period=Q1, reason="late data"),
    "flag": lambda w, u: workflow.value_follow_up_set(user=u, value=_submitted_value(w), flagged=True),
    "set opening date": lambda w, u: workflow.quarter_opening_date_set(
        user=u, programme=w.programme, period=Q1, opens_on=date(2012, 4, 1)
    ),
}

#                                   staff  chain2  all    reviewer emcl   admin  outsider
EXPECTED = {
    "edit own result total (R1.1)": (True, False, True, False, False, True, False),
    "edit value chain 1 part (R1.1)": (True, False, True, False, False, True, False),
    "edit value chain 2 part (R1.1)": (True, True, True, False, False, True, False),
    "edit other result (R2.2)": (False, False, True, False, False, True, False),
    "submit": (True, True, True, False, False, True, False),
    "return": (False, False, False, True, False, True, False),
    "approve": (False, False, False, True, False, True, False),
    "reopen": (False, False, False, True, False, True, False),
    "flag": (True, True, True, True, False, True, False),
    "set opening date": (False, False, False, True, False, True, False),
}

MATRIX = [(action, role, allowed) for action, row in EXPECTED.items() for role, allowed in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize(("action", "role", "allowed"), MATRIX)
def test_permission_matrix_in_the_service(world, action, role, allowed):
    user = getattr(world, role)
    try:
        ACTIONS[action](world, user)
    except PermissionDenied:
        refused = True
    except errors.EntryError:
        refused = False  # permitted, but refused by the workflow (e.g. nothing to submit)
    else:
        refused = False
    assert refused is not allowed


@pytest.mark.parametrize("role", ["staff_chain2", "reviewer", "emcl", "outsider"])
def test_refused_edit_writes_nothing(world, role):
    with pytest.raises(PermissionDenied):
        _save(world, getattr(world, role), RowKey(world.count.pk, world.chain1.pk))
    assert not IndicatorValue.objects.exists()


# --- over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
def live_world():
    """The same world in the current quarter, so that the form is open today."""
    return build_world()


def _pages(w):
    period = str(w.period)
    value = IndicatorValue.objects.create(indicator=w.count, year=w.period.year, quarter=w.period.quarter, value=1)
    code = w.programme.code
    return {
        "entry form": reverse("indicators:entry", args=[code, period]),
        "review page": reverse("indicators:review", args=[code, period]),
        "review queue": reverse("indicators:review_list"),
        "audit log": reverse("indicators:audit_log"),
        "value history": reverse("indicators:value_history", args=[value.pk]),
        "notifications": reverse("indicators:notifications"),
        "my quarters": reverse("indicators:entry_home"),
    }


#                         staff chain2 all  reviewer emcl admin outsider
PAGE_EXPECTED = {
    "entry form": (200, 200, 200, 200, 200, 200, 403),
    "review page": (403, 403, 403, 200, 403, 200, 403),
    "review queue": (403, 403, 403, 200, 403, 200, 403),
    "audit log": (403, 403, 403, 403, 403, 200, 403),
    "value history": (200, 200, 200, 200, 200, 200, 403),
    "notifications": (200, 200, 200, 200, 200, 200, 200),
    "my quarters": (200, 200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("page", list(PAGE_EXPECTED))
def test_pages_per_role(client, live_world, page):
    url = _pages(live_world)[page]
    for role, expected in zip(ROLES, PAGE_EXPECTED[page], strict=True):
        client.force_login(getattr(live_world, role))
        assert client.get(url).status_code == expected, role


@pytest.mark.parametrize("role", ["emcl", "reviewer", "outsider"])
def test_posting_the_form_without_edit_rights_is_refused_and_writes_nothing(client, live_world, role):
    client.force_login(getattr(live_world, role))
    url = reverse("indicators:entry", args=[live_world.programme.code, str(live_world.period)])
    response = client.post(url, {f"r{live_world.count.pk}-0-T-value": "5"})
    assert response.status_code == 403
    assert not IndicatorValue.objects.exists()


def test_staff_post_for_rows_outside_their_scope_writes_nothing(client, live_world):
    client.force_login(live_world.staff_chain2)
    url = reverse("indicators:entry", args=[live_world.programme.code, str(live_world.period)])
    response = client.post(
        url,
        {
            f"r{live_world.count.pk}-{live_world.chain1.pk}-T-value": "5",
            f"r{live_world.money.pk}-0-T-value": "5",
            f"r{live_world.count.pk}-{live_world.chain2.pk}-T-value": "7",
        },
    )
    assert response.status_code == 302
    assert list(IndicatorValue.objects.values_list("chain_id", "value")) == [(live_world.chain2.pk, D("7"))]


@pytest.mark.parametrize(
    ("name", "role"),
    [("submit", "emcl"), ("submit", "reviewer"), ("reopen", "staff"), ("reopen", "emcl"), ("review", "staff")],
)
def test_workflow_posts_refused_for_other_roles(client, live_world, name, role):
    client.force_login(getattr(live_world, role))
    url = reverse(f"indicators:{name}", args=[live_world.programme.code, str(live_world.period)])
    assert client.post(url, {"reason": "x", "approve": "1"}).status_code == 403


def test_a_refusal_reaches_the_reader_in_their_language_on_the_page_and_in_the_api(client, live_world, monkeypatch):
    # A msgid the catalogue already translates stands in for the guard's message constant, so that
    # the test shows the 403 page and the API error translate whatever access_* raised.
    monkeypatch.setattr(permissions, "MSG_CANNOT_WRITE", "Follow-up flag updated.")
    with translation.override("es"):
        spanish = translation.gettext("Follow-up flag updated.")
    assert spanish != "Follow-up flag updated."
    code, period = live_world.programme.code, str(live_world.period)
    client.force_login(live_world.emcl)
    page = client.post(reverse("indicators:submit", args=[code, period]), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 403 and spanish in page.content.decode()
    api = APIClient()
    api.force_authenticate(live_world.emcl)
    url = f"/api/v1/programmes/{code}/quarters/{period}/submit/"
    response = api.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 403 and response.json()["error"]["message"] == spanish


def test_follow_up_post_refused_for_emcl(client, live_world):
    value = IndicatorValue.objects.create(indicator=live_world.count, year=2012, quarter=1, value=1)
    client.force_login(live_world.emcl)
    assert client.post(reverse("indicators:follow_up", args=[value.pk]), {"flagged": "on"}).status_code == 403
    value.refresh_from_db()
    assert not value.follow_up


def _entry_urls():
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            for inner in pattern.url_patterns:
                if isinstance(inner, URLResolver) and getattr(inner, "app_name", "") == "indicators":
                    yield from (p for p in inner.url_patterns if isinstance(p, URLPattern))


def test_every_entry_url_requires_login(client, live_world):
    """A walk over the URL configuration: a view that forgot its guard shows up here."""
    kwargs = {"code": live_world.programme.code, "period": str(current_quarter()), "pk": 1, "year": 2011}
    patterns = list(_entry_urls())
    assert len(patterns) >= 9
    for pattern in patterns:
        names = pattern.pattern.regex.groupindex
        url = reverse(f"indicators:{pattern.name}", kwargs={k: v for k, v in kwargs.items() if k in names})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 405), url
            if response.status_code == 302:
                assert response.url.startswith("/accounts/login/"), url
