"""Error pages, the throttled login and the admin in a real browser under the real CSP: no violation.

Screenshots go to test-artifacts/ (looked at by hand when the pages change).
"""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "Ayacucho-Huanta-2011"


@pytest.fixture
def page(chromium):
    return chromium.new_page(viewport={"width": 1200, "height": 800}, locale="en-US")


def test_error_pages_throttled_login_and_admin_render_without_csp_violations(page, live_server, settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ARTIFACTS.mkdir(exist_ok=True)
    call_command("load_programme", str(ROOT / "fixtures" / "per0601011" / "programme.json"), stdout=io.StringIO())
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    get_user_model().objects.create_user("outsider", password=PASSWORD)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response.status == 404
    assert page.locator(".error-page .error-code").inner_text() == "404"
    page.screenshot(path=ARTIFACTS / "production_404.png")

    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", "wrong")
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/") and r.request.method == "POST") as info:
        page.press("#id_password", "Enter")
    assert info.value.status == 429
    assert "Too many failed login attempts" in page.inner_text(".login")
    page.screenshot(path=ARTIFACTS / "production_login_throttled.png")

    page.context.clear_cookies()
    from django.core.cache import cache

    cache.clear()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/indicators/indicator/")
    page.wait_for_selector("#result_list")
    page.goto(f"{live_server.url}/admin/indicators/indicator/{_first_indicator_pk()}/change/")
    page.wait_for_selector("#indicator_form")
    page.screenshot(path=ARTIFACTS / "production_admin_change.png")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", "outsider")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()
    response = page.goto(f"{live_server.url}/reports/PER0601011/2011/")
    assert response.status == 403  # signed in, but no role in the programme
    assert page.locator(".error-page .error-code").inner_text() == "403"
    page.screenshot(path=ARTIFACTS / "production_403.png")
    assert violations == []


def _first_indicator_pk() -> int:
    from indicators.models import Indicator

    return Indicator.objects.order_by("pk").values_list("pk", flat=True).first()
