"""The container files, checked without a Docker engine (none on the CI machine): valid YAML, the promised shape."""

import re
import stat
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgresql_15_with_a_healthcheck():
    db = compose()["services"]["db"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])


def test_compose_web_waits_for_a_healthy_database_and_checks_readiness():
    web = compose()["services"]["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["healthcheck"]["test"][-1].endswith("/readyz")
    env = web["environment"]
    assert env["DJANGO_ENV"] == "production"
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["CACHE_BACKEND"] == "db"
    # Secrets come from the environment / .env and the file refuses to start without them.
    assert ":?" in env["SECRET_KEY"]


def test_compose_declares_its_named_volumes():
    data = compose()
    used = {
        volume.split(":", 1)[0]
        for service in data["services"].values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used <= set(data["volumes"])


def test_dockerfile_runs_gunicorn_through_the_migrating_entrypoint():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", dockerfile, re.M)
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in dockerfile
    assert '"gunicorn"' in dockerfile and "cse_monitor.wsgi:application" in dockerfile
    assert "collectstatic" in dockerfile and "USER cse" in dockerfile
    for copied in re.findall(r"^COPY (?:--\S+ )*(\S+) ", dockerfile, re.M):
        if copied != ".":
            assert (ROOT / copied).exists(), copied
    entrypoint = ROOT / "deploy" / "entrypoint.sh"
    assert entrypoint.stat().st_mode & stat.S_IXUSR
    text = entrypoint.read_text()
    assert "manage.py migrate --noinput" in text and "manage.py createcachetable" in text
    assert text.rstrip().endswith('exec "$@"')


def test_gunicorn_config_is_loadable_and_reads_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    namespace: dict = {"__file__": str(ROOT / "deploy" / "gunicorn.conf.py")}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["workers"] == 5
    assert namespace["bind"] == "0.0.0.0:8000"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "db.sqlite3", "media", "backups"} <= ignored


def test_env_example_names_every_variable_compose_requires():
    text = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", text))
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    example = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert required and required <= example
