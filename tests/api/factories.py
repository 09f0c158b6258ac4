"""Factories for the API tests."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from chains.models import ValueChain
from indicators.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Membership,
    Programme,
    Result,
    StatedAchievement,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-123")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PRG{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Programme {o.code}")
    belgian_contribution = Decimal("3550151.99")


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"R{n + 1}")
    kind = Result.Kind.RESULT
    order = factory.Sequence(lambda n: n + 1)
    statement = factory.LazyAttribute(lambda o: f"Result {o.code}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    code = factory.Sequence(lambda n: f"X.{n + 1}")
    order = factory.Sequence(lambda n: n)
    name = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    unit_kind = Indicator.UnitKind.COUNT
    unit = "units"
    aggregation = Indicator.Aggregation.SUM


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueChain

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"chain-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())
    order = factory.Sequence(lambda n: n)


class ValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 0
    value = Decimal("10")
    status = IndicatorValue.Status.APPROVED


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 0
    value = Decimal("20")


class StatedAchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatedAchievement

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2011
    quarter = 1
    achievement = Decimal("1.52")


def member(user, programme, role=Membership.Role.STAFF):
    return Membership.objects.create(user=user, programme=programme, role=role, all_scope=True)
