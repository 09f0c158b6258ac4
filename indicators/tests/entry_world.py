"""A small programme for the entry tests: two results, two value chains, four indicators, one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from indicators.models import Indicator, Membership, Programme, Result
from indicators.periods import Period
from tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    MembershipFactory,
    ProgrammeFactory,
    ResultFactory,
    UserFactory,
    ValueChainFactory,
)


def current_quarter(today: date | None = None) -> Period:
    return Period.containing(today or timezone.localdate())


@dataclass
class World:
    programme: Programme
    r1: Result
    r2: Result
    chain1: object
    chain2: object
    count: Indicator  # R1, count, by value chain, SUM, target 100
    people: Indicator  # R1, count with share of women, by sex
    rate: Indicator  # R2, percentage, expected range 10–90
    money: Indicator  # R2, money
    staff: object  # R1
    staff_chain2: object  # value chain 2 only
    staff_all: object
    reviewer: object
    emcl: object
    admin: object
    outsider: object
    period: Period


def build_world(code: str = "PER0601011", period: Period | None = None) -> World:
    period = period or current_quarter()
    programme = ProgrammeFactory(code=code, name="Programa CSE (test)")
    r1 = ResultFactory(programme=programme, code="R1", order=1)
    r2 = ResultFactory(programme=programme, code="R2", order=2)
    chain1 = ValueChainFactory(programme=programme, slug="papa-nativa", name="Papa nativa", order=1)
    chain2 = ValueChainFactory(programme=programme, slug="tara", name="Tara", order=2)
    count = IndicatorFactory(
        result=r1, code="R1.1", name="Empresas con servicios", disaggregated_by_chain=True, baseline=Decimal("0")
    )
    people = IndicatorFactory(
        result=r1,
        code="R1.2",
        name="Productores capacitados",
        unit_kind=Indicator.UnitKind.COUNT_SHARE,
        disaggregated_by_sex=True,
    )
    rate = IndicatorFactory(
        result=r2,
        code="R2.1",
        name="Satisfacción",
        unit_kind=Indicator.UnitKind.PERCENTAGE,
        aggregation=Indicator.Aggregation.LATEST,
        expected_min=Decimal("10"),
        expected_max=Decimal("90"),
    )
    money = IndicatorFactory(result=r2, code="R2.2", name="Ventas", unit_kind=Indicator.UnitKind.MONEY, unit="S/.")
    IndicatorTargetFactory(indicator=count, year=period.year, value=Decimal("100"))
    IndicatorTargetFactory(indicator=rate, year=period.year, value=Decimal("80"))

    def member(username, role, **kwargs):
        user = UserFactory(username=username)
        MembershipFactory(user=user, programme=programme, role=role, **kwargs)
        return user

    return World(
        programme=programme,
        r1=r1,
        r2=r2,
        chain1=chain1,
        chain2=chain2,
        count=count,
        people=people,
        rate=rate,
        money=money,
        staff=member("staff", Membership.Role.STAFF, results=[r1]),
        staff_chain2=member("staff_tara", Membership.Role.STAFF, chains=[chain2]),
        staff_all=member("staff_all", Membership.Role.STAFF, all_scope=True),
        reviewer=member("reviewer", Membership.Role.REVIEWER),
        emcl=member("emcl", Membership.Role.EMCL),
        admin=member("admin", Membership.Role.ADMIN),
        outsider=UserFactory(username="outsider"),
        period=period,
    )


@dataclass
class RegionWorld:
    """The world plus three regions (beneficiary districts in Apurímac, Ayacucho, Huancavelica),
    an R2 count disaggregated by region, an R2 ratio (also by region) and staff assigned regions only."""

    world: World
    by_region: Indicator  # R2, count, by region, SUM
    ratio: Indicator  # R2, percentage entered as numerator ÷ denominator, by region
    staff_ayacucho: object  # region 05 only
    staff_apurimac: object  # region 03 only


REGIONS = {"03": "Apurímac", "05": "Ayacucho", "09": "Huancavelica"}


def add_regions(world: World) -> RegionWorld:
    from municipalities.models import BeneficiaryDistrict, District

    for ubigeo, department in (("030101", "Apurímac"), ("050101", "Ayacucho"), ("050102", ""), ("090101", "")):
        district = District.objects.get(ubigeo=ubigeo)
        BeneficiaryDistrict.objects.create(
            programme=world.programme,
            district=district,
            department_label=department,  # empty: the register's name stands in ("HUANCAVELICA" -> "Huancavelica")
            province_label=district.province,
            district_label=district.name,
            target_population=1000,
        )
    by_region = IndicatorFactory(
        result=world.r2, code="R2.3", name="Convenios por región", disaggregated_by_region=True
    )
    ratio = IndicatorFactory(
        result=world.r2,
        code="R2.4",
        name="Productores que aplican tecnologías",
        unit_kind=Indicator.UnitKind.PERCENTAGE,
        unit="%",
        aggregation=Indicator.Aggregation.RATIO,
        disaggregated_by_region=True,
    )

    def member(username, regions):
        user = UserFactory(username=username)
        MembershipFactory(user=user, programme=world.programme, role=Membership.Role.STAFF, regions=regions)
        return user

    return RegionWorld(
        world=world,
        by_region=by_region,
        ratio=ratio,
        staff_ayacucho=member("staff_ayacucho", "05"),
        staff_apurimac=member("staff_apurimac", " 03 "),
    )
