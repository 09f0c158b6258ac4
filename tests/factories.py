"""The test-data factories (factory_boy) of every app's tests: small, explicit data; the seed stays for fidelity tests.

One factory per model, one default per field. A test that needs another value passes it
(``IndicatorFactory(aggregation=Indicator.Aggregation.LATEST)``) rather than relying on a
different default. The defaults:

- a programme has no dates, so no life (``Programme.years`` is empty): a test about reports or
  yearly workbooks gives it ``start_effective``/``end_planned``;
- an indicator counts and adds its quarters (COUNT, SUM), with no unit, baseline or final target;
- values and targets are of the whole year 2011 (quarter 0); a value is approved;
- a user has no usable password (hashing is slow on purpose): a test that logs in by password
  passes ``password=TEST_PASSWORD``; the others use ``client.force_login``.

Below the factories, ready-made data: ``membership``, ``member``, ``small_programme`` and
``report_content_item``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from chains.models import ValueChain
from indicators.models import (
    Activity,
    ActivityRating,
    Indicator,
    IndicatorComment,
    IndicatorTarget,
    IndicatorValue,
    Membership,
    Programme,
    Result,
    StatedAchievement,
    StatedScore,
    Task,
)
from reports.models import EmclDecision, LessonLearned, NarrativeSection, QualityCriterion, Recommendation, Risk

TEST_PASSWORD = "pw-for-tests-2011"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        # Hashing is slow on purpose; only users who log in with a password get one (UserFactory(password=...)).
        if extracted:
            self.set_password(extracted)
        elif not self.password:
            self.set_unusable_password()
        else:
            return  # an existing user (get or create by username) keeps the password its sessions depend on
        if create:
            self.save()


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PRG{n:04d}")
    name = factory.LazyAttribute(lambda p: f"Programme {p.code}")
    belgian_contribution = Decimal("1000000.00")
    partner_contribution = Decimal("0")
    start_effective = None
    end_planned = None


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"R{n + 1}")
    kind = Result.Kind.RESULT
    order = factory.Sequence(lambda n: n + 1)
    statement = factory.LazyAttribute(lambda r: f"Result {r.code}")


class ValueChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueChain

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"chain-{n}")
    name = factory.LazyAttribute(lambda c: c.slug.replace("-", " ").capitalize())
    order = factory.Sequence(lambda n: n)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    code = factory.Sequence(lambda n: f"I{n + 1}")
    order = factory.Sequence(lambda n: n)
    name = factory.LazyAttribute(lambda i: f"Indicator {i.code}")
    unit_kind = Indicator.UnitKind.COUNT
    unit = ""
    aggregation = Indicator.Aggregation.SUM
    baseline = None
    final_target = None


class IndicatorTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 0
    value = Decimal("100")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 0
    value = Decimal("10")
    status = IndicatorValue.Status.APPROVED


class StatedAchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatedAchievement

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 1
    achievement = Decimal("1.52")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    result = factory.SubFactory(ResultFactory)
    code = factory.Sequence(lambda n: f"A{n + 1}")
    name = factory.LazyAttribute(lambda a: f"Activity {a.code}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    activity = factory.SubFactory(ActivityFactory)
    year = 2011
    quarter = 1
    name = factory.Sequence(lambda n: f"Task {n + 1}")


class ActivityRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityRating

    activity = factory.SubFactory(ActivityFactory)
    year = 2011
    rating = "B"


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    result = factory.SubFactory(ResultFactory)
    year = 2011
    description = factory.Sequence(lambda n: f"Risk {n + 1}")
    probability = "Medio"
    level = "B"


class QualityCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityCriterion

    result = factory.SubFactory(ResultFactory)
    year = 2011
    criterion = QualityCriterion.Criterion.EFFICACY
    rating = "B"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    result = factory.SubFactory(ResultFactory)
    year = 2011
    text = factory.Sequence(lambda n: f"Recommendation {n + 1}")


class EmclDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmclDecision

    programme = factory.SubFactory(ProgrammeFactory)
    year = 2011
    decision = factory.Sequence(lambda n: f"Decision {n + 1}")
    source = "Acta EMCL del 18.02.2011"


class LessonLearnedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonLearned

    programme = factory.SubFactory(ProgrammeFactory)
    year = 2011
    group = "R1"
    text = factory.Sequence(lambda n: f"Lesson {n + 1}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = Membership.Role.STAFF
    all_scope = False

    @factory.post_generation
    def results(self, create, extracted, **kwargs):
        if create and extracted:
            self.results.set(extracted)

    @factory.post_generation
    def chains(self, create, extracted, **kwargs):
        if create and extracted:
            self.chains.set(extracted)


# ---------------------------------------------------------------------------------------------
# Ready-made data.


def membership(user, programme: Programme, role: str = Membership.Role.STAFF) -> Membership:
    """``user`` gets ``role`` in ``programme``; as staff, with every result, chain and region in scope."""
    return MembershipFactory(user=user, programme=programme, role=role, all_scope=True)


def member(programme: Programme, role: str = Membership.Role.STAFF, username: str | None = None):
    """A new user with ``role`` in ``programme`` (see ``membership``), named ``<role>-<code>`` unless told."""
    user = UserFactory(username=username or f"{role}-{programme.code}")
    membership(user, programme, role)
    return user


def small_programme(year: int = 2011, indicators_per_result: int = 2) -> Programme:
    """A programme living 2009–2012 with OE + R1–R2, indicators with values and targets, stated scores,
    ratings, risks, narratives: enough for every section of a report of ``year``."""
    programme = ProgrammeFactory(
        partner_contribution=Decimal("50000.00"), start_effective=date(2009, 1, 1), end_planned=date(2012, 12, 31)
    )
    oe = ResultFactory(programme=programme, code="OE", kind=Result.Kind.SPECIFIC_OBJECTIVE, order=0)
    results = [ResultFactory(programme=programme, code=f"R{i}", order=i) for i in (1, 2)]
    for level in [oe, *results]:
        for i in range(indicators_per_result):
            ind = IndicatorFactory(
                result=level,
                code=f"{level.code}.{i + 1}",
                order=i + 1,
                aggregation=Indicator.Aggregation.LATEST,
                baseline=Decimal("10"),
                final_target=Decimal("100"),
            )
            IndicatorValueFactory(indicator=ind, year=year - 1, value=Decimal("30"))
            IndicatorValueFactory(indicator=ind, year=year, value=Decimal("60") + i)
            IndicatorTargetFactory(indicator=ind, year=year, value=Decimal("80"))
            IndicatorComment.objects.create(indicator=ind, year=year, text=f"Comentario {ind.code}")
        StatedScore.objects.create(
            result=level,
            year=year,
            efficacy=Decimal("0.73"),
            efficiency=Decimal("1.23"),
            sustainability=Decimal("0.48"),
        )
        Risk.objects.create(result=level, year=year, description=f"Riesgo {level.code}", probability="Medio", level="B")
        QualityCriterion.objects.create(result=level, year=year, criterion="efficacy", rating="C", comment="Medio")
        Recommendation.objects.create(result=level, year=year, text=f"Recomendación {level.code}", actor="UGCP")
    for level in results:
        activity = ActivityFactory(result=level, code=f"A/{level.code}", name=f"Actividad {level.code}")
        ActivityRating.objects.create(activity=activity, year=year, rating="B")
    NarrativeSection.objects.create(programme=programme, year=year, key="context", text="Contexto del año.")
    return programme


def report_content_item(model, programme: Programme, year: int):
    """A new item of the report content ``model`` in ``programme``'s report of ``year``.

    Items of a result hang from R1 (as ``small_programme`` makes it), a rating from a new activity of
    R1, and a quality criterion rates efficiency (``small_programme``'s rate efficacy).
    """
    r1 = programme.results.get(code="R1")
    made = {
        Risk: lambda: RiskFactory(result=r1, year=year),
        QualityCriterion: lambda: QualityCriterionFactory(
            result=r1, year=year, criterion=QualityCriterion.Criterion.EFFICIENCY
        ),
        Recommendation: lambda: RecommendationFactory(result=r1, year=year),
        EmclDecision: lambda: EmclDecisionFactory(programme=programme, year=year),
        LessonLearned: lambda: LessonLearnedFactory(programme=programme, year=year),
        ActivityRating: lambda: ActivityRatingFactory(activity__result=r1, year=year, rating="C", comment="Retraso"),
    }
    return made[model]()
