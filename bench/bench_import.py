"""Benchmark: importing a workbook of every Peruvian district (1,874 rows), against openpyxl alone.

    .venv/bin/python bench/bench_import.py [--repeat 5]        # SQLite test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_import.py

Builds a throw-away test database (migrations load the district register), writes the all-districts
workbook in memory, then times in the same run:
  - baseline: openpyxl alone opening the same bytes (read-only, values only) and reading every row;
  - check: the service's dry run (container checks, parsing, normalisation, register checks);
  - import: the service creating every row (and logging);
  - re-import: the same file again, every row unchanged.
Prints the median of each, rows per second, and each ratio to the baseline.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse_monitor.settings")


def _median_seconds(function, repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from openpyxl import load_workbook

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from municipalities.models import BeneficiaryDistrict, District
        from municipalities.services import Action, beneficiaries_import
        from municipalities.tests import factories

        content = factories.all_districts_workbook()
        rows = District.objects.count()
        programme = factories.programme()

        def openpyxl_alone():
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            for row in book.active.iter_rows():
                [cell.value for cell in row]
            book.close()

        def run(dry_run: bool):
            report = beneficiaries_import(programme=programme, content=content, file_name="all.xlsx", dry_run=dry_run)
            assert not report.refused_rows, report.refused_rows[:3]
            return report

        def wipe():
            BeneficiaryDistrict.objects.all().delete()

        baseline = _median_seconds(openpyxl_alone, args.repeat)
        check = _median_seconds(lambda: run(True), args.repeat, before=wipe)
        create = _median_seconds(lambda: run(False), args.repeat, before=wipe)
        wipe()
        run(False)
        again = _median_seconds(lambda: run(False), args.repeat)
        assert run(True).counts == {Action.UNCHANGED: rows}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"database: {connection.vendor}; workbook: {rows} rows, {len(content):,} bytes; median of {args.repeat} runs")
    print(f"{'step':<34}{'seconds':>9}{'rows/s':>10}{'x openpyxl':>12}")
    for label, seconds in [
        ("openpyxl alone (baseline)", baseline),
        ("check only (dry run)", check),
        ("import, every row created", create),
        ("re-import, every row unchanged", again),
    ]:
        print(f"{label:<34}{seconds:>9.3f}{rows / seconds:>10.0f}{seconds / baseline:>12.2f}")


if __name__ == "__main__":
    main()
