"""The entry pages through HTTP: the quarter form, review, history, audit log, notifications."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cse_monitor.lib import formatting
from indicators.models import IndicatorTarget, IndicatorValue, Notification, QuarterState
from indicators.periods import Period
from indicators.selectors import monitoring_card
from indicators.tests.entry_world import build_world
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)


@pytest.fixture
def world():
    """PER0601011 2012Q1, reopened by a reviewer so that the form accepts entry whatever today's date."""
    w = build_world(period=Q1)
    QuarterState.objects.create(programme=w.programme, year=2012, quarter=1, reopened=True, reason="tests")
    return w


def url(w, name="entry"):
    return reverse(f"indicators:{name}", args=[w.programme.code, "2012Q1"])


def field(indicator, name, chain=None, sex="T"):
    return f"r{indicator.pk}-{chain.pk if chain else 0}-{sex}-{name}"


def test_quarter_form_is_at_its_bookmarked_url(world):
    assert url(world) == "/entry/PER0601011/2012Q1/"


def test_form_shows_baseline_previous_value_target_and_achievement_so_far(client, world):
    world.count.baseline_text = "12 (2011)"
    world.count.save()
    IndicatorTarget.objects.filter(indicator=world.count).update(year=2012)
    IndicatorValue.objects.create(indicator=world.count, year=2011, quarter=4, value=D("33"))
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("40"))
    client.force_login(world.staff)
    html = client.get(url(world)).content.decode()
    article = html[html.index(f'id="ind-{world.count.pk}"') :][:6000]
    baseline = formatting.indicator_figure(
        value=world.count.baseline, unit_kind=world.count.unit_kind, source_text="12 (2011)"
    )
    assert f'data-figure="baseline">{baseline}</dd>' in article  # printed as the report prints it
    assert 'data-previous="33"' in article  # last period's value
    assert 'data-figure="target">100</dd>' in article  # the year's target
    assert 'data-figure="year_to_date">40</dd>' in article
    assert 'data-figure="achievement">40%</dd>' in article  # scores.achievement(40, 100)


def test_so_far_this_year_counts_this_years_quarters_only(client, world):
    # A draft of another year (2011Q4) is not part of 2012's "so far": the series gives the same figure.
    IndicatorValue.objects.create(indicator=world.count, year=2011, quarter=4, value=D("3100"))
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("26"))
    client.force_login(world.staff)
    html = client.get(url(world)).content.decode()
    article = html[html.index(f'id="ind-{world.count.pk}"') :][:6000]
    assert 'data-figure="year_to_date">26</dd>' in article
    assert 'data-figure="achievement">26%</dd>' in article
    series = {p["period"]: p for p in series_points(client, world.count)}
    assert (series["2012Q1"]["year_to_date"], series["2012Q1"]["achievement"]) == ("26.0000", "0.260000")


def test_a_qualitative_indicator_reads_the_same_on_the_form_and_the_card(client, world):
    # Its figure is its achievement in percent: 80 reads 80 %, not 80 against a target of 90 (89 %).
    quality = IndicatorFactory(result=world.r1, code="R1.9", unit_kind="qualitative", aggregation="latest")
    IndicatorTarget.objects.create(indicator=quality, year=2012, value=D("90"))
    IndicatorValue.objects.create(indicator=quality, year=2012, quarter=1, value=D("80"))
    client.force_login(world.admin)
    html = client.get(url(world)).content.decode()
    article = html[html.index(f'id="ind-{quality.pk}"') :][:6000]
    card = monitoring_card(world.programme, [Q1])
    figure = next(r for r in card.level("R1").indicators if r.code == "R1.9").periods[0].achievement
    assert figure.value == D("0.8")
    assert 'data-figure="achievement">80%</dd>' in article


def test_a_row_holding_only_a_share_is_its_figure(client, world):
    IndicatorValue.objects.create(indicator=world.rate, year=2012, quarter=1, value=None, share=D("40"))
    client.force_login(world.staff_all)
    html = client.get(url(world)).content.decode()
    article = html[html.index(f'id="ind-{world.rate.pk}"') :][:6000]
    assert 'data-figure="year_to_date">40%</dd>' in article
    assert 'data-figure="achievement">50%</dd>' in article  # 40 % against the year's 80 %


def series_points(client, indicator) -> list[dict]:
    response = client.get(f"/api/v1/indicators/{indicator.pk}/series/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()["points"]


def test_achievement_is_sin_dato_without_a_target(client, world):
    IndicatorValue.objects.create(indicator=world.money, year=2012, quarter=1, value=D("40"))
    client.force_login(world.staff_all)
    html = client.get(url(world)).content.decode()
    article = html[html.index(f'id="ind-{world.money.pk}"') :][:4000]
    assert 'data-figure="achievement">Sin dato</dd>' in article


def test_typed_comma_decimal_is_saved_as_a_decimal(client, world):
    client.force_login(world.staff_all)
    response = client.post(url(world), {field(world.money, "value"): "1.234,5"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=world.money).value == D("1234.5")
    assert 'value="1234.5"' in client.get(url(world)).content.decode()


def test_ambiguous_number_is_asked_not_guessed_then_saved_as_chosen(client, world):
    client.force_login(world.staff_all)
    response = client.post(url(world), {field(world.money, "value"): "1.234"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "ambiguous" in html
    assert f'name="{field(world.money, "value_mark")}" value=","' in html  # the question, as radio buttons
    assert not IndicatorValue.objects.exists()
    response = client.post(url(world), {field(world.money, "value"): "1.234", field(world.money, "value_mark"): ","})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=world.money).value == D("1234")


def test_enter_cannot_submit_the_form_by_accident(client, world):
    """The form's first (default) submit button is disabled, so implicit submission does nothing."""
    client.force_login(world.staff)
    html = client.get(url(world)).content.decode()
    form = html[html.index('id="entry-form"') :]
    first_button = form[form.index("<button") :][:120]
    assert 'type="submit" disabled' in first_button


def _forty_indicators(world):
    for n in range(36):
        IndicatorFactory(result=world.r2 if n % 2 else world.r1, code=f"X{n}", name=f"Extra {n}")


def test_forty_indicators_take_one_page_and_one_save(client, world):
    _forty_indicators(world)
    client.force_login(world.staff_all)
    html = client.get(url(world)).content.decode()
    assert html.count('class="entry-indicator"') == 40
    data = {}
    for n, indicator in enumerate(world.programme.results.first().indicators.model.objects.all()):
        if indicator.unit_kind == "count_share":
            data[field(indicator, "value")] = "10"
            data[field(indicator, "share")] = "50"
        else:
            data[field(indicator, "value")] = str(n + 1)
    assert len(data) == 41  # 40 values and one share
    response = client.post(url(world), data)
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(chain=None, sex="").count() == 40


def test_form_queries_do_not_grow_with_the_number_of_indicators(client, world):
    client.force_login(world.staff_all)
    client.get(url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(url(world))
    _forty_indicators(world)
    with CaptureQueriesContext(connection) as many:
        client.get(url(world))
    assert len(many) == len(few)


def test_concurrent_edit_is_refused_with_both_values_and_nothing_lost(client, world, django_user_model):
    from django.test import Client

    other = Client()
    client.force_login(world.staff)
    other.force_login(world.staff_all)
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("10"))
    client.get(url(world))
    other.get(url(world))
    assert (
        other.post(url(world), {field(world.count, "value"): "11", field(world.count, "version"): "1"}).status_code
        == 302
    )
    response = client.post(url(world), {field(world.count, "value"): "12", field(world.count, "version"): "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert '<span class="theirs">11</span>' in html and '<span class="yours">12</span>' in html
    assert f'name="{field(world.count, "value")}" id="id_{field(world.count, "value")}" value="12"' in html
    assert f'name="{field(world.count, "version")}" value="2"' in html  # saving again replaces theirs, knowingly
    assert IndicatorValue.objects.get(indicator=world.count).value == D("11")
    assert (
        client.post(url(world), {field(world.count, "value"): "12", field(world.count, "version"): "2"}).status_code
        == 302
    )
    value = IndicatorValue.objects.get(indicator=world.count)
    assert [r.value for r in value.history.order_by("history_date")][-2:] == [D("11"), D("12")]


def test_incomplete_disaggregation_is_flagged_not_summed(client, world):
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("10"))
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, chain=world.chain1, value=D("4"))
    client.force_login(world.staff)
    html = client.get(url(world)).content.decode()
    assert "Desagregación incompleta: faltan partes."  # Spanish UI first in html
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, chain=world.chain2, value=D("5"))
    html = client.get(url(world)).content.decode()
    assert "las partes suman 9, el total es 10" in html
    assert IndicatorValue.objects.get(indicator=world.count, chain=None).value == D("10")


def test_full_workflow_over_http_and_the_history_shows_every_step(client, world):
    client.force_login(world.staff)
    client.post(url(world), {field(world.count, "value"): "40"})
    assert client.post(url(world, "submit")).status_code == 302
    value = IndicatorValue.objects.get(indicator=world.count)
    assert value.status == "submitted"

    client.force_login(world.reviewer)
    assert world.programme.code in client.get(reverse("indicators:review_list")).content.decode()
    response = client.post(url(world, "review"), {f"return-{value.pk}": "on", f"comment-{value.pk}": "revisar acta"})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.status == "returned"

    client.force_login(world.staff)
    assert "revisar acta" in client.get(reverse("indicators:notifications")).content.decode()
    assert "revisar acta" in client.get(url(world)).content.decode()
    client.post(url(world), {field(world.count, "value"): "41", field(world.count, "version"): str(value.version)})
    client.post(url(world, "submit"))

    client.force_login(world.reviewer)
    value.refresh_from_db()
    seen = f'name="seen-{value.pk}" value="{value.version}"'
    assert seen in client.get(url(world, "review")).content.decode()  # the version the reviewer approves
    client.post(url(world, "review"), {"approve": "1", f"seen-{value.pk}": str(value.version)})
    value.refresh_from_db()
    assert value.status == "approved"

    client.force_login(world.staff)
    html = client.get(url(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Approved and locked" in html and field(world.count, "value") not in html
    assert client.post(url(world), {field(world.count, "value"): "99"}).status_code == 409
    value.refresh_from_db()
    assert value.value == D("41")

    html = client.get(reverse("indicators:value_history", args=[value.pk])).content.decode()
    steps = html.count('class="history-step"')
    assert steps == 6  # created, submitted, returned, corrected, submitted, approved
    for text in ("revisar acta", "submitted", "approved", ">40<", ">41<"):
        assert text in html


def test_reviewer_reopens_a_locked_quarter_with_a_reason(client, world):
    QuarterState.objects.filter(programme=world.programme).update(status="approved", reopened=False)
    client.force_login(world.reviewer)
    html = client.get(url(world)).content.decode()
    assert 'id="reopen-quarter"' in html
    client.post(url(world, "reopen"), {"reason": ""})
    assert QuarterState.objects.get(programme=world.programme).status == "approved"
    client.post(url(world, "reopen"), {"reason": "acta corregida"})
    state = QuarterState.objects.get(programme=world.programme)
    assert (state.status, state.reopened, state.reason) == ("open", True, "acta corregida")


def test_audit_log_lists_value_and_quarter_changes_for_admins(client, world):
    client.force_login(world.staff)
    client.post(url(world), {field(world.count, "value"): "40"})
    value = IndicatorValue.objects.get(indicator=world.count)
    client.post(url(world), {field(world.count, "value"): "41", field(world.count, "version"): str(value.version)})
    client.force_login(world.admin)
    html = client.get(reverse("indicators:audit_log")).content.decode()
    assert "R1.1 2012Q1" in html and "staff" in html
    assert '40 → <span class="new-value">41</span>' in html  # old and new value
    assert "PER0601011 2012Q1" in html  # the quarter state's own history


def test_notifications_can_be_marked_read(client, world):
    Notification.objects.create(user=world.staff, text="returned R1.1", link="/entry/PER0601011/2012Q1/")
    client.force_login(world.staff)
    assert 'class="unread"' in client.get(reverse("indicators:notifications")).content.decode()
    client.post(reverse("indicators:notifications"))
    assert Notification.objects.get().read_at is not None


def test_follow_up_flag_from_the_history_page(client, world):
    value = IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("1"))
    client.force_login(world.reviewer)
    client.post(reverse("indicators:follow_up", args=[value.pk]), {"flagged": "on"})
    value.refresh_from_db()
    assert value.follow_up


@pytest.mark.parametrize("period", ["2012", "2012Q5", "nonsense"])
def test_entry_url_needs_a_quarter(client, world, period):
    client.force_login(world.staff)
    assert client.get(f"/entry/PER0601011/{period}/").status_code == 404


def test_my_quarters_lists_the_users_programmes_with_links(client, world):
    client.force_login(world.staff)
    html = client.get(reverse("indicators:entry_home")).content.decode()
    assert "/entry/PER0601011/" in html
    assert reverse("indicators:audit_log") not in html
    client.force_login(world.admin)
    assert reverse("indicators:audit_log") in client.get(reverse("indicators:entry_home")).content.decode()


def test_save_warnings_name_the_indicator_and_row(client, world):
    client.force_login(world.staff_all)
    response = client.post(url(world), {field(world.rate, "value"): "95"}, follow=True)
    assert "R2.1 · Total: Fuera del rango esperado 10 – 90" in response.content.decode()


def test_form_shows_the_lock_state_of_every_quarter_of_the_year(client, world, settings):
    settings.ENTRY_CLOSE_AFTER_DAYS = 30
    QuarterState.objects.create(programme=world.programme, year=2012, quarter=2, status="approved")
    client.force_login(world.staff)
    html = client.get(url(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    strip = html[html.index('class="quarter-strip"') :]
    strip = " ".join(strip[: strip.index("</ol>")].split())  # indentation is the template's, not the page's
    assert strip.count("<li") == 5  # 2011Q4 and the four quarters of 2012
    assert "2012Q1</a> <span>open</span>" in strip  # reopened for the tests
    assert "2012Q2</a> <span>approved</span>" in strip
    assert "2011Q4</a> <span>closed</span>" in strip


def test_evidence_is_downloaded_through_a_guarded_view(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.staff)
    upload = SimpleUploadedFile("Acta final.pdf", b"%PDF-1.4\n% acta\n", content_type="application/pdf")
    assert (
        client.post(url(world), {field(world.count, "value"): "5", field(world.count, "evidence"): upload}).status_code
        == 302
    )
    value = IndicatorValue.objects.get(indicator=world.count)
    link = reverse("indicators:evidence", args=[value.pk])
    assert link in client.get(url(world)).content.decode()
    client.force_login(world.emcl)
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert "Acta_final.pdf" in response["Content-Disposition"]
    client.force_login(world.outsider)
    assert client.get(link).status_code == 403


def test_evidence_of_the_wrong_type_is_refused_over_http(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.staff)
    upload = SimpleUploadedFile("acta.pdf", b"MZ\x90\x00 program", content_type="application/pdf")
    response = client.post(url(world), {field(world.count, "value"): "5", field(world.count, "evidence"): upload})
    assert response.status_code == 400
    assert "debe ser un PDF, una imagen" in response.content.decode()  # Spanish UI first
    assert not IndicatorValue.objects.exists() and not list(tmp_path.rglob("*"))


def test_reviewer_sets_the_opening_date_staff_cannot(client, world):
    target = url(world, "opening_date")
    client.force_login(world.staff)
    assert client.post(target, {"opens_on": "2012-04-01"}).status_code == 403
    client.force_login(world.reviewer)
    assert 'id="set-opening-date"' in client.get(url(world)).content.decode()
    client.post(target, {"opens_on": "01/04/2012"})
    assert QuarterState.objects.get(programme=world.programme).opens_on is None  # refused, with a message
    client.post(target, {"opens_on": "2012-04-01"})
    assert str(QuarterState.objects.get(programme=world.programme).opens_on) == "2012-04-01"
