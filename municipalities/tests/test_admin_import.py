"""The admin flow through HTTP: upload, preview, confirm; refusals, downloads and permissions."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from municipalities.models import BeneficiaryDistrict, BeneficiaryImport
from municipalities.tests import factories
from municipalities.tests.seed_annex_74 import HEADER

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/municipalities/beneficiarydistrict/import/"
CONFIRM_URL = "/admin/municipalities/beneficiarydistrict/process_import/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_client(client):
    client.force_login(factories.admin_user())
    return client


def _upload(client, content: bytes, name: str = "anexo.xlsx", codes: str = "inei"):
    programme = factories.programme()
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(IMPORT_URL, {"programme": programme.pk, "codes": codes, "import_file": upload})


def _confirm_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(log|token)" value="([^"]+)"', html))


def test_upload_shows_a_preview_and_writes_nothing(admin_client):
    response = _upload(admin_client, factories.seed_annex_workbook())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="beneficiary-confirm"' in html
    assert '<td class="action-create">73</td>' in html
    assert "Repeated header rows skipped, at workbook row: 53" in html
    assert "the register names 090711 QUISHUAR" in html
    assert not BeneficiaryDistrict.objects.exists()
    assert BeneficiaryImport.objects.get().outcome == BeneficiaryImport.Outcome.PREVIEW


def test_confirm_imports_the_previewed_file(admin_client):
    html = _upload(admin_client, factories.seed_annex_workbook()).content.decode()

    response = admin_client.post(CONFIRM_URL, _confirm_fields(html), follow=True)

    assert "Imported anexo.xlsx: 73 created, 0 updated, 0 unchanged." in response.content.decode()
    assert BeneficiaryDistrict.objects.count() == 73
    assert list(BeneficiaryImport.objects.order_by("pk").values_list("outcome", flat=True)) == ["preview", "applied"]


def test_confirming_twice_imports_once(admin_client):
    fields = _confirm_fields(_upload(admin_client, factories.seed_annex_workbook()).content.decode())
    admin_client.post(CONFIRM_URL, fields)

    response = admin_client.post(CONFIRM_URL, fields, follow=True)

    assert "no longer valid" in response.content.decode() or "already confirmed" in response.content.decode()
    assert BeneficiaryImport.objects.filter(outcome="applied").count() == 1


def test_a_forged_token_is_refused(admin_client):
    fields = _confirm_fields(_upload(admin_client, factories.seed_annex_workbook()).content.decode())
    fields["token"] = "../../etc/passwd"

    response = admin_client.post(CONFIRM_URL, fields, follow=True)

    assert "no longer valid" in response.content.decode()
    assert not BeneficiaryDistrict.objects.exists()


def test_another_user_cannot_confirm_my_preview(admin_client, client):
    fields = _confirm_fields(_upload(admin_client, factories.seed_annex_workbook()).content.decode())
    client.force_login(factories.admin_user("other"))

    client.post(CONFIRM_URL, fields)

    assert not BeneficiaryDistrict.objects.exists()


def test_refused_rows_show_why_offer_a_download_and_no_confirm(admin_client):
    content = factories.workbook_bytes(
        [
            HEADER,
            ("050102", "Perú", "Ayacucho", "HUANTA", "ACOCRO", "", 10, "50%", ""),
            ("030301", "Perú", "Apurímac", "ANTABAMBA", "ANTABAMBA", "", 3166, "49.97%", ""),
        ]
    )
    html = _upload(admin_client, content).content.decode()

    assert 'id="beneficiary-confirm"' not in html
    assert "1 row is refused: nothing will be imported" in html
    assert "Province &#x27;HUANTA&#x27; does not match the register: 050102 is in AYACUCHO / HUAMANGA / ACOCRO." in html
    log = BeneficiaryImport.objects.get()
    download = admin_client.get(reverse("admin:municipalities_beneficiaryimport_refused", args=[log.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="anexo_rechazadas.xlsx"'
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet.max_row == 2 and "HUANTA" in sheet.cell(2, 11).value
    assert not BeneficiaryDistrict.objects.exists()


def test_a_hostile_file_is_refused_on_the_form(admin_client):
    content = factories.rezip(factories.seed_annex_workbook(), add={"xl/vbaProject.bin": b"x"})

    response = _upload(admin_client, content)

    assert response.status_code == 200
    assert "The workbook contains macros" in response.content.decode()
    assert not BeneficiaryDistrict.objects.exists()


def test_template_and_programme_export_download(admin_client):
    programme = factories.programme()
    template = admin_client.get(reverse("admin:municipalities_beneficiarydistrict_template", args=[programme.pk]))
    export = admin_client.get(reverse("admin:municipalities_beneficiarydistrict_programme_export", args=[programme.pk]))

    assert template.status_code == export.status_code == 200
    assert "Listas" in load_workbook(io.BytesIO(template.content)).sheetnames
    assert load_workbook(io.BytesIO(export.content)).active["A1"].value == "Ubigeo"


def test_import_export_export_button_writes_the_annex_layout(admin_client):
    _upload(admin_client, factories.seed_annex_workbook())
    admin_client.post(
        CONFIRM_URL, _confirm_fields(_upload(admin_client, factories.seed_annex_workbook()).content.decode())
    )

    response = admin_client.post(
        "/admin/municipalities/beneficiarydistrict/export/",
        {
            "format": "0",
            "resource": "0",
            **{
                f"beneficiaryresource_{f}": "on"
                for f in (
                    "ubigeo",
                    "country",
                    "department",
                    "province",
                    "district",
                    "intervention",
                    "population",
                    "women",
                    "domain",
                )
            },
        },
    )

    assert response.status_code == 200, response.content[:500]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Ubigeo" and sheet.max_row == 74


@pytest.mark.parametrize(
    "url",
    [
        IMPORT_URL,
        "/admin/municipalities/beneficiarydistrict/template/1/",
        "/admin/municipalities/beneficiaryimport/1/refused.xlsx",
    ],
)
def test_staff_without_permissions_is_refused(client, url):
    factories.programme()
    user = get_user_model().objects.create_user("clerk", password="pw-not-secret-42", is_staff=True)
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 403


def test_staff_without_permissions_cannot_confirm(client):
    user = get_user_model().objects.create_user("clerk", password="pw-not-secret-42", is_staff=True)
    client.force_login(user)

    assert client.post(CONFIRM_URL, {"log": "1", "token": "0" * 32}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(IMPORT_URL)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_previews_never_confirmed_are_deleted_after_a_day(admin_client, settings):
    import os
    import time

    _upload(admin_client, factories.seed_annex_workbook())
    pending = settings.MEDIA_ROOT / "beneficiary-imports"
    (old,) = pending.iterdir()
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))

    _upload(admin_client, factories.seed_annex_workbook())

    remaining = list(pending.iterdir())
    assert len(remaining) == 1 and old not in remaining
