"""What a backup must preserve, taken the same way from the original and from a restored database.

Run as a script (python -m tests.production.snapshot) against the database in DATABASE_URL, it prints
the snapshot as JSON; the tests call `take_snapshot` in-process for the original.
"""

import hashlib
import io
import json
import os
import sys


def data_snapshot() -> list[str]:
    """Every row of every backed-up model, canonical and sorted (order of rows is not data)."""
    from django.core.management import call_command

    from cse_monitor.backups import EXCLUDED_MODELS

    out = io.StringIO()
    call_command(
        "dumpdata",
        exclude=list(EXCLUDED_MODELS),
        natural_foreign=True,
        natural_primary=True,
        use_base_manager=True,
        stdout=out,
    )
    return sorted(json.dumps(obj, sort_keys=True) for obj in json.loads(out.getvalue()))


def media_snapshot() -> dict[str, str]:
    from django.core.files.storage import default_storage

    from cse_monitor.backups import iter_storage_files

    files = {}
    for name in iter_storage_files(default_storage):
        with default_storage.open(name, "rb") as handle:
            files[name] = hashlib.sha256(handle.read()).hexdigest()
    return files


def take_snapshot(client, year: int = 2011) -> dict:
    """Rows and files first (logging in changes last_login), then the 2011 report and every series."""
    from django.contrib.auth import get_user_model

    from indicators.models import Programme
    from reports.rendering import report_body
    from reports.selectors import annual_report

    snapshot = {"data": data_snapshot(), "media": media_snapshot()}
    programme = Programme.objects.get(code="PER0601011")
    snapshot["report"] = report_body(annual_report(programme, year))
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get("/api/v1/series/", {"programme": "PER0601011", "page_size": 500})
    assert response.status_code == 200, response.content[:500]
    snapshot["series"] = response.json()
    return snapshot


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse_monitor.settings")
    django.setup()
    from django.test import Client

    json.dump(take_snapshot(Client()), sys.stdout)
