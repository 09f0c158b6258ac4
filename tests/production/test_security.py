"""Production settings, security headers, health endpoints, error pages, request ids."""

import io
import json
import logging
import os
import secrets
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import Client

from cse_monitor.logging import JsonFormatter, RequestIdFilter
from tests.waits import run_to_end

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cse.example.org",
        DJANGO_SETTINGS_MODULE="cse_monitor.settings",
    )
    env.update(extra)
    return env


def test_check_deploy_with_production_settings_has_no_warning():
    result = run_to_end(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"DEBUG": "1"}, "DEBUG must be off"),
    ],
)
def test_production_settings_refuse_unsafe_configuration(env, message):
    result = run_to_end([sys.executable, "manage.py", "check"], cwd=ROOT, env=production_env(**env))
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_values():
    code = (
        "import django,json;django.setup();from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE,s.CSRF_COOKIE_SECURE,s.SECURE_HSTS_SECONDS,"
        "s.SECURE_SSL_REDIRECT,s.DEBUG,s.CACHES['default']['BACKEND'],s.SESSION_ENGINE,"
        "s.STORAGES['staticfiles']['BACKEND']]))"
    )
    result = run_to_end([sys.executable, "-c", code], cwd=ROOT, env=production_env())
    assert result.returncode == 0, result.stderr
    cookie_secure, csrf_secure, hsts, redirect, debug, cache, sessions, static = json.loads(result.stdout)
    assert (cookie_secure, csrf_secure, redirect, debug) == (True, True, True, False)
    assert hsts >= 31536000
    assert cache == "django.core.cache.backends.db.DatabaseCache"
    assert sessions == "django.contrib.sessions.backends.db"
    assert static == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_media_storage_backend_is_chosen_by_environment():
    code = (
        "import django;django.setup();from django.core.files.storage import storages;d=storages['default'];"
        "print(type(d).__module__ + '.' + type(d).__name__)"
    )
    env = {**os.environ, "MEDIA_STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage"}
    result = run_to_end([sys.executable, "-c", code], cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.memory.InMemoryStorage"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/no-such-page/"])
def test_every_response_carries_a_strict_content_security_policy(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access in this test an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_does_a_database_round_trip(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_readyz_reports_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_404_page_has_the_application_look(client, settings):
    settings.DEBUG = False
    response = client.get("/definitely/not/here/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="topbar"' in body and 'class="error-page"' in body
    assert "404" in body


@pytest.mark.django_db
def test_500_page_shows_no_stack_trace(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.production.urls_faulty"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert 'class="error-page"' in body and "500" in body
    assert "Traceback" not in body and "secret-internal-detail" not in body and "RuntimeError" not in body


@pytest.mark.django_db
def test_403_page_has_the_application_look(settings, client):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.production.urls_faulty"
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert 'class="error-page"' in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_a_403_in_the_application_look():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="error-page"' in body
    assert "<style" not in body


@pytest.mark.django_db
def test_request_id_is_generated_echoed_and_honoured(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz")["X-Request-ID"] != generated
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})["X-Request-ID"] == "proxy-abc-12345"
    # A hostile id (log injection) is replaced, not echoed.
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x"\n{"level":"CRITICAL"}'})["X-Request-ID"]
    assert "\n" not in hostile and len(hostile) == 32


@pytest.mark.django_db
def test_log_lines_are_json_with_the_request_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("cse_monitor.access")
    logger.addHandler(handler)
    try:
        response = client.get("/healthz", headers={"X-Request-ID": "trace-0001-abcd"})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert response["X-Request-ID"] == "trace-0001-abcd"
    assert len(lines) == 1
    (line,) = lines
    assert line["request_id"] == "trace-0001-abcd"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO" and "time" in line and "duration_ms" in line


def test_json_formatter_keeps_the_traceback_in_the_log_only():
    formatter = JsonFormatter()
    try:
        raise ValueError("bad thing")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed %s", ("op",), exc_info)
    entry = json.loads(formatter.format(record))
    assert entry["message"] == "failed op"
    assert "ValueError: bad thing" in entry["exc"]
    assert entry["request_id"] == "-"


@pytest.mark.parametrize("password", ["12345678", "password", "abc", "staff-user"])
def test_weak_passwords_are_refused(password):
    user = get_user_model()(username="staff-user")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_strong_password_is_accepted():
    validate_password("kiwicha-Apurimac-2011-ODEL")
