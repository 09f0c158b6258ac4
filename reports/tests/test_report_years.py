"""A report exists for each year of the programme's life (Programme.years) and for no other year.

PER0601011 runs 2008–2012 (effective start 2008, planned end 2012): 2007, 2013 and 2031 are 404s
on every surface (page, PDF for a browser and for a client, narratives, approval, API), each
naming the years there are; the PDF queue and the services refuse them too.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cse_monitor.lib.messages import translated
from indicators.models import Membership
from reports import services
from reports.models import NarrativeSection, Report, ReportPdf
from tests.factories import ProgrammeFactory, UserFactory

Role = Membership.Role
YEARS = [2008, 2009, 2010, 2011, 2012]
OUTSIDE = [2007, 2013, 2031]


@pytest.fixture
def programme(db):
    # The dates of PER0601011's monitoring card: its life is 2008–2012.
    return ProgrammeFactory(
        code="PER0601011",
        signature_date=date(2007, 11, 4),
        start_planned=date(2008, 3, 1),
        start_effective=date(2008, 4, 15),
        end_planned=date(2012, 3, 1),
        end_effective=None,
    )


@pytest.fixture
def admin_client(client, programme, member):
    client.force_login(member(programme, Role.ADMIN))
    return client


def _url(name, programme, year):
    return reverse(f"reports:{name}", kwargs={"code": programme.code, "year": year})


def _assert_lists_the_years(html: str, programme) -> None:
    assert 'id="report-years"' in html
    for year in YEARS:
        assert f'href="{_url("report", programme, year)}"' in html
    for year in OUTSIDE:
        assert f'href="{_url("report", programme, year)}"' not in html


def test_the_programme_years_are_those_of_its_life(programme):
    assert list(programme.years) == YEARS


@pytest.mark.parametrize("year", OUTSIDE)
@pytest.mark.parametrize("name", ["report", "narratives", "changes", "reopen"])
def test_a_page_of_a_year_outside_the_programme_is_a_404_listing_its_years(admin_client, programme, name, year):
    response = admin_client.get(_url(name, programme, year))
    assert response.status_code == 404
    html = response.content.decode()
    assert translated(services.year_outside_message(programme, year)) in html
    assert "2008" in services.year_outside_message(programme, year) and "2012" in html
    _assert_lists_the_years(html, programme)
    assert '<link rel="stylesheet" href="/static/css/app.css' in html  # the application's look, not a bare 404


@pytest.mark.parametrize("year", OUTSIDE)
def test_the_pdf_of_a_year_outside_is_a_404_page_for_a_browser_and_json_for_a_client(admin_client, programme, year):
    browser = admin_client.get(_url("report_pdf", programme, year), HTTP_ACCEPT="text/html")
    assert browser.status_code == 404 and browser["Content-Type"].startswith("text/html")
    _assert_lists_the_years(browser.content.decode(), programme)
    client = admin_client.get(_url("report_pdf", programme, year))
    assert client.status_code == 404
    error = client.json()["error"]
    assert error["code"] == "not_found" and error["years"] == YEARS
    assert error["message"] == translated(services.year_outside_message(programme, year))
    assert not ReportPdf.objects.exists()  # nothing was queued


@pytest.mark.parametrize("year", OUTSIDE)
def test_the_api_report_of_a_year_outside_is_a_404_listing_the_years(admin_client, programme, year):
    response = admin_client.get(reverse("v1:api-report", kwargs={"programme": programme.code, "year": year}))
    assert response.status_code == 404
    assert response.json()["error"]["years"] == YEARS


def test_the_api_lists_one_report_per_year_of_the_programme(admin_client, programme):
    response = admin_client.get(reverse("v1:api-reports", kwargs={"programme": programme.code}))
    assert response.status_code == 200
    assert [row["year"] for row in response.json()] == YEARS
    assert {row["status"] for row in response.json()} == {"draft"}


def test_the_api_hides_a_programme_from_a_non_member(client, programme):
    client.force_login(UserFactory(username="api-outsider"))
    for url in (
        reverse("v1:api-reports", kwargs={"programme": programme.code}),
        reverse("v1:api-report", kwargs={"programme": programme.code, "year": 2011}),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("year", OUTSIDE)
def test_approving_or_writing_a_year_outside_is_refused_and_stores_nothing(admin_client, programme, year):
    response = admin_client.post(_url("approve", programme, year), {"session_date": "2012-02-20"})
    assert response.status_code == 404
    response = admin_client.post(_url("narratives", programme, year), {"key": "context", "text": "Texto."})
    assert response.status_code == 404
    assert not Report.objects.exists() and not NarrativeSection.objects.exists()


@pytest.mark.parametrize("year", OUTSIDE)
def test_the_services_and_the_pdf_queue_refuse_a_year_outside(programme, year):
    user = UserFactory(username="svc")
    calls = [
        lambda: services.report_approve(programme=programme, year=year, session_date=date(2012, 2, 20), user=user),
        lambda: services.report_reopen(programme=programme, year=year, reason="Motivo.", user=user),
        lambda: services.narrative_update(programme=programme, year=year, key="context", text="Texto.", user=user),
        lambda: services.pdf_request(programme, year),
        lambda: services._enqueue(programme, year, "<html></html>", "0" * 64),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert excinfo.value.messages == [services.year_outside_message(programme, year)]
    assert not Report.objects.exists() and not ReportPdf.objects.exists()


def test_a_queued_job_of_a_year_outside_fails_instead_of_printing(programme):
    job = ReportPdf.objects.create(programme=programme, year=2031, fingerprint="f" * 64, html="<html></html>")
    assert services.run_pending_pdf_jobs() == 1
    job.refresh_from_db()
    assert job.status == ReportPdf.Status.FAILED and not job.file
    assert job.error == translated(services.year_outside_message(programme, 2031))


def test_a_programme_without_dates_has_no_report_and_says_why(client, member, db):
    undated = ProgrammeFactory(start_effective=None, start_planned=None, signature_date=None, end_planned=None)
    client.force_login(member(undated, Role.REVIEWER))
    response = client.get(_url("report", undated, 2011))
    assert response.status_code == 404
    html = response.content.decode()
    assert translated(services.year_outside_message(undated, 2011)) in html and 'id="report-years"' not in html


@pytest.mark.parametrize("year", YEARS)
def test_every_year_of_the_programme_has_its_report(admin_client, programme, year):
    assert admin_client.get(_url("report", programme, year)).status_code == 200


def test_a_non_member_gets_403_whatever_the_year(client, programme):
    client.force_login(UserFactory(username="outsider-years"))
    assert client.get(_url("report", programme, 2031)).status_code == 403
