"""python manage.py import_beneficiaries: the same service from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from municipalities.models import BeneficiaryDistrict, BeneficiaryImport
from municipalities.tests import factories
from municipalities.tests.seed_annex_74 import HEADER

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_beneficiaries", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def annex(tmp_path):
    factories.programme()
    path = tmp_path / "anexo.xlsx"
    path.write_bytes(factories.seed_annex_workbook())
    return path


def test_command_imports_with_a_progress_bar_and_logs_the_user(annex):
    user = factories.admin_user()
    out, err = _run(str(annex), "--programme", "PER0601011", "--user", user.username)

    assert "Imported. 73 rows: 73 to create, 0 to update, 0 unchanged, 0 refused." in out
    assert "Repeated header rows skipped, at workbook row: 53." in out
    assert "Checking rows [" in err and "73/73" in err
    assert BeneficiaryDistrict.objects.count() == 73
    assert BeneficiaryImport.objects.get().user == user


def test_command_dry_run_writes_nothing(annex):
    out, _ = _run(str(annex), "--programme", "PER0601011", "--dry-run", "--no-progress")

    assert "Dry run, nothing written. 73 rows: 73 to create" in out
    assert not BeneficiaryDistrict.objects.exists()


def test_command_second_run_reports_everything_unchanged(annex):
    _run(str(annex), "--programme", "PER0601011", "--no-progress")
    out, _ = _run(str(annex), "--programme", "PER0601011", "--no-progress")

    assert "0 to create, 0 to update, 73 unchanged" in out


def test_command_refuses_a_file_with_bad_rows_and_writes_them_out(tmp_path):
    factories.programme()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        factories.workbook_bytes([HEADER, ("999999", "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "", "")])
    )
    refused = tmp_path / "refused.xlsx"

    with pytest.raises(CommandError, match="1 refused.*nothing was imported"):
        _run(str(path), "--programme", "PER0601011", "--refused-out", str(refused), "--no-progress")

    assert not BeneficiaryDistrict.objects.exists()
    sheet = load_workbook(refused).active
    assert "does not exist in the district register" in sheet.cell(2, 11).value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--programme", "NOPE"], "No programme with code 'NOPE'"),
        (["--programme", "PER0601011", "--user", "ghost"], "No user 'ghost'"),
    ],
)
def test_command_refuses_unknown_programme_or_user(annex, args, message):
    with pytest.raises(CommandError, match=message):
        _run(str(annex), *args)


def test_command_refuses_a_file_that_is_not_a_workbook(tmp_path):
    factories.programme()
    path = tmp_path / "list.xlsx"
    path.write_text("Ubigeo;Distrito\n")

    with pytest.raises(CommandError, match="not an Excel workbook.*Nothing was imported"):
        _run(str(path), "--programme", "PER0601011")
    assert BeneficiaryImport.objects.get().outcome == BeneficiaryImport.Outcome.REFUSED_FILE


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        _run(str(tmp_path / "missing.xlsx"), "--programme", "PER0601011")
