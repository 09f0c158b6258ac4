"""Benchmark: the bulk series endpoint for 50 indicators x 40 quarters x 8 chains, against a raw-SQL baseline.

    .venv/bin/python bench/bench_series.py [--repeat 5]

Builds its own data in a throwaway SQLite file (or in the database of $DATABASE_URL, inside a
programme named BENCH-SERIES that it deletes afterwards). It then times, in the same run:

- api: GET /api/v1/series/?programme=BENCH-SERIES&from=2003Q1&to=2012Q4&granularity=quarter
  &disaggregate=chain&page_size=50 through Django's test client (authentication, filters, the
  series selector with the scores engine, serialisation, ETag), 50 x 40 x (8 chains + the total)
  = 18,000 points;
- baseline: one raw SQL query returning the same 16,000 stored values (indicator, period, chain,
  value, status, version) serialised with the json module.

It prints the median of each and their ratio (api / baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse_monitor.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ACCESS_LOG_LEVEL", "WARNING")
_tmp = None
if "DATABASE_URL" not in os.environ:
    _tmp = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from chains.models import ValueChain  # noqa: E402
from cse_monitor.tokens import token_create  # noqa: E402
from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Programme, Result  # noqa: E402

CODE = "BENCH-SERIES"
INDICATORS, CHAINS, FIRST_YEAR, YEARS = 50, 8, 2003, 10
URL = (
    f"/api/v1/series/?programme={CODE}&from={FIRST_YEAR}Q1&to={FIRST_YEAR + YEARS - 1}Q4"
    f"&granularity=quarter&disaggregate=chain&page_size={INDICATORS}"
)
BASELINE_SQL = """
SELECT i.code, v.year, v.quarter, c.slug, v.value, v.status, v.version
FROM indicators_indicatorvalue v
JOIN indicators_indicator i ON i.id = v.indicator_id
JOIN indicators_result r ON r.id = i.result_id
JOIN indicators_programme p ON p.id = r.programme_id
LEFT JOIN chains_valuechain c ON c.id = v.chain_id
WHERE p.code = %s AND v.region = '' AND v.sex = ''
ORDER BY r."order", i."order", v.chain_id, v.year, v.quarter
"""


def cleanup() -> None:
    # Values and targets protect their chains: remove them first.
    IndicatorValue.objects.filter(indicator__result__programme__code=CODE).delete()
    IndicatorTarget.objects.filter(indicator__result__programme__code=CODE).delete()
    Programme.objects.filter(code=CODE).delete()


def build() -> Programme:
    cleanup()
    programme = Programme.objects.create(code=CODE, name="Benchmark", belgian_contribution=Decimal("1"))
    results = [
        Result.objects.create(programme=programme, code=f"R{n}", kind="R", order=n, statement=f"R{n}")
        for n in range(1, 6)
    ]
    chains = [
        ValueChain.objects.create(programme=programme, slug=f"chain-{n}", name=f"Chain {n}", order=n)
        for n in range(CHAINS)
    ]
    indicators = [
        Indicator.objects.create(
            result=results[n % 5],
            code=f"{results[n % 5].code}.{n}",
            order=n,
            name=f"Indicator {n}",
            unit_kind="count",
            aggregation="sum",
            disaggregated_by_chain=True,
        )
        for n in range(INDICATORS)
    ]
    values, targets = [], []
    for ind in indicators:
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            targets.append(IndicatorTarget(indicator=ind, year=year, quarter=0, value=Decimal("400")))
            for quarter in range(1, 5):
                for k, chain in enumerate(chains):
                    values.append(
                        IndicatorValue(
                            indicator=ind,
                            year=year,
                            quarter=quarter,
                            chain=chain,
                            value=Decimal(10 + (year + quarter + k) % 7),
                            status="approved",
                        )
                    )
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    IndicatorTarget.objects.bulk_create(targets, batch_size=2000)
    return programme


def timed(fn, repeat: int) -> tuple[float, object]:
    samples, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    build()
    user, _ = get_user_model().objects.get_or_create(username="bench-series", defaults={"is_superuser": True})
    client = Client(HTTP_AUTHORIZATION=f"Token {token_create(user=user, name='bench').secret}")

    def api():
        response = client.get(URL)
        assert response.status_code == 200, response.content[:500]
        return response.content

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [CODE])
            rows = cursor.fetchall()
        return json.dumps(
            [
                {"indicator": c, "period": f"{y}Q{q}", "chain": s, "value": str(v), "status": st, "version": ver}
                for c, y, q, s, v, st, ver in rows
            ]
        ).encode()

    api()
    baseline()  # warm up both
    api_time, api_body = timed(api, args.repeat)
    base_time, base_body = timed(baseline, args.repeat)
    points = sum(len(item["points"]) for item in json.loads(api_body)["results"])
    rows = len(json.loads(base_body))
    print(f"database: {connection.vendor}; repeat: {args.repeat} (medians)")
    print(f"api      : {api_time * 1000:8.1f} ms  {points} points, {len(api_body) / 1e6:.2f} MB JSON")
    print(f"baseline : {base_time * 1000:8.1f} ms  {rows} rows, {len(base_body) / 1e6:.2f} MB JSON")
    print(f"ratio api/baseline: {api_time / base_time:.1f}x")
    cleanup()
    if _tmp is not None:
        Path(_tmp.name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
