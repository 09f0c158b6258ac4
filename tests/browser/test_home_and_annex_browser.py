"""The home page's period and annex 7.3 in real headless Chromium, at desktop and phone width, in Spanish and English.

Screenshots go to test-artifacts/home_*.png and annex73_*.png (looked at by hand when these pages change).
"""

from pathlib import Path

import pytest

from indicators.models import IndicatorValue, Membership, Programme
from programmes.loading import programme_load, read_programme_file
from tests.factories import TEST_PASSWORD, UserFactory, membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SEED = ROOT / "fixtures" / "per0601011" / "programme.json"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LOCALES = {"es": "es-ES", "en": "en-US"}


@pytest.fixture
def world(settings, tmp_path):
    settings.REPORTS_PDF_WORKER = "off"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ARTIFACTS.mkdir(exist_ok=True)
    programme_load(data=read_programme_file(SEED))
    programme = Programme.objects.get(code="PER0601011")
    user = UserFactory(username="browser-emcl", password=TEST_PASSWORD)
    membership(user, programme, Membership.Role.EMCL)
    # A staff member's trial values for 2026Q4: they must not move anyone's home page.
    for indicator in programme.results.get(code="OE").indicators.all()[:6]:
        IndicatorValue.objects.create(
            indicator=indicator, year=2026, quarter=4, value=1, status=IndicatorValue.Status.SUBMITTED
        )
    return programme


def _page(chromium, live_server, size, language):
    context = chromium.new_context(viewport=WIDTHS[size], locale=LOCALES[language])
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", "browser-emcl")
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("#programme-PER0601011")
    return page, violations


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_home_period_choice_and_annex_7_3(chromium, live_server, world, size, language):
    page, violations = _page(chromium, live_server, size, language)
    heading = page.inner_text("#programme-PER0601011 h2")
    assert "2011" in heading and "2026" not in heading
    page.screenshot(path=ARTIFACTS / f"home_{size}_{language}.png", full_page=True)

    page.select_option("#period-PER0601011", "2010")
    page.click(".period-choice button[type=submit]")
    page.wait_for_url("**/?period=2010")
    assert "2010" in page.inner_text("#programme-PER0601011 h2")
    page.screenshot(path=ARTIFACTS / f"home_2010_{size}_{language}.png", full_page=True)

    response = page.goto(f"{live_server.url}/?period=2011Q9")
    assert response.status == 400
    assert page.locator(".messages li.error").count() == 1
    page.screenshot(path=ARTIFACTS / f"home_bad_period_{size}_{language}.png", full_page=False)

    for year in (2010, 2011):
        page.goto(f"{live_server.url}/reports/PER0601011/{year}/")
        annex = page.locator("#s7-3")
        annex.scroll_into_view_if_needed()
        annex.screenshot(path=ARTIFACTS / f"annex73_{year}_{size}_{language}.png")
        href = page.get_attribute("#annex-7-3-xlsx", "href")
        assert href == f"/exports/PER0601011/budget-vs-actuals-{year}.xlsx"
    assert violations == []
