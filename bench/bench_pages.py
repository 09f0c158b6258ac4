"""Cost of one request per page kind, alone (no concurrency): wall time and SQL query count.

    .venv/bin/python bench/bench_pages.py [--repeat 5]

Complements bench_load.py: when the mixed load is slow, this says whether a page is slow by itself
(and how many queries it runs) or only under contention. Fresh SQLite database in a temp dir.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cse-pages-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cse_monitor.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'pages.sqlite3'}",
        DEBUG="0",
        MEDIA_ROOT=str(workdir / "media"),
        ENTRY_CLOSE_AFTER_DAYS="100000",
        ACCESS_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench.bench_load import filled_entry_form

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_programme", str(ROOT / "fixtures" / "per0601011" / "programme.json"), stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    entry = "/entry/PER0601011/2010Q2/"

    def save():
        action, fields, _ = filled_entry_form(client.get(entry).content.decode(), flip=time.time_ns() % 2 == 0)
        return client.post(action or entry, dict(fields))

    kinds = {
        "trivial /healthz": lambda: client.get("/healthz"),
        "report 2011": lambda: client.get("/reports/PER0601011/2011/"),
        "series API (36)": lambda: client.get("/api/v1/series/", {"programme": "PER0601011", "page_size": 50}),
        "entry form GET": lambda: client.get(entry),
        "entry GET+POST": save,
    }
    print(f"{'kind':<20}{'median ms':>12}{'min ms':>10}{'queries':>10}{'status':>8}")
    for name, call in kinds.items():
        call()  # warm caches (templates, URL resolver)
        times, queries, status = [], 0, None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = call()
                times.append(time.perf_counter() - started)
            queries, status = len(captured), response.status_code
        print(f"{name:<20}{statistics.median(times) * 1000:>12.1f}{min(times) * 1000:>10.1f}{queries:>10}{status:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
