"""Benchmark: building the monitoring card (annex 7.2), against reading the rows it needs.

    .venv/bin/python bench/bench_scores.py [--repeat 7]        # SQLite test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_scores.py

Builds a throw-away test database and two programmes:
  - PER0601011 from fixtures/per0601011/programme.json (36 indicators; 8 card periods);
  - a synthetic programme: 4 results x 25 indicators, a value and a target per quarter of
    2009-2011, 20 tasks per result and quarter (100 indicators; 16 periods: 12 quarters, 3 years, 1).
For each, times in the same run:
  - baseline: evaluating the seven querysets the card reads, without computing anything;
  - card: ``indicators.selectors.monitoring_card`` (the same reads, then every score).
Prints the median of each, the queries counted, cells (indicator x period) per second and the
ratio of the card to the baseline.
"""

import argparse
import copy
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse_monitor.settings")


def _median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _synthetic(models, period_cls):
    Programme, Result, Indicator, IndicatorValue, IndicatorTarget, Activity, Task = models
    programme = Programme.objects.create(code="BENCH", name="Benchmark", belgian_contribution=Decimal("1000000"))
    Result.objects.create(programme=programme, code="OE", kind="OE", order=0, statement="OE")
    quarters = [period_cls(y, q) for y in (2009, 2010, 2011) for q in (1, 2, 3, 4)]
    for r in range(1, 5):
        result = Result.objects.create(programme=programme, code=f"R{r}", kind="R", order=r, statement=f"R{r}")
        activity = Activity.objects.create(result=result, code=f"A/0{r}/01", name="activity")
        indicators = Indicator.objects.bulk_create(
            Indicator(result=result, code=f"R{r}.{i}", order=i, name=f"indicator {i}", unit_kind="count",
                      aggregation=("sum", "running", "latest")[i % 3])
            for i in range(1, 26)
        )  # fmt: skip
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator=ind, year=p.year, quarter=p.quarter, value=Decimal(7 + i % 5))
            for i, ind in enumerate(indicators)
            for p in quarters
        )
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=ind, year=p.year, quarter=p.quarter, value=Decimal(10))
            for ind in indicators
            for p in quarters
        )
        Task.objects.bulk_create(
            Task(activity=activity, year=p.year, quarter=p.quarter, name=f"task {t}", executed=t % 4 != 0,
                 planned_cost=Decimal(100 + t), actual_cost=Decimal(90 + t), assumable=t % 2 == 0,
                 beneficiary_contribution=Decimal(t))
            for p in quarters
            for t in range(20)
        )  # fmt: skip
    periods = quarters + [period_cls(y) for y in (2009, 2010, 2011)] + [period_cls(2012)]
    return programme, periods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    results = []
    try:
        from indicators.models import (
            Activity,
            Indicator,
            IndicatorTarget,
            IndicatorValue,
            Programme,
            Result,
            StatedAchievement,
            StatedScore,
            Task,
        )
        from indicators.periods import Period
        from indicators.selectors import monitoring_card
        from programmes.loading import programme_load, read_programme_file

        data = read_programme_file(Path(__file__).resolve().parents[1] / "fixtures/per0601011/programme.json")
        programme_load(data=copy.deepcopy(data))
        per = Programme.objects.get(code="PER0601011")
        per_periods = [Period(2008), Period(2009), Period(2010), *(Period(2011, q) for q in (1, 2, 3, 4)), Period(2011)]
        bench, bench_periods = _synthetic(
            (Programme, Result, Indicator, IndicatorValue, IndicatorTarget, Activity, Task), Period
        )

        def rows_only(programme, periods):
            years = sorted({p.year for p in periods})
            list(Result.objects.filter(programme=programme))
            ids = [i.pk for i in Indicator.objects.filter(result__programme=programme, has_data=True)]
            list(IndicatorValue.objects.filter(indicator_id__in=ids, chain__isnull=True, region="", sex=""))
            list(IndicatorTarget.objects.filter(indicator_id__in=ids, chain__isnull=True))
            list(StatedAchievement.objects.filter(indicator_id__in=ids))
            list(StatedScore.objects.filter(result__programme=programme))
            list(Task.objects.filter(activity__result__programme=programme, year__in=years))

        for label, programme, periods in (("PER0601011", per, per_periods), ("synthetic", bench, bench_periods)):
            with CaptureQueriesContext(connection) as queries:
                card = monitoring_card(programme, periods)
            cells = sum(len(level.indicators) for level in card.levels) * len(periods)
            baseline = _median_seconds(lambda p=programme, ps=periods: rows_only(p, ps), args.repeat)
            seconds = _median_seconds(lambda p=programme, ps=periods: monitoring_card(p, ps), args.repeat)
            results.append((label, cells, len(queries.captured_queries), baseline, seconds))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"database: {connection.vendor}; median of {args.repeat} runs")
    print(f"{'programme':<12}{'cells':>7}{'queries':>9}{'rows only s':>13}{'card s':>9}{'cells/s':>10}{'x rows':>8}")
    for label, cells, queries, baseline, seconds in results:
        print(
            f"{label:<12}{cells:>7}{queries:>9}{baseline:>13.4f}{seconds:>9.4f}"
            f"{cells / seconds:>10.0f}{seconds / baseline:>8.2f}"
        )


if __name__ == "__main__":
    main()
