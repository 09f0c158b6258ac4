"""Bad data is refused with a clear message, by model validation and by the database itself."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext

from chains.models import ValueChain
from indicators.models import Indicator, IndicatorValue, Programme, Result
from municipalities.models import BeneficiaryDistrict, District

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return Programme.objects.create(code="TST001", name="Test programme", belgian_contribution=Decimal("1000"))


@pytest.fixture
def indicator(programme):
    result = Result.objects.create(programme=programme, code="R1", kind=Result.Kind.RESULT, statement="R1")
    return Indicator.objects.create(result=result, code="R1.1", name="Units", unit_kind=Indicator.UnitKind.COUNT)


def _beneficiary(programme, ubigeo="050101", **overrides):
    fields = {
        "programme": programme,
        "district": District.objects.get(ubigeo=ubigeo),
        "department_label": "Ayacucho",
        "province_label": "HUAMANGA",
        "district_label": "HUAMANGA",
        "target_population": 100935,
        "women_share": Decimal("51.21"),
    }
    fields.update(overrides)
    return BeneficiaryDistrict(**fields)


def test_duplicate_ubigeo_in_register_is_refused_with_message():
    duplicate = District(ubigeo="050101", department="AYACUCHO", province="HUAMANGA", name="AYACUCHO")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "ubigeo" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_duplicate_beneficiary_district_is_refused_with_message(programme):
    _beneficiary(programme).save()
    with pytest.raises(ValidationError) as excinfo:
        _beneficiary(programme).full_clean()
    assert gettext("This district is already a beneficiary of the programme.") in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        _beneficiary(programme).save()
    assert BeneficiaryDistrict.objects.count() == 1


@pytest.mark.parametrize("ubigeo", ["50101", "0501011", "05O101"])
def test_malformed_ubigeo_is_refused_with_message(ubigeo):
    district = District(ubigeo=ubigeo, department="AYACUCHO", province="HUAMANGA", name="X")
    with pytest.raises(ValidationError) as excinfo:
        district.full_clean()
    assert gettext("An ubigeo has exactly six digits (e.g. 050101).") in str(excinfo.value)
    # PostgreSQL refuses a 7-character value for the column itself (DataError); SQLite by the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        district.save()


def test_share_above_100_percent_is_refused_with_message(programme):
    row = _beneficiary(programme, women_share=Decimal("149.97"))
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "women_share" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert not BeneficiaryDistrict.objects.exists()


def test_indicator_value_share_above_100_percent_is_refused(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=2011, value=Decimal("927"), share=Decimal("135"))


def test_second_value_for_the_same_period_is_refused_with_message(indicator):
    IndicatorValue.objects.create(indicator=indicator, year=2011, value=Decimal("180"))
    second = IndicatorValue(indicator=indicator, year=2011, value=Decimal("200"))
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert gettext("This indicator already has a value for this period.") in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert IndicatorValue.objects.get().value == Decimal("180")


def test_same_period_for_another_chain_or_quarter_is_accepted(indicator):
    chain = ValueChain.objects.create(programme=indicator.programme, slug="palta", name="Palta")
    IndicatorValue.objects.create(indicator=indicator, year=2011, value=Decimal("180"))
    IndicatorValue.objects.create(indicator=indicator, year=2011, chain=chain, value=Decimal("79"))
    IndicatorValue.objects.create(indicator=indicator, year=2011, quarter=1, value=Decimal("40"))
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=2011, chain=chain, value=Decimal("80"))
    assert IndicatorValue.objects.count() == 3


def test_no_data_value_cannot_carry_a_number(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, year=2011, no_data=True, value=Decimal("0"))
    IndicatorValue.objects.create(indicator=indicator, year=2011, no_data=True, no_data_reason="Sin dato")
    assert IndicatorValue.objects.get().value is None
