"""Approval freezes the report whole: page and PDF come from one stored snapshot; reopening is an act of its own.

Through HTTP: approve, change data (a beneficiary district's population by the import, an indicator
value), read the page and the PDF (byte for byte the snapshot's, with a notice and its difference),
reopen (refused without a reason; with one, in the history), approve again with another session date.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from cse_monitor.lib.messages import translated
from indicators.models import IndicatorValue, Membership
from municipalities.models import BeneficiaryDistrict, District
from municipalities.services import beneficiaries_import
from municipalities.tests.factories import annex_rows_with, workbook_bytes
from municipalities.tests.seed_annex_74 import HEADER
from reports import services, snapshots
from reports.models import Report, ReportPdf, ReportSnapshot
from reports.tests.pdftools import flat, pdf_text
from tests.factories import UserFactory, small_programme

Role = Membership.Role
UBIGEO = "030301"  # ANTABAMBA, Apurímac: a district of the INEI register the migrations load


@pytest.fixture
def programme(db):
    programme = small_programme()
    BeneficiaryDistrict.objects.create(
        programme=programme,
        district=District.objects.get(ubigeo=UBIGEO),
        department_label="Apurímac",
        province_label="ANTABAMBA",
        district_label="ANTABAMBA",
        target_population=3166,
        women_share=Decimal("49.97"),
    )
    return programme


def _url(name, programme, year=2011):
    return reverse(f"reports:{name}", kwargs={"code": programme.code, "year": year})


def _approve(client, programme, session_date: str):
    response = client.post(_url("approve", programme), {"session_date": session_date})
    assert response.status_code == 302
    services.run_pending_pdf_jobs()
    return ReportSnapshot.objects.get(report__programme=programme, report__year=2011, superseded_at__isnull=True)


def _pdf(client, programme, tmp_path, name="report.pdf") -> tuple[bytes, str]:
    response = client.get(_url("report_pdf", programme))
    if response.status_code == 202:
        services.run_pending_pdf_jobs()
        response = client.get(_url("report_pdf", programme))
    assert response.status_code == 200, response.content[:300]
    path = Path(tmp_path) / name
    path.write_bytes(response.content)
    return response.content, flat(pdf_text(path))


def _import_population(programme, population: int, user) -> None:
    """Annex 7.4's population of the district changed the way the issue saw it: by the beneficiaries import."""
    row = (UBIGEO, "Perú", "Apurímac", "ANTABAMBA", "ANTABAMBA", "", population, "49.97%", "")
    outcome = beneficiaries_import(
        programme=programme, content=workbook_bytes([HEADER, row]), file_name="annex-7-4.xlsx", user=user
    )
    assert BeneficiaryDistrict.objects.get(programme=programme).target_population == population, outcome


def _page(client, programme) -> str:
    response = client.get(_url("report", programme))
    assert response.status_code == 200
    return response.content.decode()


def test_approval_stores_the_document_with_its_checksum_and_prints_the_pdf_from_it(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    snapshot = _approve(client, programme, "2012-02-20")
    assert snapshot.html_sha256 == snapshots.sha256_text(snapshot.html)
    assert "20.02.2012" in snapshot.html and snapshot.language == "es"
    job = ReportPdf.objects.get(programme=programme, year=2011, fingerprint=snapshot.fingerprint)
    assert job.html == snapshot.html  # the PDF is printed from the snapshot's HTML, not rebuilt
    response = client.get(_url("report_pdf", programme))
    with snapshot.pdf.open("rb") as handle:
        stored = handle.read()
    assert response.content == stored and response["X-Content-SHA256"] == snapshot.pdf_sha256
    assert snapshots.sha256_text("") != snapshot.pdf_sha256  # a real checksum, of the bytes sent
    page = _page(client, programme)
    assert snapshots.snapshot_body(snapshot) in page
    assert 'id="newer-data"' not in page  # nothing changed yet


def test_after_approval_the_page_and_the_pdf_stay_the_snapshot_and_say_newer_data_exists(
    client, programme, member, tmp_path
):
    user = member(programme, Role.EMCL)
    client.force_login(user)
    snapshot = _approve(client, programme, "2012-02-20")
    pdf_before, text_before = _pdf(client, programme, tmp_path, "before.pdf")
    assert "3,166" in text_before and "61" in text_before

    # The data moves on: annex 7.4's population by the import, and an indicator value of 2011.
    _import_population(programme, 4321, UserFactory(username="importer"))
    value = IndicatorValue.objects.get(indicator__code="R1.2", indicator__result__programme=programme, year=2011)
    value.value = Decimal("977")
    value.save()
    name = value.indicator.name  # the report's indicator tables print the name; "61" was its approved value

    page = _page(client, programme)
    body = snapshots.snapshot_body(snapshot)
    assert body and body in page  # the page carries the stored body byte for byte
    assert "4,321" not in page and "977" not in page
    assert 'id="newer-data"' in page and _url("changes", programme) in page
    pdf_after, text_after = _pdf(client, programme, tmp_path, "after.pdf")
    assert pdf_after == pdf_before
    with snapshot.pdf.open("rb") as handle:
        assert pdf_after == handle.read()
    assert "4,321" not in text_after and "3,166" in text_after

    # The difference names both changes, approved text then today's.
    changes = client.get(_url("changes", programme))
    assert changes.status_code == 200
    population = next(c for c in changes.context["changes"] if any("ANTABAMBA" in line for line in c.old))
    assert population.section.startswith("7.4")
    assert any("3,166" in line for line in population.old) and any("4,321" in line for line in population.new)
    indicator = next(c for c in changes.context["changes"] if any(line.startswith(f"{name} |") for line in c.old))
    assert indicator.section.startswith("3.3")
    assert [line.split(" | ")[3] for line in indicator.old] == ["61"]
    assert [line.split(" | ")[3] for line in indicator.new] == ["977"]
    html = changes.content.decode()
    assert "<del>" in html and "4,321" in html


def test_reopening_without_a_reason_is_refused_and_changes_nothing(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    snapshot = _approve(client, programme, "2012-02-20")
    report = Report.objects.get(programme=programme, year=2011)
    records = report.history.count()
    for reason in ["", "   \n "]:
        response = client.post(_url("reopen", programme), {"reason": reason})
        assert response.status_code == 400
        assert translated(services.MSG_REASON_REQUIRED) in response.content.decode()
    report.refresh_from_db()
    snapshot.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.emcl_session_date == date(2012, 2, 20)
    assert snapshot.is_current and not snapshot.superseded_reason
    assert report.history.count() == records
    with pytest.raises(ValidationError):
        services.report_reopen(programme=programme, year=2011, reason=" ", user=None)


def test_a_reason_too_long_is_refused_and_kept_in_the_form(client, programme, member):
    client.force_login(member(programme, Role.ADMIN))
    _approve(client, programme, "2012-02-20")
    reason = "x" * (services.REOPEN_REASON_MAX_CHARS + 1)
    response = client.post(_url("reopen", programme), {"reason": reason})
    assert response.status_code == 400 and reason in response.content.decode()
    assert Report.objects.get(programme=programme, year=2011).status == Report.Status.APPROVED


def test_reopening_with_a_reason_is_in_the_history_and_the_page_is_live_again(client, programme, member, tmp_path):
    user = member(programme, Role.EMCL, username="emcl-chair")
    client.force_login(user)
    first = _approve(client, programme, "2012-02-20")
    _import_population(programme, 4321, UserFactory(username="importer"))
    reason = "La población de Antabamba fue corregida por el INEI."

    response = client.post(_url("reopen", programme), {"reason": reason})
    assert response.status_code == 302

    report = Report.objects.get(programme=programme, year=2011)
    assert report.status == Report.Status.DRAFT and report.emcl_session_date is None
    record = report.history.order_by("-history_date", "-history_id").first()
    assert record.status == Report.Status.DRAFT
    assert record.history_user == user and record.history_change_reason == reason and record.history_date
    first.refresh_from_db()
    assert first.superseded_at and first.superseded_by == user and first.superseded_reason == reason
    assert ReportSnapshot.objects.filter(pk=first.pk).exists()  # kept for audit

    page = _page(client, programme)
    assert "4,321" in page and 'id="newer-data"' not in page  # live data again
    assert reason in page and "emcl-chair" in page  # the approval history on the page says who and why
    _pdf_bytes, text = _pdf(client, programme, tmp_path)
    assert "4,321" in text and "20.02.2012" not in text


def test_approving_again_prints_the_new_session_date_on_the_page_and_in_the_pdf(client, programme, member, tmp_path):
    client.force_login(member(programme, Role.ADMIN))
    first = _approve(client, programme, "2012-02-20")
    _pdf_bytes, first_text = _pdf(client, programme, tmp_path, "first.pdf")
    assert "20.02.2012" in first_text
    client.post(_url("reopen", programme), {"reason": "Corrección del anexo 7.4."})
    second = _approve(client, programme, "2012-03-15")

    assert second.pk != first.pk and second.emcl_session_date == date(2012, 3, 15)
    page = _page(client, programme)
    assert "15.03.2012" in snapshots.snapshot_body(second) and snapshots.snapshot_body(second) in page
    assert "20.02.2012" not in snapshots.snapshot_body(second)
    _pdf_bytes, text = _pdf(client, programme, tmp_path, "second.pdf")
    assert "15.03.2012" in text and "20.02.2012" not in text
    assert list(ReportSnapshot.objects.filter(report__programme=programme).order_by("approved_at")) == [first, second]


@pytest.mark.parametrize("role", [Role.STAFF, Role.REVIEWER])
def test_only_the_roles_that_approve_may_reopen(client, programme, member, role):
    approver = member(programme, Role.EMCL)
    client.force_login(approver)
    _approve(client, programme, "2012-02-20")
    client.force_login(member(programme, role))
    assert client.get(_url("reopen", programme)).status_code == 403
    assert client.post(_url("reopen", programme), {"reason": "Quiero cambiarlo."}).status_code == 403
    assert _url("reopen", programme) not in _page(client, programme)
    assert Report.objects.get(programme=programme, year=2011).status == Report.Status.APPROVED


def test_reopening_a_draft_changes_nothing(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    response = client.post(_url("reopen", programme), {"reason": "Sin aprobar aún."}, follow=True)
    assert translated(services.MSG_NOT_APPROVED) in response.content.decode()
    assert not Report.objects.filter(programme=programme, year=2011).exists()


def test_a_pdf_on_file_that_does_not_match_its_checksum_is_not_sent(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    snapshot = _approve(client, programme, "2012-02-20")
    snapshot.pdf.save("tampered.pdf", ContentFile(b"%PDF-1.7 not the approved one"), save=True)
    response = client.get(_url("report_pdf", programme))
    assert response.status_code == 409
    assert translated(services.MSG_PDF_CHECKSUM) in response.content.decode()


def test_the_changes_page_of_an_unchanged_or_draft_report_says_so(client, programme, member):
    client.force_login(member(programme, Role.REVIEWER))
    assert 'id="no-changes"' not in client.get(_url("changes", programme)).content.decode()
    client.force_login(member(programme, Role.EMCL))
    _approve(client, programme, "2012-02-20")
    response = client.get(_url("changes", programme))
    assert response.status_code == 200 and 'id="no-changes"' in response.content.decode()


def test_a_report_approved_before_snapshots_offers_its_frozen_pdf(client, programme, member):
    """The migration's shape for an approval that froze only its PDF: no HTML, the PDF with its checksum."""
    report = Report.objects.create(
        programme=programme, year=2011, status=Report.Status.APPROVED, emcl_session_date=date(2012, 2, 20)
    )
    content = b"%PDF-1.4 legacy approved"
    legacy = ReportSnapshot(
        report=report,
        html="",
        html_sha256=snapshots.sha256_text(""),
        fingerprint="",
        language="es",
        emcl_session_date=date(2012, 2, 20),
        approved_at=report.history.first().history_date,
        pdf_sha256=services._sha256(content),
    )
    legacy.pdf.save("legacy.pdf", ContentFile(content), save=False)
    legacy.save()
    client.force_login(member(programme, Role.REVIEWER))
    page = _page(client, programme)
    assert "Comentario OE.1" not in page and 'id="newer-data"' not in page
    assert client.get(_url("report_pdf", programme)).content == content


def test_the_api_gives_the_state_the_checksums_and_whether_newer_data_exists(client, programme, member):
    user = member(programme, Role.EMCL, username="emcl-api")
    client.force_login(user)
    url = reverse("v1:api-report", kwargs={"programme": programme.code, "year": 2011})
    draft = client.get(url).json()
    assert draft["status"] == "draft" and draft["snapshot"] is None and draft["newer_data"] is None
    snapshot = _approve(client, programme, "2012-02-20")
    approved = client.get(url).json()
    assert approved["status"] == "approved" and approved["emcl_session_date"] == "2012-02-20"
    assert approved["snapshot"]["html_sha256"] == snapshot.html_sha256
    assert approved["snapshot"]["pdf_sha256"] == snapshot.pdf_sha256 and approved["newer_data"] is False
    _import_population(programme, 4321, user)
    assert client.get(url).json()["newer_data"] is True
    client.post(_url("reopen", programme), {"reason": "Datos nuevos."})
    history = client.get(url).json()["history"]
    assert [(e["kind"], e["user"], e["reason"]) for e in history] == [
        ("reopened", "emcl-api", "Datos nuevos."),
        ("approved", "emcl-api", ""),
    ]


# ---------------------------------------------------------------------------------------------
# The Django admin shows the approval, never changes it


@pytest.fixture
def approved_in_admin(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    snapshot = _approve(client, programme, "2012-02-20")
    superuser = UserFactory(username="site-admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return Report.objects.get(programme=programme, year=2011), snapshot


def test_the_admin_cannot_change_a_report_status_or_its_snapshot(client, approved_in_admin):
    report, snapshot = approved_in_admin
    change = reverse("admin:reports_report_change", args=[report.pk])
    page = client.get(change)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html and 'name="emcl_session_date"' not in html
    assert 'name="snapshots-0-html_sha256"' not in html and snapshot.html_sha256 in html
    response = client.post(
        change,
        {
            "period_covered": "Enero / Diciembre 2011",
            "status": "draft",
            "emcl_session_date": "",
            "snapshots-TOTAL_FORMS": "1",
            "snapshots-INITIAL_FORMS": "1",
            "snapshots-MIN_NUM_FORMS": "0",
            "snapshots-MAX_NUM_FORMS": "1000",
            "snapshots-0-id": str(snapshot.pk),
            "snapshots-0-report": str(report.pk),
            "snapshots-0-DELETE": "on",
        },
    )
    assert response.status_code in (200, 302)
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.emcl_session_date == date(2012, 2, 20)
    assert ReportSnapshot.objects.filter(pk=snapshot.pk, superseded_at__isnull=True).exists()


def test_the_admin_cannot_revert_delete_or_bulk_delete_an_approved_report(client, approved_in_admin):
    report, snapshot = approved_in_admin
    draft_version = report.history.order_by("history_date", "history_id").first()
    assert draft_version.status == Report.Status.DRAFT
    revert = reverse("admin:reports_report_simple_history", args=[report.pk, draft_version.history_id])
    assert client.get(revert).status_code == 200  # a past version can be viewed
    assert client.post(revert, {"period_covered": ""}).status_code == 403
    assert client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    changelist = reverse("admin:reports_report_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"})
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and ReportSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_narratives_are_read_only_in_the_admin(client, approved_in_admin, programme):
    section = programme.narratives.get(key="context")
    response = client.post(
        reverse("admin:reports_narrativesection_change", args=[section.pk]),
        {"programme": programme.pk, "year": 2011, "key": "context", "text": "Cambiado en el admin"},
    )
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.text == "Contexto del año."


# ---------------------------------------------------------------------------------------------
# The case on the seed's programme


def test_per0601011_2011_approved_then_an_imported_district_changes_annex_7_4(
    client, per0601011_module, member, tmp_path
):
    """The 2011 report approved by the EMCL; then the annex 7.4 workbook is imported again with
    ANTABAMBA's population changed: page and PDF stay the approved ones and the difference says so."""
    programme = per0601011_module
    client.force_login(member(programme, Role.EMCL, username="emcl-per"))
    snapshot = _approve(client, programme, "2012-02-20")
    before = _page(client, programme)
    assert "3,166" in before and 'id="newer-data"' not in before

    content = workbook_bytes(annex_rows_with({UBIGEO: {6: 4321}}))
    beneficiaries_import(programme=programme, content=content, file_name="anexo-7-4.xlsx", user=None)
    assert BeneficiaryDistrict.objects.get(programme=programme, district__ubigeo=UBIGEO).target_population == 4321

    after = _page(client, programme)
    assert snapshots.snapshot_body(snapshot) in after and 'id="newer-data"' in after
    assert "4,321" not in after
    pdf, text = _pdf(client, programme, tmp_path)
    with snapshot.pdf.open("rb") as handle:
        assert pdf == handle.read()
    assert "20.02.2012" in text and "3,166" in text and "4,321" not in text
    changes = client.get(_url("changes", programme)).context["changes"]
    assert all(change.section.startswith("7.4") for change in changes), changes
    antabamba = next(change for change in changes if any(line.startswith(UBIGEO) for line in change.old))
    assert [line.split(" | ")[6] for line in antabamba.old] == ["3,166"]
    assert [line.split(" | ")[6] for line in antabamba.new] == ["4,321"]
    assert "2013" not in [str(y) for y in programme.years]
    assert client.get(_url("report", programme, 2013)).status_code == 404
