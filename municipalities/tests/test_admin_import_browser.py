"""The admin import flow in a real browser: upload the seed's annex, read the preview, confirm.

Screenshots go to test-artifacts/ (looked at by hand when the page changes).
"""

from pathlib import Path

import pytest

from municipalities.models import BeneficiaryDistrict
from municipalities.tests import factories
from municipalities.tests.seed_annex_74 import HEADER
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser_page(chromium):
    return chromium.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")


def _login(page, live_server):
    factories.admin_user()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/municipalities/beneficiarydistrict/")
    page.fill("#id_username", "importer")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")


def test_admin_upload_preview_confirm(browser_page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    ARTIFACTS.mkdir(exist_ok=True)
    factories.programme()
    workbook = tmp_path / "anexo_7_4.xlsx"
    workbook.write_bytes(factories.seed_annex_workbook())
    page = browser_page
    _login(page, live_server)

    page.click("a.import_link")
    page.select_option("#id_programme", label="PER0601011")
    page.set_input_files("#id_import_file", str(workbook))
    page.screenshot(path=ARTIFACTS / "beneficiaries_1_upload.png", full_page=True)
    page.click("input[name=preview]")

    page.wait_for_selector("#beneficiary-confirm")
    assert page.inner_text("#import-summary .action-create") == "73"
    assert page.locator("#import-rows tbody tr").count() == 73
    assert "QUISHUAR" in page.inner_text("#import-rows")
    assert not BeneficiaryDistrict.objects.exists()
    page.screenshot(path=ARTIFACTS / "beneficiaries_2_preview.png", full_page=False)

    page.click("input[name=confirm]")

    page.wait_for_selector("ul.messagelist li.success")
    assert "73 created" in page.inner_text("ul.messagelist")
    assert BeneficiaryDistrict.objects.count() == 73
    page.screenshot(path=ARTIFACTS / "beneficiaries_3_imported.png", full_page=False)


def test_admin_preview_of_a_file_with_refused_rows_offers_the_download(browser_page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    ARTIFACTS.mkdir(exist_ok=True)
    factories.programme()
    workbook = tmp_path / "con_errores.xlsx"
    workbook.write_bytes(
        factories.workbook_bytes(
            [
                HEADER,
                ("030301", "Perú", "Apurímac", "ANTABAMBA", "ANTABAMBA", "", 3166, "49.97%", ""),
                ("050102", "Perú", "Ayacucho", "HUANTA", "ACOCRO", "", 0, "50%", ""),
                ("999999", "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "150%", ""),
            ]
        )
    )
    page = browser_page
    _login(page, live_server)
    page.goto(f"{live_server.url}/admin/municipalities/beneficiarydistrict/import/")
    page.select_option("#id_programme", label="PER0601011")
    page.set_input_files("#id_import_file", str(workbook))
    page.click("input[name=preview]")

    page.wait_for_selector("#import-refused")
    assert page.locator("#beneficiary-confirm").count() == 0
    assert page.inner_text("#import-summary .action-refused") == "2"
    page.screenshot(path=ARTIFACTS / "beneficiaries_4_refused.png", full_page=True)
    with page.expect_download() as download:
        page.click("#refused-download")
    assert download.value.suggested_filename == "con_errores_rechazadas.xlsx"
    assert not BeneficiaryDistrict.objects.exists()
