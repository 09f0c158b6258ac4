"""Fixtures of the report tests: the PER0601011 data loaded once per module, users per role."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from indicators.models import Programme
from programmes.loading import _delete_programme

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "per0601011" / "programme.json"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(autouse=True)
def _pdf_worker_off(settings, tmp_path):
    """Tests run the PDF queue themselves; files go to a temporary MEDIA_ROOT."""
    settings.REPORTS_PDF_WORKER = "off"
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="module")
def per0601011_module(django_db_setup, django_db_blocker):
    """The PER0601011 programme loaded by the project's loader and committed, kept for the module, removed after:
    for module-scoped fixtures that render once (the root ``per0601011`` is loaded anew in each test)."""
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        # Never touch a real database: pytest-django sets the test one up only when a test of the
        # session is marked django_db (the modules using this fixture are).
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        call_command("load_programme", str(SEED_FIXTURE), "--replace", verbosity=0)
        programme = Programme.objects.get(code="PER0601011")
        yield programme
        # The loader's own removal: PROTECTed references (plan lines, values) go first.
        _delete_programme(programme)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
