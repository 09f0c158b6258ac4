"""Shared test-data factories (factory_boy). Small, explicit programmes; the seed stays for fidelity tests.

Others may add factories here: append, keep each one minimal.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from chains.models import ValueChain
from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Membership, Programme, Result

TEST_PASSWORD = "pw-entry-tests-2011"


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
        else:
            self.set_unusable_password()
        if create:
            self.save()


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TEST{n:04d}")
    name = factory.LazyAttribute(lambda p: f"Programme {p.code}")
    belgian_contribution = Decimal("1000000.00")


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
    name = factory.Sequence(lambda n: f"Chain {n}")
    order = factory.Sequence(lambda n: n)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    result = factory.SubFactory(ResultFactory)
    code = factory.Sequence(lambda n: f"I{n + 1}")
    order = factory.Sequence(lambda n: n)
    name = factory.LazyAttribute(lambda i: f"Indicator {i.code}")
    unit_kind = Indicator.UnitKind.COUNT
    aggregation = Indicator.Aggregation.SUM


class IndicatorTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2012
    quarter = 0
    value = Decimal("100")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2012
    quarter = 1
    value = Decimal("10")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = Membership.Role.STAFF

    @factory.post_generation
    def results(self, create, extracted, **kwargs):
        if create and extracted:
            self.results.set(extracted)

    @factory.post_generation
    def chains(self, create, extracted, **kwargs):
        if create and extracted:
            self.chains.set(extracted)
