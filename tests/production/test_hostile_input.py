"""Hostile input: markup in free text, oversized bodies, wrong content types, path traversal in upload
names. Each ends in a clear 4xx and nothing stored that should not be."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from bench.bench_load import PROGRAMME, entry_values, filled_entry_form
from indicators.models import IndicatorValue
from reports.models import NarrativeSection

ROOT = Path(__file__).resolve().parents[2]
ENTRY = f"/entry/{PROGRAMME}/2011Q2/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def programme(db, settings, tmp_path):
    settings.ENTRY_CLOSE_AFTER_DAYS = 100000
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_programme", str(ROOT / "fixtures" / "per0601011" / "programme.json"), stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())


@pytest.fixture
def staff_client(client, programme):
    client.force_login(get_user_model().objects.get(username="staff"))
    return client


def stored_state():
    return (
        sorted(IndicatorValue.objects.values_list("pk", "value", "comment", "version", "evidence")),
        IndicatorValue.history.count(),
    )


def entry_post(client, **overrides):
    """The entry form as the browser would send it, values changed, then `overrides` by field-name suffix."""
    action, fields, changed = filled_entry_form(client.get(ENTRY).content.decode(), flip=True)
    first_row = next(iter(changed)).removesuffix("-value")
    data = dict(fields)
    for suffix, value in overrides.items():
        data[f"{first_row}-{suffix}"] = value
    return action or ENTRY, data, changed, first_row


@pytest.mark.parametrize("field", ["comment", "reason", "no_data_reason"])
@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "ok</textarea><b>bold</b>", "<!-- hidden -->"],
)
def test_markup_in_an_entry_text_field_is_refused_and_nothing_is_stored(staff_client, field, payload):
    path, data, _, _ = entry_post(staff_client, **{field: payload})
    before = stored_state()
    response = staff_client.post(path, data)
    assert response.status_code == 400
    with translation.override("es"):
        refusal = gettext("HTML or script markup is not accepted in text fields. Remove the text between < and >.")
    assert refusal.split(".")[0] in response.content.decode()
    assert stored_state() == before


def test_text_with_comparison_signs_is_still_accepted(staff_client):
    path, data, changed, _ = entry_post(staff_client, comment="cobertura <5% en 2010; 3 > 2 distritos")
    assert staff_client.post(path, data).status_code == 302
    shown = entry_values(staff_client.get(ENTRY).content.decode())
    assert {name: shown[name] for name in changed} == changed


def test_markup_in_a_report_narrative_is_refused(client, programme):
    client.force_login(get_user_model().objects.get(username="admin"))
    before = list(NarrativeSection.objects.values_list("pk", "text"))
    response = client.post(
        f"/reports/{PROGRAMME}/2011/narratives/", {"key": "context", "text": "Contexto <script>x()</script>"}
    )
    assert response.status_code == 400
    assert list(NarrativeSection.objects.values_list("pk", "text")) == before


def test_markup_in_a_json_api_body_gets_the_api_error_shape(client, programme):
    response = client.post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": "staff", "password": "x", "name": "<svg onload=alert(1)>"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "markup_not_allowed" and list(error["fields"]) == ["name"]


def test_oversized_form_body_is_refused_with_400_and_nothing_stored(staff_client, settings):
    before = stored_state()
    body = b"comment=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = staff_client.post(ENTRY, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert 'class="error-page"' in response.content.decode()
    assert stored_state() == before


def test_oversized_evidence_file_is_refused_and_not_stored(staff_client, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    path, data, _, row = entry_post(staff_client)
    data[f"{row}-evidence"] = SimpleUploadedFile("acta.pdf", PDF + b"0" * 4096, content_type="application/pdf")
    before = stored_state()
    response = staff_client.post(path, data)
    assert 400 <= response.status_code < 500
    assert stored_state() == before
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml"])
def test_entry_form_posted_with_a_wrong_content_type_is_refused_with_415(staff_client, content_type):
    before = stored_state()
    response = staff_client.post(ENTRY, data='{"value": 1}', content_type=content_type)
    assert response.status_code == 415
    with translation.override("es"):
        refusal = gettext("This page accepts form submissions only; nothing was saved.")
    assert refusal in response.content.decode()
    assert stored_state() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/mixed; boundary=x"])
def test_api_refuses_unsupported_media_types_with_415(client, programme, content_type):
    response = client.post("/api/v1/auth/token/", data="username=staff", content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"]["status"] == 415


@pytest.mark.parametrize(
    "name", ["../../../../escaped.pdf", "..\\..\\escaped.pdf", "/etc/escaped.pdf", "evidence/../../escaped.pdf"]
)
def test_path_traversal_in_an_upload_name_never_writes_outside_the_media_root(staff_client, settings, tmp_path, name):
    media = tmp_path / "deep" / "er" / "media"
    settings.MEDIA_ROOT = media
    path, data, _, row = entry_post(staff_client)
    data[f"{row}-evidence"] = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    response = staff_client.post(path, data)
    assert response.status_code in {302, 400}
    assert [p for p in tmp_path.rglob("escaped.pdf") if not p.resolve().is_relative_to(media.resolve())] == []
    assert not Path("/etc/escaped.pdf").exists() and not (ROOT / "escaped.pdf").exists()
    for stored in IndicatorValue.objects.exclude(evidence="").values_list("evidence", flat=True):
        assert ".." not in stored and not stored.startswith("/") and "\\" not in stored
        assert (media / stored).resolve().is_relative_to(media.resolve())


def test_markup_in_an_upload_name_is_never_stored(staff_client, settings):
    path, data, _, row = entry_post(staff_client)
    data[f"{row}-evidence"] = SimpleUploadedFile('<img src=x onerror="a()">.pdf', PDF, content_type="application/pdf")
    response = staff_client.post(path, data)
    assert response.status_code in {302, 400}
    names = list(IndicatorValue.objects.exclude(evidence="").values_list("evidence", flat=True))
    names += [str(p) for p in Path(settings.MEDIA_ROOT).rglob("*")]
    assert not any(char in name for name in names for char in '<>"')
