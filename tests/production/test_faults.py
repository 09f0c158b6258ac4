"""Faults: a connection killed mid-save, the database dropping every connection under load, an import
killed mid-way. Nothing half-written, nothing committed lost, recovery without restarting the app (issue 8).

PostgreSQL only (pg_terminate_backend, table locks); skipped on the SQLite run of CI.
"""
# ruff: noqa: S603 - subprocesses run this project's own manage.py with fixed arguments

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client

from bench.bench_load import (
    PROGRAMME,
    Session,
    entry_values,
    filled_entry_form,
    fresh_database,
    gunicorn,
    prepare_database,
    server_env,
)
from indicators.models import IndicatorValue

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME_JSON = ROOT / "fixtures" / "per0601011" / "programme.json"

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (pg_terminate_backend)"
)
pytestmark = [needs_postgres, pytest.mark.slow]


def _dsn(settings_dict: dict) -> dict:
    return {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        **({"password": settings_dict["PASSWORD"]} if settings_dict.get("PASSWORD") else {}),
    }


def _value_rows():
    return sorted(
        IndicatorValue.objects.values_list("pk", "value", "share", "version", "status", "no_data").order_by("pk")
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_form_save_whose_connection_is_killed_mid_transaction_writes_nothing(settings, tmp_path):
    settings.ENTRY_CLOSE_AFTER_DAYS = 100000
    settings.MEDIA_ROOT = tmp_path
    call_command("load_programme", str(PROGRAMME_JSON), stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="staff"))
    path = f"/entry/{PROGRAMME}/2011Q3/"
    page = client.get(path)
    assert page.status_code == 200
    action, fields, changed = filled_entry_form(page.content.decode(), flip=True)
    assert len(changed) >= 2, "the quarter needs at least two values to interrupt a save between them"
    before = _value_rows()
    history_before = IndicatorValue.history.count()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend_pid,) = cursor.fetchone()
    killer = psycopg2.connect(**_dsn(connection.settings_dict))
    killer.autocommit = True
    killed = []

    def kill_after_first_row(sender, instance, **kwargs):
        # The worst moment: one value is written inside the transaction, the others are not yet.
        if not killed:
            killed.append(instance.pk)
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])

    post_save.connect(kill_after_first_row, sender=IndicatorValue)
    try:
        response = client.post(action or path, dict(fields))
    finally:
        post_save.disconnect(kill_after_first_row, sender=IndicatorValue)
        killer.close()
    assert killed, "the save never reached its first row"
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()

    connection.close()  # gunicorn does this between requests (CONN_HEALTH_CHECKS); the test client does not
    assert _value_rows() == before
    assert IndicatorValue.history.count() == history_before

    # The same save, sent again on a fresh connection, goes through whole.
    page = client.get(path)
    action, fields, changed = filled_entry_form(page.content.decode(), flip=True)
    assert client.post(action or path, dict(fields)).status_code == 302
    shown = entry_values(client.get(path).content.decode())
    assert {name: shown[name] for name in changed} == changed


def _terminate_all(database: str) -> int:
    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        (count,) = cursor.fetchone()
    conn.close()
    return count


def _worker_pids(master: int) -> set[int]:
    out = subprocess.run(["/bin/ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def test_dropping_every_database_connection_under_load_loses_no_committed_save_and_the_app_recovers(tmp_path):
    quarters = ["2010Q1", "2010Q2", "2010Q3"]
    kills_at = (2.0, 5.0, 8.0)
    duration = 11.0
    with fresh_database("postgres", tmp_path) as url:
        env = server_env(url, tmp_path)
        prepare_database(env)
        database = url.rsplit("/", 1)[1]
        with gunicorn(env, tmp_path / "server.log", workers=2) as (port, server):
            workers_before = _worker_pids(server.pid)
            outcomes: dict[str, list] = {quarter: [] for quarter in quarters}

            sessions = {}
            for quarter in quarters:
                sessions[quarter] = Session("127.0.0.1", port)
                sessions[quarter].login("staff")
            deadline = time.monotonic() + duration

            def saver(quarter: str) -> None:
                session = sessions[quarter]
                flip = False
                path = f"/entry/{PROGRAMME}/{quarter}/"
                while time.monotonic() < deadline:
                    flip = not flip
                    try:
                        status, _, body = session.request("GET", path)
                        if status != 200:
                            outcomes[quarter].append(("get-failed", time.monotonic(), None))
                            continue
                        action, fields, changed = filled_entry_form(body.decode(), flip)
                        status, _, _ = session.post_form(action or path, fields, f"http://127.0.0.1:{port}{path}")
                    except OSError:
                        outcomes[quarter].append(("connection-error", time.monotonic(), None))
                        continue
                    outcomes[quarter].append(
                        ("saved" if status == 302 else f"post-{status}", time.monotonic(), changed)
                    )

            threads = [threading.Thread(target=saver, args=(quarter,)) for quarter in quarters]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            kill_times, terminated = [], []
            for at in kills_at:
                time.sleep(max(0.0, started + at - time.monotonic()))
                kill_times.append(time.monotonic())
                terminated.append(_terminate_all(database))
            for thread in threads:
                thread.join()

            assert sum(terminated) >= len(kills_at), f"the kills found no connection to drop: {terminated}"
            session = Session("127.0.0.1", port)
            assert session.request("GET", "/readyz")[0] == 200
            session.login("staff")
            for quarter in quarters:
                saves = outcomes[quarter]
                successes = [changed for kind, _, changed in saves if kind == "saved"]
                assert successes, f"{quarter}: no save went through: {saves}"
                # Recovery without restart: saves succeed after the last kill.
                assert any(kind == "saved" and at > kill_times[-1] for kind, at, _ in saves), saves
                shown = entry_values(session.request("GET", f"/entry/{PROGRAMME}/{quarter}/")[2].decode())
                last = successes[-1]
                # Nothing committed is lost, nothing half-written: the stored values are exactly the last
                # acknowledged save, or (if a save died between COMMIT and its reply) one later attempt, whole.
                candidates = [last] + [changed for kind, at, changed in saves if changed and kind != "saved" and at > 0]
                assert any({name: shown[name] for name in c} == c for c in candidates), (quarter, shown, last)
            failures = sum(1 for saves in outcomes.values() for kind, _, _ in saves if kind != "saved")
            assert failures <= len(kills_at) * len(quarters), outcomes
            assert _worker_pids(server.pid) == workers_before, "gunicorn workers were restarted"
            assert server.poll() is None


def test_import_killed_mid_way_leaves_nothing_and_can_be_run_again(tmp_path):
    with fresh_database("postgres", tmp_path) as url:
        env = server_env(url, tmp_path)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
        database = url.rsplit("/", 1)[1]
        blocker = psycopg2.connect(dbname=database, user="postgres", host="127.0.0.1")
        with blocker.cursor() as cursor:
            # The loader writes the financial plan quarters last: it will wait here with everything else written.
            cursor.execute("LOCK TABLE budget_financialplanquarter IN ACCESS EXCLUSIVE MODE")
        loader = subprocess.Popen(
            [sys.executable, "manage.py", "load_programme", str(PROGRAMME_JSON)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        watcher = psycopg2.connect(dbname=database, user="postgres", host="127.0.0.1")
        watcher.autocommit = True
        waiting = None
        deadline = time.monotonic() + 120
        while waiting is None and time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                    "AND query ILIKE '%%budget_financialplanquarter%%'",
                    [database],
                )
                row = cursor.fetchone()
            waiting = row[0] if row else None
            time.sleep(0.1)
        assert waiting, "the loader never reached the last table"
        loader.kill()  # SIGKILL: no cleanup, no rollback from the client side
        loader.wait(timeout=30)
        blocker.rollback()
        blocker.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [waiting])
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.1)
        with watcher.cursor() as cursor:
            counts = {}
            for table in (
                "indicators_programme",
                "indicators_indicator",
                "indicators_indicatorvalue",
                "budget_budgetline",
            ):
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
                counts[table] = cursor.fetchone()[0]
        watcher.close()
        assert counts == dict.fromkeys(counts, 0)
        again = subprocess.run(
            [sys.executable, "manage.py", "load_programme", str(PROGRAMME_JSON)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert again.returncode == 0, again.stderr
        assert "Loaded programme PER0601011" in again.stdout
