"""Project-wide pytest configuration."""

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests are judged by their examples, never by the clock: no per-example deadline, and no
# failure because generating the examples was slow (a busy machine), for every @given of the suite.
hypothesis_settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("suite")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: login-throttle counters must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def per0601011_data() -> dict:
    """fixtures/per0601011/programme.json (the seed's data) as parsed, read once per session: copy it to change it."""
    from pathlib import Path

    from programmes.loading import read_programme_file

    return read_programme_file(Path(__file__).resolve().parent / "fixtures" / "per0601011" / "programme.json")


@pytest.fixture
def per0601011(db, per0601011_data):
    """The PER0601011 programme loaded by the loader inside the test's transaction (gone after the test)."""
    import copy

    from indicators.models import Programme
    from programmes.loading import programme_load

    outcome = programme_load(data=copy.deepcopy(per0601011_data))
    return Programme.objects.get(code=outcome.code)


@pytest.fixture
def chromium(monkeypatch):
    """Debian's headless Chromium driven by Playwright (no browser download here).

    Playwright's sync API runs an event loop in this thread, which Django's async-safety check
    refuses; the variable that lifts the check is set for this test only, so that it never leaks
    into a later subprocess (``check --deploy`` rightly rejects it).
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-background-networking"]
        )
        yield PatientBrowser(browser)
        browser.close()


class PatientBrowser:
    """The browser, whose pages wait for a selector or a page as long as the live server needs: Playwright's
    default of 30 s is a guess of the machine's speed (see tests.waits for the cap of a hang)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(_patient_milliseconds())
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(_patient_milliseconds())
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


def _patient_milliseconds() -> float:
    from tests.waits import REQUEST_SECONDS

    return REQUEST_SECONDS * 1000


@pytest.fixture
def member(db):
    """tests.factories.member: makes a user with ``role`` in ``programme`` (``member(programme, "emcl")``)."""
    from tests.factories import member

    return member
