"""Project-level checks: migrations, system checks, the district register."""

from io import StringIO

import pytest
from django.core.management import call_command

from municipalities.models import District


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_system_check_is_clean():
    call_command("check", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_migrations_load_the_inei_district_register():
    assert District.objects.count() == 1874
    ayacucho = District.objects.get(ubigeo="050101")
    assert (ayacucho.department, ayacucho.province, ayacucho.name) == ("AYACUCHO", "HUAMANGA", "AYACUCHO")
    # Callao: 07 for INEI, 24 for RENIEC.
    assert District.objects.get(ubigeo="070101").ubigeo_reniec == "240101"
