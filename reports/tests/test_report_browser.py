"""The report, the home page and the narratives editor in a real browser: no CSP violation, screenshots.

Screenshots go to test-artifacts/ (looked at by hand when the pages change).
"""

from pathlib import Path

import pytest

from indicators.models import Membership
from tests.factories import TEST_PASSWORD, UserFactory, membership, small_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser_page(chromium):
    return chromium.new_page(viewport={"width": 1300, "height": 900}, locale="en-US")


def test_staff_read_the_report_edit_a_narrative_and_see_it(browser_page, live_server, settings, tmp_path):
    settings.REPORTS_PDF_WORKER = "off"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ARTIFACTS.mkdir(exist_ok=True)
    programme = small_programme()
    user = UserFactory(username="browser-staff", password=TEST_PASSWORD)
    membership(user, programme, Membership.Role.STAFF)
    page = browser_page
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", "browser-staff")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector(f"#programme-{programme.code}")
    page.screenshot(path=ARTIFACTS / "report_1_home.png", full_page=True)

    page.goto(f"{live_server.url}/reports/{programme.code}/2011/")
    page.wait_for_selector("#table-2-1")
    assert page.locator("figure.chart svg").count() >= 4
    page.screenshot(path=ARTIFACTS / "report_2_page.png", full_page=False)

    page.click("text=Edit narratives")
    page.fill("#section-highlights textarea", "Ventas casi duplicadas respecto al año anterior.")
    page.click("#section-highlights button[type=submit]")
    page.wait_for_selector(".messages .success")
    page.screenshot(path=ARTIFACTS / "report_3_narratives.png", full_page=False)

    page.goto(f"{live_server.url}/reports/{programme.code}/2011/")
    assert "Ventas casi duplicadas" in page.inner_text("#s2")
    assert violations == []
