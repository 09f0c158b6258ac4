"""The seed's annex 7.4, typed into a workbook by the test suite, imports as the report lists it."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from municipalities.models import BeneficiaryDistrict, BeneficiaryImport
from municipalities.services import Action, beneficiaries_import
from municipalities.tests import factories
from municipalities.tests.seed_annex_74 import ROWS, TOTAL_POPULATION

pytestmark = pytest.mark.django_db


def _import(content: bytes, **kwargs):
    return beneficiaries_import(programme=factories.programme(), content=content, file_name="anexo_7_4.xlsx", **kwargs)


def test_typed_rows_sum_to_the_annex_total():
    assert len(ROWS) == 73
    assert sum(row[6] for row in ROWS) == TOTAL_POPULATION


def test_seed_annex_imports_73_districts_and_792110_people():
    report = _import(factories.seed_annex_workbook())

    assert report.refused_rows == []
    assert report.applied
    assert report.counts[Action.CREATE] == 73
    assert BeneficiaryDistrict.objects.count() == 73
    assert BeneficiaryDistrict.objects.aggregate(total=Sum("target_population"))["total"] == 792_110
    assert report.skipped_header_lines == [53]  # preamble, blank, header at 3, 50 rows, repeated header


def test_seed_annex_keeps_names_as_listed_and_links_the_register():
    _import(factories.seed_annex_workbook())

    chalhuanca = BeneficiaryDistrict.objects.get(district__ubigeo="030401")
    assert chalhuanca.district_label == "AYMARAES - CHALHUANCA"
    assert chalhuanca.district.name == "CHALHUANCA"
    santa_ana = BeneficiaryDistrict.objects.get(district__ubigeo="090411")
    assert santa_ana.province_label == "CASTROVIRREYN A"
    assert santa_ana.women_share == Decimal("25.87")
    assert santa_ana.intervention_share is None
    assert BeneficiaryDistrict.objects.get(district__ubigeo="090502").province_label == "CHURCAMPÁ"
    assert BeneficiaryDistrict.objects.get(district__ubigeo="030602").district_label == "ANCO HUALLO"


def test_seed_annex_notes_district_names_that_differ_from_the_register():
    report = _import(factories.seed_annex_workbook(), dry_run=True)

    noted = {row.ubigeo for row in report.rows if row.notes}
    # HUAMANGA for AYACUCHO, PACAICASA, YALI, PAZOS for QUISHUAR: noted, not refused.
    assert noted == {"050101", "050107", "090117", "090711"}
    assert "QUISHUAR" in next(row for row in report.rows if row.ubigeo == "090711").notes[0]


def test_second_import_of_the_same_file_changes_nothing():
    content = factories.seed_annex_workbook()
    _import(content)
    before = list(BeneficiaryDistrict.objects.order_by("pk").values())

    report = _import(content)

    assert report.counts == {Action.UNCHANGED: 73}
    assert list(BeneficiaryDistrict.objects.order_by("pk").values()) == before


def test_corrected_file_updates_by_ubigeo():
    _import(factories.seed_annex_workbook())
    corrected = factories.workbook_bytes(factories.annex_rows_with({"030301": {6: 3200, 8: "Rural"}}))

    report = _import(corrected)

    assert report.counts == {Action.UPDATE: 1, Action.UNCHANGED: 72}
    updated = BeneficiaryDistrict.objects.get(district__ubigeo="030301")
    assert (updated.target_population, updated.domain) == (3200, "Rural")
    assert BeneficiaryDistrict.objects.count() == 73


def test_dry_run_writes_nothing_but_the_log():
    report = _import(factories.seed_annex_workbook(), dry_run=True)

    assert report.counts[Action.CREATE] == 73
    assert not BeneficiaryDistrict.objects.exists()
    assert BeneficiaryImport.objects.get().outcome == BeneficiaryImport.Outcome.PREVIEW


def test_every_import_is_logged_with_user_file_checksum_and_counts():
    user = factories.admin_user()
    content = factories.seed_annex_workbook()
    _import(content, user=user)
    _import(content, user=user)

    first, second = BeneficiaryImport.objects.order_by("pk")
    assert first.user == user and first.file_name == "anexo_7_4.xlsx"
    assert len(first.sha256) == 64 and first.sha256 == second.sha256
    assert (first.created, first.unchanged, first.refused, first.rows_read) == (73, 0, 0, 73)
    assert (second.created, second.unchanged) == (0, 73)
    assert first.outcome == second.outcome == BeneficiaryImport.Outcome.APPLIED
