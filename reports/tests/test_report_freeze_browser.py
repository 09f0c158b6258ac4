"""The approved report in a real browser, Spanish and English, desktop and phone widths: approve, the
newer-data notice, the difference, reopening (refused without a reason, then done), a year without report.

Screenshots go to test-artifacts/freeze_<lang>_<width>_<step>.png (looked at by hand when the pages change).
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from indicators.models import IndicatorValue, Membership
from reports.models import Report
from tests.factories import TEST_PASSWORD, UserFactory, membership, small_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MSGIDS = {"approve": "Approve the report", "newer": "Newer data exists.", "reopen": "Reopen the report"}


def _text(language: str) -> dict[str, str]:
    """The interface's words in ``language``, from the catalogue as it stands (English where not yet translated)."""
    with translation.override(language):
        return {key: translation.gettext(msgid) for key, msgid in MSGIDS.items()}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_approve_see_newer_data_and_its_difference_then_reopen(
    chromium, live_server, settings, tmp_path, language, width
):
    settings.REPORTS_PDF_WORKER = "off"
    words = _text(language)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ARTIFACTS.mkdir(exist_ok=True)
    programme = small_programme()
    user = UserFactory(username=f"emcl-browser-{language}-{width}", password=TEST_PASSWORD)
    membership(user, programme, Membership.Role.EMCL)
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale="es-PE" if language == "es" else "en-US"
    )
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    def shot(step: str) -> None:
        page.screenshot(path=ARTIFACTS / f"freeze_{language}_{width}_{step}.png", full_page=False)

    def fits() -> bool:
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(f"{live_server.url}/accounts/login/?next=/reports/{programme.code}/2011/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("#report-state")
    page.fill("input[name=session_date]", "2012-02-20")
    page.click(f"text={words['approve']}")
    page.wait_for_selector("#frozen-note")
    assert "20.02.2012" in page.inner_text("#report-state")
    assert page.locator("#newer-data").count() == 0
    shot("1_approved")

    value = IndicatorValue.objects.get(indicator__code="R1.2", indicator__result__programme=programme, year=2011)
    value.value = Decimal("977")
    value.save()
    page.reload()
    page.wait_for_selector("#newer-data")
    assert words["newer"] in page.inner_text("#newer-data")
    shot("2_newer_data")

    page.click("#newer-data a")
    page.wait_for_selector("#changes")
    assert "977" in page.inner_text("#changes") and "61" in page.inner_text("#changes")
    assert fits()
    shot("3_changes")

    page.goto(f"{live_server.url}/reports/{programme.code}/2011/")
    page.click("#reopen-link")
    page.wait_for_selector("textarea[name=reason]")
    page.fill("textarea[name=reason]", "   ")
    page.click(f"button:has-text('{words['reopen']}')")
    page.wait_for_selector(".reopen-form .error")
    assert fits()
    shot("4_reopen_refused")
    assert Report.objects.get(programme=programme, year=2011).status == Report.Status.APPROVED

    page.fill("textarea[name=reason]", "Valor de R1.2 corregido.")
    page.click(f"button:has-text('{words['reopen']}')")
    page.wait_for_selector(".messages .success")
    page.click("#approval-history summary")
    assert "Valor de R1.2 corregido." in page.inner_text("#approval-history")
    shot("5_reopened")
    assert Report.objects.get(programme=programme, year=2011).status == Report.Status.DRAFT

    response = page.goto(f"{live_server.url}/reports/{programme.code}/2031/")
    assert response.status == 404
    assert page.locator("#report-years a").count() == len(programme.years)
    assert fits()
    shot("6_year_404")
    assert violations == []
    context.close()
