"""The OpenAPI contract and the docs page: generated from the code, errors documented, served offline."""

import re
from pathlib import Path

import pytest
from django.test import Client

from indicators.series import COLUMNS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def schema(db):
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_and_lists_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in [
        "/api/v1/programmes/",
        "/api/v1/results/",
        "/api/v1/indicators/{id}/",
        "/api/v1/indicators/{id}/series/",
        "/api/v1/series/",
        "/api/v1/values/",
        "/api/v1/indicators/{indicator}/values/{period}/",
        "/api/v1/value-chains/{id}/",
        "/api/v1/districts/{id}/",
        "/api/v1/beneficiary-districts/",
        "/api/v1/budget-lines/",
        "/api/v1/stated-scores/",
        "/api/v1/emcl-decisions/",
        "/api/v1/auth/token/",
        "/api/v1/programmes/{programme}/quarters/{period}/approve/",
    ]:
        assert expected in paths, expected


def test_every_operation_documents_the_error_shape(schema):
    assert "Error" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status in ("400", "401", "403", "404"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (path, method, status)


def test_series_documents_csv_xlsx_and_the_column_order(schema):
    operation = schema["paths"]["/api/v1/indicators/{id}/series/"]["get"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(
        content
    )
    assert ", ".join(COLUMNS) in operation["description"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"from", "to", "chain", "disaggregate", "granularity", "format"} <= names


def test_write_operation_documents_concurrency_errors(schema):
    put = schema["paths"]["/api/v1/indicators/{indicator}/values/{period}/"]["put"]
    assert {"200", "201", "409", "412", "428"} <= set(put["responses"])
    assert "If-Match" in {p["name"] for p in put["parameters"]}


def test_token_auth_is_a_documented_security_scheme(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_docs_page_uses_local_assets_only(db):
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "<script>" not in html and "style=" not in html
    assert Client().get("/api/docs/?script=").status_code == 200


def test_unknown_api_path_is_a_json_404(db):
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_docs_page_renders_in_a_browser_under_the_csp(live_server, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    page = chromium.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag")
    page.screenshot(path=str(ARTIFACTS / "api_docs.png"), full_page=False)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("indicators" in tag for tag in tags), tags
    assert not [p for p in problems if "Content Security Policy" in p], problems
