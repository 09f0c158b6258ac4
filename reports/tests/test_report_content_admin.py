"""The report's content in the Django admin (a superuser): risks, quality criteria, recommendations,
EMCL decisions, lessons learned and activity ratings change only through reports.services.

A draft year's item is edited, deleted (one or in bulk) and reverted with its author in the history;
an approved year's item shows read-only with the reason, and every write of it is refused with
nothing changed and no history written.
"""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cse_monitor.lib.messages import translated
from indicators.models import Activity, ActivityRating, Result
from reports import services
from reports.admin import MSG_NOTHING_DELETED
from reports.models import EmclDecision, LessonLearned, QualityCriterion, Recommendation, Risk
from tests.factories import UserFactory, small_programme
from tests.factories import report_content_item as new_item

DRAFT, APPROVED = 2010, 2011
# Each model of the report's content, with a free-text field the tests change.
CONTENT = [
    pytest.param(model, field, id=model._meta.model_name)
    for model, field in [
        (Risk, "description"),
        (QualityCriterion, "comment"),
        (Recommendation, "text"),
        (EmclDecision, "decision"),
        (LessonLearned, "text"),
        (ActivityRating, "comment"),
    ]
]


def history_after(model, mark: int | None = None):
    """History rows of ``model`` written after ``mark`` (a history_id); without it, the mark now.

    Other modules leave deletion records behind (the seed programme is removed with its content),
    and SQLite reuses ids: only rows written during the test are the test's.
    """
    latest = model.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
    return latest if mark is None else model.history.filter(history_id__gt=mark)


def _url(obj, view: str, *args) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args or [obj.pk])


def _form_data(obj, **changes) -> dict:
    """The change form as the admin posts it: every editable field with its stored value, then ``changes``."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.editable and not field.primary_key:
            value = field.value_from_object(obj)
            data[field.name] = "" if value is None else value
    data.update(changes)
    return data


def _stored(obj) -> dict:
    return type(obj).objects.filter(pk=obj.pk).values().first()


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


LOCKED = services.MSG_APPROVED_LOCKED  # compared translated, in the language the pages answer in


@pytest.fixture
def programme(db):
    return small_programme(year=APPROVED)


@pytest.fixture
def superuser(client, db):
    user = UserFactory(username="site-admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def approve(programme):
    """Approve the programme's report of ``year`` by the EMCL (the service the report page calls)."""

    def approve_year(year: int = APPROVED) -> None:
        emcl = UserFactory(username=f"emcl-{year}")
        services.report_approve(programme=programme, year=year, session_date=date(year + 1, 2, 20), user=emcl)

    return approve_year


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_editing_an_item_of_a_draft_year_is_saved_with_its_author_in_the_history(
    client, superuser, programme, model, field
):
    item = new_item(model, programme, DRAFT)
    response = client.post(
        _url(item, "change"), _form_data(item, **{field: "Cambiado en el admin", "change_reason": "Acta corregida"})
    )
    assert response.status_code == 302, response.content[:2000]
    item.refresh_from_db()
    assert getattr(item, field) == "Cambiado en el admin"
    last = item.history.latest("history_date")
    assert (last.history_type, last.history_user, last.history_change_reason) == ("~", superuser, "Acta corregida")
    assert getattr(last, field) == "Cambiado en el admin"
    history_page = client.get(_url(item, "history"))
    assert history_page.status_code == 200
    assert "site-admin" in history_page.content.decode() and "Acta corregida" in history_page.content.decode()


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_an_item_of_an_approved_year_shows_read_only_and_its_edit_is_refused(
    client, superuser, programme, approve, model, field
):
    item = new_item(model, programme, APPROVED)
    approve()
    before, versions = _stored(item), item.history.count()
    page = client.get(_url(item, "change"))
    assert page.status_code == 200
    assert f'name="{field}"' not in page.content.decode()
    assert translated(LOCKED) in _messages(page)

    response = client.post(_url(item, "change"), _form_data(item, **{field: "Cambiado en el admin"}))
    assert response.status_code == 302 and response.url == _url(item, "change")
    assert translated(LOCKED) in _messages(response)
    assert _stored(item) == before and item.history.count() == versions


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_moving_an_item_into_an_approved_year_is_refused(client, superuser, programme, approve, model, field):
    item = new_item(model, programme, DRAFT)
    approve()
    before = _stored(item)
    response = client.post(_url(item, "change"), _form_data(item, year=APPROVED, **{field: "Movido"}))
    assert response.status_code == 200
    assert translated(LOCKED) in response.content.decode()
    assert _stored(item) == before


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_adding_an_item_to_an_approved_year_is_refused(client, superuser, programme, approve, model, field):
    template = new_item(model, programme, DRAFT)
    approve()
    data = _form_data(template, year=APPROVED, **{field: "Añadido en el admin"})
    if model is ActivityRating:
        data["activity"] = Activity.objects.create(result=template.activity.result, code="A/NEW", name="Nueva").pk
    before = model.objects.count()
    response = client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"), data)
    assert response.status_code == 200
    assert translated(LOCKED) in response.content.decode()
    assert model.objects.count() == before


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_a_year_outside_the_programme_is_refused_with_its_years(client, superuser, programme, model, field):
    item = new_item(model, programme, DRAFT)
    before = _stored(item)
    response = client.post(_url(item, "change"), _form_data(item, year=2031))
    assert response.status_code == 200
    assert translated(services.year_outside_message(programme, 2031)) in response.content.decode()
    assert _stored(item) == before


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_deleting_an_item_of_a_draft_year_keeps_it_in_the_history_with_its_author(
    client, superuser, programme, model, field
):
    item = new_item(model, programme, DRAFT)
    assert client.get(_url(item, "delete")).status_code == 200
    response = client.post(_url(item, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not model.objects.filter(pk=item.pk).exists()
    last = model.history.filter(id=item.pk).latest("history_date")
    assert (last.history_type, last.history_user) == ("-", superuser)


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_deleting_an_item_of_an_approved_year_is_refused(client, superuser, programme, approve, model, field):
    item = new_item(model, programme, APPROVED)
    approve()
    versions = item.history.count()
    for response in (client.get(_url(item, "delete")), client.post(_url(item, "delete"), {"post": "yes"})):
        assert response.status_code == 302 and response.url == _url(item, "change")
        assert translated(LOCKED) in _messages(response)
    assert model.objects.filter(pk=item.pk).exists() and item.history.count() == versions


def _bulk_delete(client, model, items, confirm: bool):
    data = {"action": "delete_selected", "_selected_action": [item.pk for item in items]}
    if confirm:
        data["post"] = "yes"
    return client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), data)


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_bulk_delete_with_an_item_of_an_approved_year_deletes_nothing(
    client, superuser, programme, approve, model, field
):
    draft, approved = new_item(model, programme, DRAFT), new_item(model, programme, APPROVED)
    approve()
    mark = history_after(model)
    for confirm in (False, True):
        response = _bulk_delete(client, model, [draft, approved], confirm)
        assert response.status_code == 302
        assert translated(MSG_NOTHING_DELETED).format(count=1) in _messages(response)
    assert model.objects.filter(pk__in=[draft.pk, approved.pk]).count() == 2
    assert not history_after(model, mark).exists()


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_bulk_delete_of_draft_items_goes_through_the_service(client, superuser, programme, approve, model, field):
    items = [new_item(model, programme, DRAFT), new_item(model, programme, 2009)]
    approve()
    mark = history_after(model)
    confirmation = _bulk_delete(client, model, items, confirm=False)
    assert confirmation.status_code == 200  # Django's "are you sure?" page
    response = _bulk_delete(client, model, items, confirm=True)
    assert response.status_code == 302
    assert not model.objects.filter(pk__in=[item.pk for item in items]).exists()
    deleted = history_after(model, mark)
    assert sorted((row.id, row.history_type, row.history_user) for row in deleted) == sorted(
        (item.pk, "-", superuser) for item in items
    )


def test_reverting_a_risk_goes_through_the_service_and_is_refused_once_approved(client, superuser, programme, approve):
    risk = new_item(Risk, programme, APPROVED)
    client.post(_url(risk, "change"), _form_data(risk, description="Segunda versión"))
    risk.refresh_from_db()
    first = risk.history.earliest("history_date")
    assert first.description != "Segunda versión"
    revert = _url(risk, "simple_history", risk.pk, first.history_id)

    response = client.post(revert, _form_data(first.instance))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.description == first.description
    assert risk.history.latest("history_date").history_user == superuser

    client.post(_url(risk, "change"), _form_data(risk, description="Tercera versión"))
    approve()
    versions = risk.history.count()
    response = client.post(revert, _form_data(first.instance))
    assert response.status_code == 200 and translated(LOCKED) in response.content.decode()
    risk.refresh_from_db()
    assert risk.description == "Tercera versión" and risk.history.count() == versions


def test_an_emcl_decision_status_changed_in_the_list_is_refused_only_for_an_approved_year(
    client, superuser, programme, approve
):
    draft, approved = new_item(EmclDecision, programme, DRAFT), new_item(EmclDecision, programme, APPROVED)
    approve()
    changelist = reverse("admin:reports_emcldecision_changelist")
    rows = [draft, approved]
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "_save": "Save"}
    for i, row in enumerate(rows):
        data |= {f"form-{i}-id": row.pk, f"form-{i}-status": EmclDecision.Status.EXECUTED}
    response = client.post(changelist, data)
    assert response.status_code == 200 and translated(LOCKED) in response.content.decode()
    assert set(EmclDecision.objects.filter(pk__in=[draft.pk, approved.pk]).values_list("status", flat=True)) == {
        EmclDecision.Status.PENDING
    }

    # The list posts every row of the page: the approved year's row, unchanged, does not stand in the way.
    response = client.post(changelist, {**data, "form-1-status": EmclDecision.Status.PENDING})
    assert response.status_code == 302
    draft.refresh_from_db()
    approved.refresh_from_db()
    assert (draft.status, approved.status) == (EmclDecision.Status.EXECUTED, EmclDecision.Status.PENDING)
    assert draft.history.latest("history_date").history_user == superuser


def test_an_activity_shows_its_ratings_read_only_and_is_not_deleted_with_an_approved_rating(
    client, superuser, programme, approve
):
    rating = ActivityRating.objects.get(activity__result__programme=programme, activity__code="A/R1", year=APPROVED)
    approve()
    activity_page = client.get(reverse("admin:indicators_activity_change", args=[rating.activity_id]))
    assert activity_page.status_code == 200
    assert 'name="ratings-0-rating"' not in activity_page.content.decode()
    response = client.post(reverse("admin:indicators_activity_delete", args=[rating.activity_id]), {"post": "yes"})
    assert response.status_code == 403
    assert ActivityRating.objects.filter(pk=rating.pk).exists()
    assert Result.objects.filter(pk=rating.activity.result_id).exists()


def test_a_past_version_whose_result_was_deleted_still_shows(client, superuser, programme):
    risk = new_item(Risk, programme, DRAFT)
    version = risk.history.get()
    result = risk.result
    result.indicators.all().delete()  # PROTECTed by their values' history otherwise
    result.delete()
    assert not Risk.objects.filter(pk=risk.pk).exists()
    response = client.get(_url(risk, "simple_history", risk.pk, version.history_id))
    assert response.status_code == 200
    assert risk.description in response.content.decode()
