"""Factories for report tests: a small programme with a logframe, indicators, values and report content."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

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
    StatedScore,
)
from reports.models import NarrativeSection, QualityCriterion, Recommendation, Risk


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-report-test")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"TST{n:04d}")
    name = factory.Sequence(lambda n: f"Programa de prueba {n}")
    belgian_contribution = Decimal("1000000.00")
    partner_contribution = Decimal("50000.00")
    start_effective = date(2009, 1, 1)
    # The programme's life (Programme.years) is 2009–2012: its reports are those years'.
    end_planned = date(2012, 12, 31)


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"R{n + 1}")
    kind = Result.Kind.RESULT
    order = factory.Sequence(lambda n: n + 1)
    statement = factory.Sequence(lambda n: f"Resultado {n + 1}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    code = factory.Sequence(lambda n: f"I{n}")
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Indicador {n}")
    unit_kind = Indicator.UnitKind.COUNT
    aggregation = Indicator.Aggregation.LATEST
    baseline = Decimal("10")
    final_target = Decimal("100")


class ValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 0
    value = Decimal("50")
    status = IndicatorValue.Status.APPROVED


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 0
    value = Decimal("80")


def membership(user, programme, role) -> Membership:
    return Membership.objects.create(user=user, programme=programme, role=role, all_scope=role == "staff")


def small_programme(year: int = 2011, indicators_per_result: int = 2) -> Programme:
    """OE + R1–R2, indicators with values and targets, stated scores, ratings, risks, narratives."""
    programme = ProgrammeFactory()
    oe = ResultFactory(programme=programme, code="OE", kind=Result.Kind.SPECIFIC_OBJECTIVE, order=0)
    results = [ResultFactory(programme=programme, code=f"R{i}", order=i) for i in (1, 2)]
    for level in [oe, *results]:
        for i in range(indicators_per_result):
            ind = IndicatorFactory(result=level, code=f"{level.code}.{i + 1}", order=i + 1)
            ValueFactory(indicator=ind, year=year - 1, value=Decimal("30"))
            ValueFactory(indicator=ind, year=year, value=Decimal("60") + i)
            TargetFactory(indicator=ind, year=year, value=Decimal("80"))
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
        activity = Activity.objects.create(result=level, code=f"A/{level.code}", name=f"Actividad {level.code}")
        ActivityRating.objects.create(activity=activity, year=year, rating="B")
    NarrativeSection.objects.create(programme=programme, year=year, key="context", text="Contexto del año.")
    return programme
