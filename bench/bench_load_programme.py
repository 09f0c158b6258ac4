"""Benchmark: building and loading the PER0601011 data, against reading the files alone.

    .venv/bin/python bench/bench_load_programme.py [--repeat 5]        # SQLite test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_load_programme.py

Builds a throw-away test database (migrations load the district register), then times in the same run:
  - baseline: reading and decoding fixtures/per0601011/programme.json (json.loads);
  - parse: fixtures/build_per0601011.py building the JSON from the seed text (no database);
  - load: programme_load into a database without the programme (what bin/demo does the first time);
  - if-absent: programme_load(if_absent=True) when the programme exists (bin/demo's later runs);
  - replace: programme_load(replace=True) (delete the programme, load again).
Prints the median of each and its ratio to the baseline.
"""

import argparse
import json
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

    from fixtures.build_per0601011 import DEFAULT_REGISTER, DEFAULT_SEED, build, read_register
    from indicators.models import Programme
    from programmes.loading import _delete_programme, programme_load, read_programme_file

    path = Path(__file__).resolve().parents[1] / "fixtures" / "per0601011" / "programme.json"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        data = read_programme_file(path)

        def clear():
            for programme in Programme.objects.filter(code=data["programme"]["code"]):
                _delete_programme(programme)

        baseline = _median_seconds(lambda: json.loads(path.read_text(encoding="utf-8")), args.repeat)
        rows = {"baseline: read programme.json": baseline}
        if DEFAULT_SEED.exists():
            register = read_register(DEFAULT_REGISTER)
            seed_text = DEFAULT_SEED.read_text(encoding="utf-8")
            rows["parse: build JSON from the seed"] = _median_seconds(lambda: build(seed_text, register), args.repeat)
        rows["load: empty database"] = _median_seconds(lambda: programme_load(data=data), args.repeat, before=clear)
        rows["if-absent: programme exists"] = _median_seconds(
            lambda: programme_load(data=data, if_absent=True), args.repeat
        )
        rows["replace: delete and load again"] = _median_seconds(
            lambda: programme_load(data=data, replace=True), args.repeat
        )
        vendor = connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"PER0601011 load benchmark on {vendor}, median of {args.repeat} runs")
    for name, seconds in rows.items():
        print(f"  {name:<34} {seconds * 1000:9.1f} ms   x{seconds / baseline:8.1f} baseline")


if __name__ == "__main__":
    main()
