"""Quarterly entry in real headless Chromium: the whole cycle, the lock, the history, and two people at once.

Screenshots of the form at desktop (1366×768) and phone width go to test-artifacts/.
"""

from decimal import Decimal as D
from pathlib import Path

import pytest

from indicators.models import IndicatorValue, Notification
from indicators.periods import Period
from indicators.tests.entry_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pw-entry-browser-2011"
Q1 = Period(2012, 1)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
def world(settings):
    # 2012Q1 is still open for entry: the quarter closes this many days after its end.
    settings.ENTRY_CLOSE_AFTER_DAYS = 365 * 30
    ARTIFACTS.mkdir(exist_ok=True)
    w = build_world(period=Q1)
    for user in (w.staff_all, w.reviewer, w.staff):
        user.set_password(PASSWORD)
        user.save()
    # Last quarter's values, to judge this quarter's against.
    IndicatorValue.objects.create(indicator=w.count, year=2011, quarter=4, value=D("10"), status="approved")
    IndicatorValue.objects.create(indicator=w.money, year=2011, quarter=4, value=D("1000"), status="approved")
    return w


def login(context, live_server, username):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def form_url(live_server):
    return f"{live_server.url}/entry/PER0601011/2012Q1/"


def field(indicator, name, chain=None, sex="T"):
    return f'[name="r{indicator.pk}-{chain.pk if chain else 0}-{sex}-{name}"]'


def value_of(indicator, chain=None, sex=""):
    return IndicatorValue.objects.get(indicator=indicator, year=2012, quarter=1, chain=chain, sex=sex)


def test_quarter_cycle_in_the_browser(browser, live_server, world):
    staff = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = login(staff, live_server, "staff_all")
    page.goto(form_url(live_server))
    page.screenshot(path=ARTIFACTS / "entry_1_desktop_empty.png")

    # A Peruvian-typed amount, with live validation and Enter that does not submit.
    page.fill(field(world.money, "value"), "1.234,5")
    page.press(field(world.money, "value"), "Enter")
    assert page.url == form_url(live_server)
    assert page.evaluate("document.activeElement.name") == f"r{world.money.pk}-0-T-no_data"  # Enter moved on
    assert not IndicatorValue.objects.filter(year=2012).exists()
    # An ambiguous number is asked, never guessed.
    page.fill(field(world.count, "value", world.chain1), "1.234")
    row = page.locator(f"#row-{world.count.pk}-{world.chain1.pk}-T")
    assert "Did you mean" in row.inner_text()
    page.fill(field(world.count, "value", world.chain1), "")
    # An outlier: 45 after 10 needs a comment (a warning, not a block).
    page.fill(field(world.count, "value"), "45")
    total_row = page.locator(f"#row-{world.count.pk}-0-T")
    assert "explain it in the comment" in total_row.inner_text()
    assert "needs-comment" in (total_row.locator("textarea.comment").get_attribute("class") or "")
    page.fill(f"#row-{world.count.pk}-0-T textarea.comment", "feria regional en marzo")
    # Sin dato with its reason.
    page.check(field(world.rate, "no_data"))
    assert page.locator(field(world.rate, "value")).is_disabled()
    page.fill(field(world.rate, "no_data_reason"), "encuesta de satisfacción no aplicada")
    # A count with its share.
    page.fill(field(world.people, "value"), "927")
    page.fill(field(world.people, "share"), "35")
    # ... kept consistent with its women part as it is typed.
    page.fill(field(world.people, "value", sex="F"), "400")
    assert "does not match women" in page.inner_text(f"#ind-{world.people.pk} .disaggregation-live")
    page.fill(field(world.people, "value", sex="F"), "324")
    page.fill(field(world.people, "value", sex="M"), "603")
    assert page.locator(f"#ind-{world.people.pk} .disaggregation-live").is_hidden()
    page.screenshot(path=ARTIFACTS / "entry_2_desktop_filled.png")
    page.click("#save-button")
    page.wait_for_selector(".messages li.success")

    assert value_of(world.money).value == D("1234.5")
    assert value_of(world.count).value == D("45") and value_of(world.count).comment == "feria regional en marzo"
    assert value_of(world.rate).no_data and value_of(world.rate).no_data_reason.startswith("encuesta")
    assert (value_of(world.people).value, value_of(world.people).share) == (D("927"), D("35"))
    assert value_of(world.people, sex="F").value == D("324")

    # Phone width: the same form, one block per row, still editable.
    phone = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    phone_page = login(phone, live_server, "staff")
    phone_page.goto(form_url(live_server))
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone_page.locator(field(world.count, "value")).is_editable()
    phone_page.screenshot(path=ARTIFACTS / "entry_5_phone.png", full_page=False)
    phone_page.screenshot(path=ARTIFACTS / "entry_6_phone_full.png", full_page=True)
    phone.close()

    page.click("#submit-quarter")
    page.wait_for_selector(".messages li.success")
    assert set(IndicatorValue.objects.filter(year=2012).values_list("status", flat=True)) == {"submitted"}

    # The reviewer returns one value with a comment.
    reviewer = browser.new_context(viewport=DESKTOP, locale="en-US")
    review_page = login(reviewer, live_server, "reviewer")
    review_page.goto(f"{live_server.url}/entry/review/")
    review_page.click("table a:has-text('Review')")
    count_id = value_of(world.count).pk
    review_page.check(f'[name="return-{count_id}"]')
    review_page.fill(f'[name="comment-{count_id}"]', "verificar con el acta de la feria")
    review_page.screenshot(path=ARTIFACTS / "entry_8_review.png", full_page=True)
    review_page.click("#return-values")
    review_page.wait_for_selector(".messages li.success")
    assert value_of(world.count).status == "returned"
    assert Notification.objects.filter(user=world.staff_all, text__contains="verificar con el acta").exists()

    # The staff member sees it and corrects it.
    page.goto(form_url(live_server))
    assert "verificar con el acta de la feria" in page.inner_text(f"#row-{world.count.pk}-0-T")
    page.fill(field(world.count, "value"), "44")
    page.click("#save-button")
    page.wait_for_selector(".messages li.success")
    assert value_of(world.count).value == D("44") and value_of(world.count).status == "draft"
    page.click("#submit-quarter")
    page.wait_for_selector(".messages li.success")

    # The reviewer approves: the quarter is locked.
    review_page.goto(f"{live_server.url}/entry/PER0601011/2012Q1/review/")
    review_page.click("#approve-quarter")
    review_page.wait_for_selector(".messages li.success")
    assert set(IndicatorValue.objects.filter(year=2012).values_list("status", flat=True)) == {"approved"}

    page.goto(form_url(live_server))
    assert "Approved and locked" in page.inner_text("#quarter-state")
    assert page.locator(field(world.count, "value")).count() == 0
    assert page.locator("#save-button").count() == 0
    # Even a hand-made POST is refused by the server.
    status = page.evaluate(
        """async (name) => {
            const token = document.querySelector('[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token});
            body.append(name, '99');
            const response = await fetch(location.href, {method: 'POST', body});
            return response.status;
        }""",
        f"r{world.count.pk}-0-T-value",
    )
    assert status == 409
    assert value_of(world.count).value == D("44")
    page.screenshot(path=ARTIFACTS / "entry_3_desktop_locked.png", full_page=True)

    # The history is one click away and shows every step.
    page.click(f"#row-{world.count.pk}-0-T a.history-link")
    page.wait_for_selector(".history-table")
    history = page.inner_text(".history-table")
    assert page.locator("tr.history-step").count() == 6
    for text in ("45", "44", "feria regional", "verificar con el acta de la feria", "submitted", "approved"):
        assert text in history
    page.screenshot(path=ARTIFACTS / "entry_4_history.png", full_page=True)


def test_concurrent_edit_in_two_browsers_refuses_the_second_save_with_both_values(browser, live_server, world):
    first = login(browser.new_context(viewport=DESKTOP, locale="en-US"), live_server, "staff")
    second = login(browser.new_context(viewport=DESKTOP, locale="en-US"), live_server, "staff_all")
    IndicatorValue.objects.create(indicator=world.count, year=2012, quarter=1, value=D("12"))
    first.goto(form_url(live_server))
    second.goto(form_url(live_server))

    first.fill(field(world.count, "value"), "13")
    first.click("#save-button")
    first.wait_for_selector(".messages li.success")

    second.fill(field(world.count, "value"), "14")
    second.fill(f"#row-{world.count.pk}-0-T textarea.comment", "dato del informe regional")
    second.click("#save-button")
    second.wait_for_selector(".conflict")
    conflict = second.inner_text(".conflict")
    assert "13" in second.inner_text(".conflict .theirs") and "14" in second.inner_text(".conflict .yours")
    assert "staff" in conflict
    assert second.input_value(field(world.count, "value")) == "14"  # nothing lost
    assert second.input_value(f"#row-{world.count.pk}-0-T textarea.comment") == "dato del informe regional"
    assert value_of(world.count).value == D("13")
    second.screenshot(path=ARTIFACTS / "entry_7_conflict.png", full_page=False)

    # Knowing both, the second person saves again: theirs replaces, and the history keeps both.
    second.click("#save-button")
    second.wait_for_selector(".messages li.success")
    assert value_of(world.count).value == D("14")
    assert [r.value for r in value_of(world.count).history.order_by("history_date")] == [D("12"), D("13"), D("14")]


def test_region_rows_and_a_ratio_row_in_the_browser(browser, live_server, world):
    """Region rows by department name, a regional staff member's one editable row, a ratio's live share."""
    from indicators.tests.entry_world import add_regions

    rw = add_regions(world)
    for user in (rw.staff_ayacucho,):
        user.set_password(PASSWORD)
        user.save()
    IndicatorValue.objects.create(indicator=rw.by_region, year=2012, quarter=1, region="03", value=D("6"))

    page = login(browser.new_context(viewport=DESKTOP, locale="es-PE"), live_server, "staff_all")
    page.goto(form_url(live_server))
    ratio = f"#ind-{rw.ratio.pk}"
    page.fill(f'[name="r{rw.ratio.pk}-0-T-numerator"]', "617,25")
    page.fill(f'[name="r{rw.ratio.pk}-0-T-denominator"]', "1.234,5")
    assert page.inner_text(f"#row-{rw.ratio.pk}-0-T td.ratio-share output") == "50%"
    page.fill(f'[name="r{rw.ratio.pk}-0-T-05-numerator"]', "10")
    page.fill(f'[name="r{rw.ratio.pk}-0-T-05-denominator"]', "0")
    assert "mayor que cero" in page.inner_text(f"#row-{rw.ratio.pk}-0-T-05")
    page.fill(f'[name="r{rw.ratio.pk}-0-T-05-denominator"]', "20")
    assert "Desagregación incompleta" in page.inner_text(f"{ratio} .disaggregation-live")  # Apurímac, Huancavelica
    page.fill(field(rw.by_region, "value"), "10")
    page.fill(f'[name="r{rw.by_region.pk}-0-T-05-value"]', "3")
    page.fill(f'[name="r{rw.by_region.pk}-0-T-09-value"]', "2")
    assert "suman" in page.inner_text(f"#ind-{rw.by_region.pk} .disaggregation-live")  # 6 + 3 + 2 is not 10
    page.locator(f"#ind-{rw.by_region.pk}").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "entry_9_regions_ratio.png", full_page=True)
    page.fill(f'[name="r{rw.ratio.pk}-0-T-05-numerator"]', "")
    page.fill(f'[name="r{rw.ratio.pk}-0-T-05-denominator"]', "")
    page.fill(f'[name="r{rw.by_region.pk}-0-T-05-value"]', "")
    page.fill(f'[name="r{rw.by_region.pk}-0-T-09-value"]', "")
    page.click("#save-button")
    page.wait_for_selector(".messages li.success")
    saved = IndicatorValue.objects.get(indicator=rw.ratio, year=2012, quarter=1, region="")
    assert (saved.numerator, saved.denominator, saved.value) == (D("617.25"), D("1234.5"), D("50"))
    assert "Desagregación incompleta" in page.inner_text(f"#ind-{rw.by_region.pk} .disaggregation-flag")

    # A regional staff member: only their department's rows take input.
    regional = login(browser.new_context(viewport=DESKTOP, locale="es-PE"), live_server, "staff_ayacucho")
    regional.goto(form_url(live_server))
    inputs = regional.locator(f"#ind-{rw.by_region.pk} input.num-input")
    assert inputs.count() == 1 and inputs.get_attribute("name") == f"r{rw.by_region.pk}-0-T-05-value"
    assert "Ayacucho" in regional.inner_text(f"#row-{rw.by_region.pk}-0-T-05")
    regional.fill(f'[name="r{rw.by_region.pk}-0-T-05-value"]', "4")
    regional.screenshot(path=ARTIFACTS / "entry_10_regional_staff.png", full_page=True)
    regional.click("#save-button")
    regional.wait_for_selector(".messages li.success")
    assert IndicatorValue.objects.get(indicator=rw.by_region, region="05").entered_by == rw.staff_ayacucho
