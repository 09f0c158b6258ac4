"""The token page in a real browser: create a token, see it once, revoke it."""

from pathlib import Path

import pytest

from cse_monitor.models import ApiToken
from tests.factories import TEST_PASSWORD, UserFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_create_and_revoke_a_token_in_the_browser(live_server, chromium):
    UserFactory(username="browser-staff", password=TEST_PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/api/tokens/")
    page.fill("input[name=username]", "browser-staff")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server.url}/api/tokens/")
    page.fill("input[name=name]", "donor dashboard")
    page.click(".token-create button[type=submit]")
    secret = page.inner_text("#new-token")
    page.screenshot(path=str(ARTIFACTS / "api_tokens_created.png"), full_page=True)
    assert secret.startswith("cse_")
    page.goto(f"{live_server.url}/api/tokens/")
    assert secret not in page.content()
    page.click("table.tokens button[type=submit]")
    page.wait_for_selector("text=revoked")
    page.screenshot(path=str(ARTIFACTS / "api_tokens_revoked.png"), full_page=True)
    assert ApiToken.objects.get().revoked_at is not None
