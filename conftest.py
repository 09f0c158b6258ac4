"""Project-wide pytest configuration."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: login-throttle counters must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def per0601011(db):
    """The PER0601011 programme loaded from fixtures/per0601011/programme.json (the seed's data)."""
    from pathlib import Path

    from indicators.models import Programme
    from programmes.loading import programme_load, read_programme_file

    path = Path(__file__).resolve().parent / "fixtures" / "per0601011" / "programme.json"
    outcome = programme_load(data=read_programme_file(path))
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
        yield browser
        browser.close()


@pytest.fixture
def member(db):
    """A function making a user with ``role`` in ``programme`` (``member(programme, "emcl")``)."""
    from reports.tests.factories import UserFactory, membership

    def make(programme, role, username=None):
        user = UserFactory(username=username or f"{role}-{programme.code}")
        membership(user, programme, role)
        return user

    return make
