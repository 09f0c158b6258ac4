"""The one-file SQLite setup (demo, small installs) serves several gunicorn workers: concurrent write
transactions queue for the lock instead of failing with "database is locked"."""

import sys
import textwrap
from pathlib import Path

from tests.waits import run_to_end

ROOT = Path(__file__).resolve().parents[2]

# Each thread has its own connection (Django's are per thread) and does what a form save does:
# read inside the transaction, then write. SQLite's default (deferred) transactions fail such an
# upgrade at once when another connection is writing; busy_timeout does not help there.
WRITERS = textwrap.dedent(
    """
    import os, sys, threading, time
    sys.path.insert(0, os.environ["ROOT"])
    import django
    django.setup()
    from django.db import OperationalError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE saves (n integer)")
    connection.close()
    errors = []

    def writer():
        try:
            for _ in range(25):
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute("SELECT count(*) FROM saves")
                        time.sleep(0.002)
                        cursor.execute("INSERT INTO saves VALUES (1)")
                except OperationalError as exc:
                    errors.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM saves")
        print(cursor.fetchone()[0], len(errors), sorted(set(errors))[:3])
    """
)


def test_concurrent_read_then_write_transactions_on_a_sqlite_file_all_commit(tmp_path):
    env = {
        "ROOT": str(ROOT),
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "cse_monitor.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'writers.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    run = run_to_end([sys.executable, "-c", WRITERS], env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split(maxsplit=2)[:2] == ["150", "0"], run.stdout
