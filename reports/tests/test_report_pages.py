"""The report through HTTP: access per role, the PDF job flow (202 then the file), approval freezing, escaping."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cse_monitor.lib.messages import translated
from indicators.models import IndicatorComment, Membership
from reports import services
from reports.models import NarrativeSection, Report, ReportPdf
from reports.selectors import annual_report
from reports.tests.pdftools import flat, pdf_text
from tests.factories import UserFactory, membership, small_programme

Role = Membership.Role


@pytest.fixture
def programme(db):
    return small_programme()


def _urls(programme, year=2011):
    return {
        "html": reverse("reports:report", kwargs={"code": programme.code, "year": year}),
        "pdf": reverse("reports:report_pdf", kwargs={"code": programme.code, "year": year}),
        "narratives": reverse("reports:narratives", kwargs={"code": programme.code, "year": year}),
        "approve": reverse("reports:approve", kwargs={"code": programme.code, "year": year}),
    }


def test_the_stable_urls_are_the_ones_the_issue_names(programme):
    urls = _urls(programme)
    assert urls["html"] == f"/reports/{programme.code}/2011/"
    assert urls["pdf"] == f"/reports/{programme.code}/2011.pdf"


@pytest.mark.parametrize("name", ["html", "pdf", "narratives"])
def test_anonymous_users_are_sent_to_the_login_page(client, programme, name):
    response = client.get(_urls(programme)[name])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_approval_is_refused(client, programme):
    response = client.post(_urls(programme)["approve"], {"session_date": "2012-02-20"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Report.objects.filter(programme=programme, status=Report.Status.APPROVED).exists()


@pytest.mark.parametrize("name", ["html", "pdf", "narratives"])
def test_a_user_without_a_role_in_the_programme_is_refused(client, programme, name):
    client.force_login(UserFactory(username="outsider"))
    assert client.get(_urls(programme)[name]).status_code == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.REVIEWER, Role.EMCL, Role.ADMIN])
def test_every_role_reads_the_draft_report(client, programme, member, role):
    client.force_login(member(programme, role))
    response = client.get(_urls(programme)["html"])
    assert response.status_code == 200
    assert response.context["r"].status == Report.Status.DRAFT
    assert "Comentario OE.1" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "edit", "approve"),
    [(Role.STAFF, True, False), (Role.REVIEWER, False, False), (Role.EMCL, False, True), (Role.ADMIN, True, True)],
)
def test_the_toolbar_offers_what_the_role_may_do(client, programme, member, role, edit, approve):
    client.force_login(member(programme, role))
    html = client.get(_urls(programme)["html"]).content.decode()
    assert (_urls(programme)["narratives"] in html) is edit
    assert (_urls(programme)["approve"] in html) is approve


@pytest.mark.parametrize(("code", "year"), [("NOPE", 2011), (None, 1800), (None, 3000), (None, 2008), (None, 2013)])
def test_unknown_programme_or_a_year_outside_the_programme_is_404(client, programme, member, code, year):
    client.force_login(member(programme, Role.ADMIN))
    url = f"/reports/{code or programme.code}/{year}/"
    assert client.get(url).status_code == 404


def test_report_html_has_every_section_in_the_seed_order(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    html = client.get(_urls(programme)["html"]).content.decode()
    ids = ["s1", "s2", "s2-1", "s2-2", "s2-3", "s2-4", "s3", "s3-1", "s3-2", "s3-3", "s4", "s5", "s6", "s7"]
    ids += ["s7-1", "s7-2", "s7-3", "s7-4", "s7-5"]
    positions = [html.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)
    for i in ids:
        assert f'href="#{i}"' in html  # the table of contents links every section


def test_a_year_without_data_renders_with_sin_dato(client, programme, member):
    client.force_login(member(programme, Role.REVIEWER))
    response = client.get(_urls(programme, 2012)["html"])
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Sin dato") > 20
    assert response.context["r"].has_data is False


def test_the_report_is_built_in_a_number_of_queries_that_does_not_grow_with_indicators(db):
    small, large = small_programme(indicators_per_result=2), small_programme(indicators_per_result=10)
    counts = []
    for programme in (small, large):
        with CaptureQueriesContext(connection) as queries:
            annual_report(programme, 2011)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 40


# ---------------------------------------------------------------------------------------------
# The PDF: queued, rendered outside the request, then served; cached per data fingerprint


def test_pdf_answers_202_with_retry_after_to_a_client_then_the_file(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    url = _urls(programme)["pdf"]
    first = client.get(url, HTTP_ACCEPT="application/json")
    assert first.status_code == 202
    assert int(first["Retry-After"]) > 0
    assert first.json()["status"] == ReportPdf.Status.QUEUED
    assert services.run_pending_pdf_jobs() == 1
    done = client.get(url, HTTP_ACCEPT="application/pdf")
    assert done.status_code == 200
    assert done["Content-Type"] == "application/pdf"
    assert done.content.startswith(b"%PDF")
    job = ReportPdf.objects.get(programme=programme)
    assert done["X-Content-SHA256"] == job.sha256
    assert job.pages >= 10 and job.progress == 100


def test_pdf_shows_a_progress_page_to_a_browser(client, programme, member):
    client.force_login(member(programme, Role.STAFF))
    response = client.get(_urls(programme)["pdf"], HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 202
    assert response["Retry-After"]
    html = response.content.decode()
    assert "<progress" in html and 'http-equiv="refresh"' in html
    assert "<script" not in html and "style=" not in html


def test_the_cached_pdf_is_reused_until_the_data_changes(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    url = _urls(programme)["pdf"]
    client.get(url)
    services.run_pending_pdf_jobs()
    assert client.get(url).status_code == 200
    assert services.run_pending_pdf_jobs() == 0  # nothing new to render
    NarrativeSection.objects.filter(programme=programme, key="context").update(text="Contexto cambiado.")
    assert client.get(url).status_code == 202  # new data, new fingerprint, new job
    assert ReportPdf.objects.filter(programme=programme).count() == 2


def test_a_failed_rendering_is_recorded_and_retried_on_the_next_request(client, programme, member, monkeypatch):
    client.force_login(member(programme, Role.EMCL))
    url = _urls(programme)["pdf"]
    client.get(url)

    def broken(html, progress=None):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(services.pdf_engine, "render_pdf", broken)
    services.run_pending_pdf_jobs()
    job = ReportPdf.objects.get(programme=programme)
    assert job.status == ReportPdf.Status.FAILED and "no fonts" in job.error
    assert client.get(url, HTTP_ACCEPT="text/html").status_code == 202
    assert ReportPdf.objects.get(pk=job.pk).status == ReportPdf.Status.QUEUED


# ---------------------------------------------------------------------------------------------
# Approval by the EMCL freezes the PDF


@pytest.mark.parametrize("role", [Role.STAFF, Role.REVIEWER])
def test_only_emcl_and_admins_approve(client, programme, member, role):
    client.force_login(member(programme, role))
    response = client.post(_urls(programme)["approve"], {"session_date": "2012-02-20"})
    assert response.status_code == 403
    assert not Report.objects.filter(programme=programme, status=Report.Status.APPROVED).exists()


def test_approval_in_the_future_is_refused_with_a_clear_message(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    tomorrow = date.today() + timedelta(days=2)
    response = client.post(_urls(programme)["approve"], {"session_date": tomorrow.isoformat()}, follow=True)
    assert translated(services.MSG_FUTURE_SESSION) in response.content.decode()
    assert not Report.objects.filter(programme=programme, status=Report.Status.APPROVED).exists()


def test_the_approved_pdf_is_frozen_with_its_checksum_and_survives_data_changes(client, programme, member):
    client.force_login(member(programme, Role.EMCL))
    urls = _urls(programme)
    response = client.post(urls["approve"], {"session_date": "2012-02-20"})
    assert response.status_code == 302
    report = Report.objects.get(programme=programme, year=2011)
    assert report.status == Report.Status.APPROVED and report.emcl_session_date == date(2012, 2, 20)
    snapshot = report.snapshots.get()
    assert not snapshot.pdf  # rendered by the worker, not in the request
    services.run_pending_pdf_jobs()
    snapshot.refresh_from_db()
    assert snapshot.pdf and len(snapshot.pdf_sha256) == 64
    approved = client.get(urls["pdf"])
    assert approved.status_code == 200 and approved["X-Content-SHA256"] == snapshot.pdf_sha256

    # The data changes after approval: the PDF downloaded and the page are still the approved ones.
    IndicatorComment.objects.filter(indicator__result__programme=programme).update(text="Cambiado después")
    later = client.get(urls["pdf"])
    assert later.content == approved.content
    assert "Cambiado después" not in client.get(urls["html"]).content.decode()


def test_an_approved_report_shows_its_state_and_cannot_be_approved_twice(client, programme, member):
    client.force_login(member(programme, Role.ADMIN))
    urls = _urls(programme)
    client.post(urls["approve"], {"session_date": "2012-02-20"})
    html = client.get(urls["html"]).content.decode()
    assert "20.02.2012" in html
    response = client.post(urls["approve"], {"session_date": "2012-03-01"}, follow=True)
    assert translated(services.MSG_ALREADY_APPROVED) in response.content.decode()
    assert Report.objects.get(programme=programme, year=2011).emcl_session_date == date(2012, 2, 20)


# ---------------------------------------------------------------------------------------------
# Narratives edited by staff, with history


def test_staff_edit_a_narrative_and_the_change_is_in_its_history(client, programme, member):
    user = member(programme, Role.STAFF)
    client.force_login(user)
    url = _urls(programme)["narratives"]
    response = client.post(url, {"key": "highlights", "text": "Puntos destacados del año."})
    assert response.status_code == 302
    section = NarrativeSection.objects.get(programme=programme, year=2011, key="highlights")
    client.post(url, {"key": "highlights", "text": "Puntos destacados, corregidos."})
    section.refresh_from_db()
    assert section.text == "Puntos destacados, corregidos."
    history = list(section.history.order_by("history_date"))
    assert [h.text for h in history] == ["Puntos destacados del año.", "Puntos destacados, corregidos."]
    assert {h.history_user_id for h in history} == {user.pk}
    assert "Puntos destacados, corregidos." in client.get(_urls(programme)["html"]).content.decode()


def test_a_per_result_narrative_needs_a_result_of_the_programme(client, programme, member):
    client.force_login(member(programme, Role.STAFF))
    url = _urls(programme)["narratives"]
    other = small_programme().results.get(code="R1")
    response = client.post(url, {"key": "analysis", "result": other.pk, "text": "x"})
    assert response.status_code == 400
    assert translated(services.MSG_RESULT_NOT_IN_PROGRAMME) in response.content.decode()
    response = client.post(url, {"key": "analysis", "text": "x"})
    assert response.status_code == 400 and translated(services.MSG_RESULT_REQUIRED) in response.content.decode()
    assert not NarrativeSection.objects.filter(key="analysis").exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EMCL])
def test_readers_cannot_edit_narratives(client, programme, member, role):
    client.force_login(member(programme, role))
    response = client.post(_urls(programme)["narratives"], {"key": "highlights", "text": "x"})
    assert response.status_code == 403
    assert not NarrativeSection.objects.filter(key="highlights").exists()


def test_narratives_of_an_approved_report_are_locked(client, programme, member):
    client.force_login(member(programme, Role.ADMIN))
    client.post(_urls(programme)["approve"], {"session_date": "2012-02-20"})
    response = client.post(_urls(programme)["narratives"], {"key": "context", "text": "Otro contexto"})
    assert response.status_code == 400
    assert translated(services.MSG_APPROVED_LOCKED) in response.content.decode()
    assert NarrativeSection.objects.get(programme=programme, key="context").text == "Contexto del año."


# ---------------------------------------------------------------------------------------------
# Escaping


HOSTILE = "Antes <script>alert('x')</script> y </table><b>negrita</b> después"


def test_markup_in_a_comment_shows_as_text_in_html_and_pdf(client, programme, member, tmp_path):
    IndicatorComment.objects.filter(indicator__code="R1.1").update(text=HOSTILE)
    NarrativeSection.objects.filter(programme=programme, key="context").update(text=HOSTILE)
    client.force_login(member(programme, Role.EMCL))
    html = client.get(_urls(programme)["html"]).content.decode()
    assert "<script>alert" not in html and "</table><b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;/table&gt;&lt;b&gt;negrita&lt;/b&gt;" in html

    client.get(_urls(programme)["pdf"])
    services.run_pending_pdf_jobs()
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(client.get(_urls(programme)["pdf"]).content)
    text = flat(pdf_text(pdf))
    assert "<script>alert('x')</script>" in text
    assert "</table><b>negrita</b>" in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_thread_renders_the_pdf_outside_the_request(client, settings):
    """With REPORTS_PDF_WORKER = "thread" the request only queues; a daemon thread renders."""
    import time

    settings.REPORTS_PDF_WORKER = "thread"
    programme = small_programme()
    user = UserFactory(username="thread-emcl")
    membership(user, programme, Role.EMCL)
    client.force_login(user)
    url = _urls(programme)["pdf"]
    started = time.monotonic()
    first = client.get(url)
    assert first.status_code == 202
    request_seconds = time.monotonic() - started
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = ReportPdf.objects.get(programme=programme)
        if job.status in (ReportPdf.Status.DONE, ReportPdf.Status.FAILED):
            break
        time.sleep(0.5)
    assert job.status == ReportPdf.Status.DONE, job.error
    render_seconds = (job.finished_at - job.started_at).total_seconds()
    assert request_seconds < render_seconds  # the request did not wait for the rendering
    assert client.get(url).status_code == 200


def test_the_render_pdfs_command_renders_the_queue(client, programme, member):
    from django.core.management import call_command

    client.force_login(member(programme, Role.REVIEWER))
    client.get(_urls(programme)["pdf"])
    call_command("render_pdfs", verbosity=0)
    job = ReportPdf.objects.get(programme=programme)
    assert job.status == ReportPdf.Status.DONE and job.sha256
    assert client.get(_urls(programme)["pdf"]).status_code == 200


def test_polling_a_pdf_in_progress_does_not_rebuild_the_report(client, programme, member, monkeypatch):
    client.force_login(member(programme, Role.EMCL))
    url = _urls(programme)["pdf"]
    assert client.get(url).status_code == 202

    def rebuilt(*args, **kwargs):
        raise AssertionError("the report was rebuilt while its PDF was being rendered")

    monkeypatch.setattr(services, "current_document", rebuilt)
    for _ in range(3):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 202 and response.json()["status"] == ReportPdf.Status.QUEUED
    monkeypatch.undo()
    services.run_pending_pdf_jobs()
    assert client.get(url).status_code == 200
