"""reports.services for the report's content besides the narratives: the approved report's lock and
the history of every write (author and reason), for each content model."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from indicators.models import ActivityRating, Task
from reports import services
from reports.models import EmclDecision, LessonLearned, QualityCriterion, Recommendation, Risk
from reports.tests.test_report_content_admin import APPROVED, CONTENT, DRAFT, history_after
from tests.factories import UserFactory, small_programme
from tests.factories import report_content_item as new_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return small_programme(year=APPROVED)


@pytest.fixture
def editor():
    return UserFactory(username="editor")


def _approve(programme, year: int = APPROVED) -> None:
    services.report_approve(
        programme=programme, year=year, session_date=date(year + 1, 2, 20), user=UserFactory(username="emcl")
    )


def _stored(obj) -> dict:
    return type(obj).objects.filter(pk=obj.pk).values().first()


def _locked_message(error: pytest.ExceptionInfo) -> bool:
    return error.value.messages == [str(services.MSG_APPROVED_LOCKED)]


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_a_save_records_its_author_and_reason(programme, editor, model, field):
    item = new_item(model, programme, DRAFT)
    setattr(item, field, "Nueva redacción")
    services.report_content_save(instance=item, user=editor, reason="  Según el acta  ")
    assert _stored(item)[field] == "Nueva redacción"
    last = item.history.latest("history_date")
    assert (last.history_type, last.history_user, last.history_change_reason) == ("~", editor, "Según el acta")


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_an_approved_years_item_is_neither_changed_nor_deleted(programme, editor, model, field):
    item = new_item(model, programme, APPROVED)
    _approve(programme)
    before, versions = _stored(item), item.history.count()
    setattr(item, field, "Cambiado tras la aprobación")
    with pytest.raises(ValidationError) as refused:
        services.report_content_save(instance=item, user=editor)
    assert _locked_message(refused)
    with pytest.raises(ValidationError) as refused:
        services.report_content_delete(instance=item, user=editor)
    assert _locked_message(refused)
    assert _stored(item) == before and item.history.count() == versions


@pytest.mark.parametrize(("model", "field"), CONTENT)
def test_an_item_moves_neither_into_nor_out_of_an_approved_year(programme, editor, model, field):
    into, out_of = new_item(model, programme, DRAFT), new_item(model, programme, APPROVED)
    _approve(programme)
    into.year, out_of.year = APPROVED, 2009
    if model is QualityCriterion:
        into.criterion = QualityCriterion.Criterion.RELEVANCE  # a move, not a duplicate of out_of's
    for item in (into, out_of):
        before = _stored(item)
        with pytest.raises(ValidationError) as refused:
            services.report_content_save(instance=item, user=editor)
        assert _locked_message(refused) and _stored(item) == before


def test_a_new_item_of_an_approved_year_is_refused(programme, editor):
    _approve(programme)
    risk = Risk(result=programme.results.get(code="R2"), year=APPROVED, description="Nuevo", probability="Alto")
    risk.level = "C"
    with pytest.raises(ValidationError) as refused:
        services.report_content_save(instance=risk, user=editor)
    assert _locked_message(refused)
    assert not Risk.objects.filter(description="Nuevo").exists()


def test_reopening_the_report_lets_its_content_change_again(programme, editor):
    risk = new_item(Risk, programme, APPROVED)
    _approve(programme)
    risk.description = "Tras la reapertura"
    with pytest.raises(ValidationError):
        services.report_content_save(instance=risk, user=editor)
    services.report_reopen(programme=programme, year=APPROVED, reason="Corregir un riesgo", user=editor)
    services.report_content_save(instance=risk, user=editor, reason="Corrección pedida por la EMCL")
    assert _stored(risk)["description"] == "Tras la reapertura"


def test_another_programmes_approval_does_not_lock(programme, editor):
    other = small_programme(year=APPROVED)
    _approve(other)
    risk = new_item(Risk, programme, APPROVED)
    risk.description = "Sigue abierto"
    services.report_content_save(instance=risk, user=editor)
    assert _stored(risk)["description"] == "Sigue abierto"


def test_delete_many_is_all_or_nothing(programme, editor):
    draft, approved = new_item(Recommendation, programme, DRAFT), new_item(Recommendation, programme, APPROVED)
    _approve(programme)
    mark = history_after(Recommendation)
    with pytest.raises(ValidationError):
        services.report_content_delete_many(
            instances=Recommendation.objects.filter(pk__in=[draft.pk, approved.pk]).order_by("year"), user=editor
        )
    assert Recommendation.objects.filter(pk__in=[draft.pk, approved.pk]).count() == 2
    assert not history_after(Recommendation, mark).exists()

    other_draft = new_item(Recommendation, programme, 2009)
    mark = history_after(Recommendation)
    deleted = services.report_content_delete_many(
        instances=Recommendation.objects.filter(pk__in=[draft.pk, other_draft.pk]), user=editor, reason="Duplicadas"
    )
    assert deleted == 2
    rows = history_after(Recommendation, mark)
    assert sorted((row.id, row.history_type, row.history_user, row.history_change_reason) for row in rows) == sorted(
        (pk, "-", editor, "Duplicadas") for pk in (draft.pk, other_draft.pk)
    )


def test_a_year_outside_the_programme_is_refused(programme, editor):
    lesson = new_item(LessonLearned, programme, DRAFT)
    lesson.year = 2031
    with pytest.raises(ValidationError) as refused:
        services.report_content_save(instance=lesson, user=editor)
    assert refused.value.messages == [services.year_outside_message(programme, 2031)]
    assert _stored(lesson)["year"] == DRAFT


def test_the_models_rules_hold_for_every_caller(programme, editor):
    """full_clean: a second criterion of the same kind, an unknown rating, a missing decision text."""
    existing = QualityCriterion.objects.filter(result__programme=programme, year=APPROVED).first()
    duplicate = QualityCriterion(result=existing.result, year=APPROVED, criterion=existing.criterion, rating="A")
    rating = ActivityRating.objects.filter(activity__result__programme=programme).first()
    rating.rating = "Z"
    decision = EmclDecision(programme=programme, year=DRAFT, decision="", source="Acta")
    for instance in (duplicate, rating, decision):
        with pytest.raises(ValidationError):
            services.report_content_save(instance=instance, user=editor)
    assert QualityCriterion.objects.filter(result=existing.result, year=APPROVED).count() == 1
    assert ActivityRating.objects.get(pk=rating.pk).rating == "B"
    assert not EmclDecision.objects.exists()


def test_an_unchanged_save_writes_no_history(programme, editor):
    decision = new_item(EmclDecision, programme, DRAFT)
    versions = decision.history.count()
    services.report_content_save(instance=EmclDecision.objects.get(pk=decision.pk), user=editor)
    assert decision.history.count() == versions


def test_a_too_long_reason_is_refused(programme, editor):
    risk = new_item(Risk, programme, DRAFT)
    risk.description = "Cambiado"
    with pytest.raises(ValidationError) as refused:
        services.report_content_save(instance=risk, user=editor, reason="x" * (services.CHANGE_REASON_MAX_CHARS + 1))
    assert refused.value.code == "max_length"
    assert _stored(risk)["description"] != "Cambiado"


def test_other_models_are_not_report_content(programme, editor):
    with pytest.raises(TypeError):
        services.report_content_save(instance=Task(), user=editor)
