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

    from indicators.loading import programme_load, read_programme_file
    from indicators.models import Programme

    path = Path(__file__).resolve().parent / "fixtures" / "per0601011" / "programme.json"
    outcome = programme_load(data=read_programme_file(path))
    return Programme.objects.get(code=outcome.code)
