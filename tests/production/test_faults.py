"""Faults: a connection killed mid-save, the database dropping every connection under load, the PostgreSQL
server itself stopped and started under load, an import killed mid-way. Nothing half-written, nothing
committed lost, recovery without restarting the app.

PostgreSQL only (pg_terminate_backend, table locks); skipped on the SQLite run of CI. The server restart
also needs root, pg_ctlcluster and DATABASE_URL on a cluster of this machine (127.0.0.1, any port): it stops it.
"""
# ruff: noqa: S603 - subprocesses run this project's own manage.py with fixed arguments

import io
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections
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
from tests.waits import run_to_end, wait_until

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
    kills = 3
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
            stop = threading.Event()

            def saver(quarter: str) -> None:
                session = sessions[quarter]
                flip = False
                path = f"/entry/{PROGRAMME}/{quarter}/"
                while not stop.is_set():
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

            def settled_since(moment: float) -> bool:
                """Each client saved after ``moment``, or failed twice after it (then the asserts below say so).
                Counting attempts, not seconds, paces the kills: a busy machine only makes the test longer."""
                return all(
                    any(kind == "saved" for kind, at, _ in outcomes[q] if at > moment)
                    or sum(kind != "saved" for kind, at, _ in outcomes[q] if at > moment) >= 2
                    for q in quarters
                )

            threads = [threading.Thread(target=saver, args=(quarter,)) for quarter in quarters]
            for thread in threads:
                thread.start()
            kill_times, terminated = [], []
            try:
                for _ in range(kills):
                    since = kill_times[-1] if kill_times else 0.0
                    wait_until(
                        lambda since=since: settled_since(since),
                        alive=lambda: server.poll() is None and all(thread.is_alive() for thread in threads),
                        what="a save by every client before the next kill",
                        report=lambda: repr(outcomes),
                    )
                    kill_times.append(time.monotonic())
                    terminated.append(_terminate_all(database))
                wait_until(
                    lambda: settled_since(kill_times[-1]),
                    alive=lambda: server.poll() is None and all(thread.is_alive() for thread in threads),
                    what="a save by every client after the last kill",
                    report=lambda: repr(outcomes),
                )
            finally:
                stop.set()
                for thread in threads:
                    thread.join()

            assert sum(terminated) >= kills, f"the kills found no connection to drop: {terminated}"
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
            assert failures <= kills * len(quarters), outcomes
            assert _worker_pids(server.pid) == workers_before, "gunicorn workers were restarted"
            assert server.poll() is None


# --- the PostgreSQL server itself stopped and started under load -----------------------------------------


def _database_port() -> int:
    return urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "")).port or 5432


def _local_cluster() -> list[str] | None:
    """pg_ctlcluster's (version, name) for the server DATABASE_URL points at, or None when this test must skip."""
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster") or not shutil.which("pg_lsclusters"):
        return None
    if url.hostname != "127.0.0.1":
        return None
    listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)  # noqa: S607
    for line in listed.stdout.splitlines():
        version, name, port = line.split()[:3]
        if int(port) == _database_port():
            return [version, name]
    return None


def _pg_ctl(cluster: list[str], action: str, *options: str) -> subprocess.CompletedProcess:
    return run_to_end(["pg_ctlcluster", "--skip-systemctl-redirect", *options, *cluster, action])


def _postgres_answers() -> bool:
    try:
        psycopg2.connect(
            dbname="postgres", user="postgres", host="127.0.0.1", port=_database_port(), connect_timeout=2
        ).close()
    except psycopg2.OperationalError:
        return False
    return True


def _ensure_postgres_running(cluster: list[str]) -> None:
    """Whatever happened in the test: the server is up again before anyone else needs it."""
    if _pg_ctl(cluster, "status").returncode != 0:
        _pg_ctl(cluster, "start")
    # Waited for while pg_ctlcluster says it runs (it reports a failed start as stopped).
    wait_until(
        _postgres_answers,
        alive=lambda: _pg_ctl(cluster, "status").returncode == 0,
        what="PostgreSQL to come back after the restart test",
        every=0.2,
    )


def _history_versions(database: str, quarter: str) -> dict[tuple[str, int], Decimal | None]:
    """{(row key as in the form, version): value} of every version ever written for the quarter's values."""
    year, q = int(quarter[:4]), int(quarter[5])
    conn = psycopg2.connect(dbname=database, user="postgres", host="127.0.0.1")
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT indicator_id, coalesce(chain_id, 0), sex, region, version, value "
            "FROM indicators_historicalindicatorvalue WHERE year = %s AND quarter = %s",
            [year, q],
        )
        rows = cursor.fetchall()
    conn.close()
    # The form's row key (indicators.entry.rows.RowKey): the region goes last, only when set.
    return {
        (f"{ind}-{chain}-{sex or 'T'}" + (f"-{region}" if region else ""), version): value
        for ind, chain, sex, region, version, value in rows
    }


def _written(save: dict, history: dict) -> list[bool]:
    """For each value the save changed: is the version it would have written in the database, with its value?"""
    found = []
    for field, text in save["changed"].items():
        key = field[1:].rsplit("-", 1)[0]  # "r<indicator>-<chain>-<sex>[-<region>]-value"
        written = (key, save["versions"][field] + 1)
        found.append(written in history and history[written] == Decimal(text))
    return found


@pytest.mark.skipif(_local_cluster() is None, reason="needs root, pg_ctlcluster and DATABASE_URL on a local cluster")
def test_postgresql_server_restart_under_load_keeps_every_acknowledged_save_and_the_app_recovers(tmp_path):
    cluster = _local_cluster()
    quarters = ["2010Q1", "2010Q2", "2010Q3"]
    # The phases follow the load, not a clock: the server stops once every client has saved, starts again
    # once the outage was felt (a 503 probe and a failed client request), and the load ends once every
    # client has saved again. A failed request may take no longer than request_bound_floor seconds or four
    # times the slowest success, whichever is more: it must not hang on the database, whatever the speed.
    request_bound_floor = 15.0
    try:
        with fresh_database("postgres", tmp_path) as url:
            env = server_env(url, tmp_path)
            prepare_database(env)
            database = url.rsplit("/", 1)[1]
            with (
                gunicorn(env, tmp_path / "server.log", workers=2) as (port, server),
                # A second instance that holds a persistent connection but gets no request during the outage:
                # its first request afterwards meets a dead socket unless CONN_HEALTH_CHECKS replaces it.
                gunicorn(env, tmp_path / "idle.log", workers=1) as (idle_port, _idle_server),
            ):
                workers_before = _worker_pids(server.pid)
                sessions = {}
                for quarter in quarters:
                    sessions[quarter] = Session("127.0.0.1", port)
                    sessions[quarter].login("staff")
                idle = Session("127.0.0.1", idle_port)
                idle.login("staff")
                saves: dict[str, list[dict]] = {quarter: [] for quarter in quarters}
                failures: list[dict] = []  # every request answered with something other than success
                probes: list[tuple[float, int | None]] = []
                stop = threading.Event()

                def timed(session: Session, method: str, path: str, client: str = "", **post) -> dict:
                    started = time.monotonic()
                    try:
                        if method == "POST":
                            status, _, body = session.post_form(path, post["fields"], post["referer"])
                        else:
                            status, _, body = session.request("GET", path)
                    except OSError as exc:
                        status, body = None, repr(exc).encode()
                    return {
                        "client": client,
                        "path": path,
                        "method": method,
                        "status": status,
                        "body": body.decode(errors="replace"),
                        "started": started,
                        "ended": time.monotonic(),
                    }

                def saver(quarter: str) -> None:
                    session, flip = sessions[quarter], False
                    path = f"/entry/{PROGRAMME}/{quarter}/"
                    while not stop.is_set():
                        flip = not flip
                        page = timed(session, "GET", path, client=quarter)
                        if page["status"] != 200:
                            failures.append(page)
                            time.sleep(0.1)
                            continue
                        action, fields, changed = filled_entry_form(page["body"], flip)
                        given = dict((name, value) for name, value in fields)
                        versions = {name: int(given.get(name[: -len("value")] + "version") or 0) for name in changed}
                        answer = timed(
                            session,
                            "POST",
                            action or path,
                            client=quarter,
                            fields=fields,
                            referer=f"http://127.0.0.1:{port}{path}",
                        )
                        save = {**answer, "changed": changed, "versions": versions}
                        saves[quarter].append(save)
                        if answer["status"] != 302:
                            failures.append(save)

                def prober() -> None:
                    session = Session("127.0.0.1", port)
                    while not stop.is_set():
                        probes.append((time.monotonic(), timed(session, "GET", "/readyz")["status"]))
                        time.sleep(0.1)

                threads = [threading.Thread(target=saver, args=(quarter,)) for quarter in quarters]
                threads.append(threading.Thread(target=prober))
                for thread in threads:
                    thread.start()

                def running() -> bool:
                    return server.poll() is None and all(thread.is_alive() for thread in threads)

                def saved_by_all_after(moment: float) -> bool:
                    return all(any(s["status"] == 302 and s["started"] > moment for s in saves[q]) for q in quarters)

                def report() -> str:
                    return repr({"saves": saves, "failures": failures, "probes": probes[-20:]})

                try:
                    wait_until(
                        lambda: saved_by_all_after(0.0), alive=running, what="a save by every client", report=report
                    )
                    outage_began = time.monotonic()
                    stopped = _pg_ctl(cluster, "stop", "--mode", "fast")
                    wait_until(
                        lambda: (
                            any(status == 503 for at, status in probes if at > outage_began)
                            and any(f["started"] > outage_began for f in failures)
                        ),
                        alive=running,
                        what="the outage to be felt by a probe and a client",
                        report=report,
                    )
                    restarted = _pg_ctl(cluster, "start")
                    outage_ended = time.monotonic()
                    assert stopped.returncode == 0, stopped.stderr
                    assert restarted.returncode == 0, restarted.stderr
                    wait_until(
                        lambda: saved_by_all_after(outage_ended),
                        alive=running,
                        what="a save by every client after the restart",
                        report=report,
                    )
                finally:
                    stop.set()
                    # Each client ends after its current request, which has an answer or a socket timeout.
                    for thread in threads:
                        thread.join()
                    _ensure_postgres_running(cluster)

                # The outage was felt, and answered cleanly: a quick 5xx page in the application's look.
                assert any(status == 503 for at, status in probes if outage_began <= at <= outage_ended), probes
                assert failures, "no request failed while the database server was down"
                slowest_success = max(
                    s["ended"] - s["started"] for q in quarters for s in saves[q] if s["status"] == 302
                )
                request_bound = max(request_bound_floor, 4 * slowest_success)
                # Every client's first success after the restart: from then on, nothing may fail.
                recovered = max(
                    min(s["ended"] for s in saves[q] if s["status"] == 302 and s["started"] > outage_ended)
                    for q in quarters
                )
                for failure in failures:
                    assert failure["status"] in (500, 503), (failure["method"], failure["path"], failure["status"])
                    assert failure["ended"] - failure["started"] < request_bound, failure
                    assert 'class="error-page"' in failure["body"] and "Traceback" not in failure["body"]
                    # Only requests that overlapped the outage, or the clients' first reconnects after it, fail.
                    assert failure["ended"] >= outage_began and failure["started"] <= recovered, (
                        failure["method"],
                        failure["path"],
                        failure["started"] - outage_ended,
                    )

                print(  # shown with -s: what the outage looked like from the clients
                    f"outage {outage_ended - outage_began:.1f} s; saves acknowledged "
                    f"{sum(s['status'] == 302 for q in quarters for s in saves[q])}, failed requests "
                    f"{len(failures)} (statuses {sorted({f['status'] for f in failures})}, slowest "
                    f"{max(f['ended'] - f['started'] for f in failures):.2f} s); /readyz 503 answers "
                    f"{sum(status == 503 for _, status in probes)}"
                )

                # Recovery without a restart of the application.
                assert server.poll() is None
                assert _worker_pids(server.pid) == workers_before, "gunicorn workers were restarted"
                assert Session("127.0.0.1", port).request("GET", "/readyz")[0] == 200
                idle_path = f"/entry/{PROGRAMME}/2010Q4/"
                status, _, body = idle.request("GET", idle_path)
                assert status == 200, f"the idle instance's first request after the restart got {status}"
                action, fields, changed = filled_entry_form(body.decode(), flip=True)
                referer = f"http://127.0.0.1:{idle_port}{idle_path}"
                assert idle.post_form(action or idle_path, fields, referer)[0] == 302
                shown = entry_values(idle.request("GET", idle_path)[2].decode())
                assert {name: shown[name] for name in changed} == changed
                for quarter in quarters:
                    done = [s for s in saves[quarter] if s["status"] == 302]
                    assert any(s["started"] > outage_ended for s in done), f"{quarter}: no save after the restart"
                    assert any(s["ended"] < outage_began for s in done), f"{quarter}: no save before the stop"

                    # Every acknowledged save is in the database; every other attempt is there whole or not at all.
                    history = _history_versions(database, quarter)
                    for save in saves[quarter]:
                        written = _written(save, history)
                        assert save["changed"], f"{quarter}: a save that changed nothing proves nothing"
                        if save["status"] == 302:
                            assert all(written), (quarter, save["changed"], save["versions"], written)
                        else:
                            assert all(written) or not any(written), (quarter, save["changed"], written)
    finally:
        # The restart broke this process's own connections too (pytest-django's test database): drop them
        # so the tests after this one reconnect instead of failing on a dead socket.
        _ensure_postgres_running(cluster)
        connections.close_all()


def test_import_killed_mid_way_leaves_nothing_and_can_be_run_again(tmp_path):
    with fresh_database("postgres", tmp_path) as url:
        env = server_env(url, tmp_path)
        migrated = run_to_end([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env)
        assert migrated.returncode == 0, migrated.stderr
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

        def waiting_backend() -> int | None:
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                    "AND query ILIKE '%%budget_financialplanquarter%%'",
                    [database],
                )
                row = cursor.fetchone()
            return row[0] if row else None

        # As long as the loader runs, it is on its way to the last table (if it stops, its stderr says why).
        wait_until(
            lambda: waiting_backend() is not None,
            alive=lambda: loader.poll() is None,
            what="the loader to reach the last table",
            report=lambda: loader.stderr.read().decode(errors="replace") if loader.poll() is not None else "",
        )
        waiting = waiting_backend()
        loader.kill()  # SIGKILL: no cleanup, no rollback from the client side
        loader.wait()
        blocker.rollback()
        blocker.close()

        def backend_gone() -> bool:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [waiting])
                return cursor.fetchone()[0] == 0

        # Given the lock, the orphaned backend finds its client gone and rolls back: the counts come after that.
        wait_until(backend_gone, alive=lambda: True, what="the killed loader's backend to end")
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
        again = run_to_end([sys.executable, "manage.py", "load_programme", str(PROGRAMME_JSON)], cwd=ROOT, env=env)
        assert again.returncode == 0, again.stderr
        assert "Loaded programme PER0601011" in again.stdout
