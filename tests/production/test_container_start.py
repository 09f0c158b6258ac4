"""The container's start, without Docker (no Docker engine runs on this machine or in CI).

Follows the Dockerfile and docker-compose.yml step by step on this machine: the build's
``collectstatic`` under production settings, then ``deploy/entrypoint.sh`` (wait for the database,
migrate, cache table) exec'ing gunicorn with ``deploy/gunicorn.conf.py``, with the environment
compose gives the web service, against a fresh PostgreSQL database. What it cannot check is the
image itself (the apt packages, the user, the volumes): ``test_deployment_files.py`` reads those.
"""
# ruff: noqa: S603 - subprocesses run this project's own scripts with fixed arguments

import os
import re
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.bench_load import free_port, fresh_database
from tests.waits import REQUEST_SECONDS, STALL_SECONDS, run_to_end, wait_until

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="compose runs PostgreSQL 15"
    ),
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(port: int, path: str, **headers: str):
    """(status, headers, body) of one plain-HTTP request, redirects not followed."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost", **headers})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=REQUEST_SECONDS) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def compose_env(database_url: str, tmp_path: Path, port: int) -> dict[str, str]:
    """The web service's environment in docker-compose.yml (paths moved under tmp_path)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="1",
        TRUSTED_PROXY_COUNT="1",
        FORWARDED_ALLOW_IPS="*",
        CACHE_BACKEND="db",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        GUNICORN_WORKERS="2",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        RUN_MIGRATIONS="1",
        DJANGO_SETTINGS_MODULE="cse_monitor.settings",
    )
    return env


@pytest.fixture
def container(tmp_path):
    """The started 'container': its port and log, once /readyz answers (or a failure with the log)."""
    port = free_port()
    with fresh_database("postgres", tmp_path) as database_url:
        env = compose_env(database_url, tmp_path, port)
        # The image's build step (Dockerfile: RUN ... collectstatic), with a build-only key. It names each
        # file it copies and post-processes (-v2), so it is waited for as long as it keeps going.
        build = run_to_end(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v2"],
            cwd=ROOT,
            env={**env, "SECRET_KEY": "build-only-not-secret"},
            stall=STALL_SECONDS,
        )
        assert build.returncode == 0, build.stderr
        log_path = tmp_path / "container.log"
        # The image's ENTRYPOINT and CMD (run as an executable: its shebang and mode bit count too).
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [
                    str(ROOT / "deploy" / "entrypoint.sh"),
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    str(ROOT / "deploy" / "gunicorn.conf.py"),
                    "cse_monitor.wsgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        try:

            def ready() -> bool:
                try:
                    return fetch(port, "/readyz")[0] == 200
                except OSError:
                    return False

            # Waited for while the entrypoint (then gunicorn) runs: it waits for the database, migrates and
            # boots the workers, each as slow as the machine is busy; if it exits, the log says why.
            wait_until(
                ready,
                alive=lambda: server.poll() is None,
                what="the container to become ready",
                report=lambda: log_path.read_text()[-4000:],
                every=0.5,
            )
            yield {"port": port, "env": env, "log": log_path}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def test_the_container_start_migrates_and_serves_health_static_files_and_pages(container):
    port = container["port"]
    # Migrations were applied by the entrypoint: nothing left to apply.
    check = run_to_end([sys.executable, "manage.py", "migrate", "--check", "--noinput"], cwd=ROOT, env=container["env"])
    assert check.returncode == 0, check.stdout + check.stderr

    # Health probes speak plain HTTP inside the network (compose's healthcheck): no HTTPS redirect.
    assert fetch(port, "/healthz")[0] == 200
    status, _, body = fetch(port, "/readyz")
    assert status == 200 and b"ok" in body.lower()

    # Anything else over plain HTTP is sent to HTTPS; behind the proxy (X-Forwarded-Proto) it is served.
    status, headers, _ = fetch(port, "/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://")
    status, headers, body = fetch(port, "/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "Strict-Transport-Security" in headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "<script>" not in body.decode()  # no inline script: the CSP forbids it
    assert all("Secure" in cookie for cookie in headers.get_all("Set-Cookie") or [])

    # Static files by whitenoise, under their hashed names from the build's manifest, cached for long.
    stylesheet = re.search(r'href="(/static/css/[^"]+\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the page links no hashed stylesheet"
    status, headers, css = fetch(port, stylesheet.group(1), **{"X-Forwarded-Proto": "https"})
    assert status == 200 and headers["Content-Type"].startswith("text/css") and css
    assert "max-age=315360000" in headers["Cache-Control"]

    # Errors never show a trace: an unknown page is the application's 404.
    status, _, body = fetch(port, "/no/such/page/", **{"X-Forwarded-Proto": "https"})
    assert status == 404 and b"Traceback" not in body and b"CSE Monitor" in body
    log = container["log"].read_text()
    assert "Traceback" not in log
