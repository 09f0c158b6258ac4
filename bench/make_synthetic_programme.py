"""Make a synthetic programme N times larger than PER0601011, for the report benchmark.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/make_synthetic_programme.py --factor 10

Copies the loaded PER0601011 (run ``manage.py load_programme`` first) into a programme ``SYNx<N>``
whose every long table is N times longer: indicators per result (with their values, targets,
comments and stated achievements), activities and ratings, risks, recommendations, budget lines
with their expenses, financial plan lines and beneficiary districts. The figures are the
originals', so the report stays plausible; names get a "#k" suffix. Replaces an earlier copy.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse_monitor.settings")


def _copy(instance, **changes):
    instance.pk = None
    instance.id = None
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


def make(factor: int, source_code: str = "PER0601011") -> str:
    import django

    django.setup()
    from django.db import transaction

    from budget.models import (
        BudgetExpense,
        BudgetLine,
        FinancialPlan,
        FinancialPlanLine,
        FinancialPlanQuarter,
        PartnerContributionExecution,
        YearlyBudget,
    )
    from indicators.models import (
        Activity,
        ActivityRating,
        Indicator,
        IndicatorComment,
        IndicatorTarget,
        IndicatorValue,
        Partner,
        Programme,
        Result,
        StatedAchievement,
        StatedScore,
    )
    from municipalities.models import BeneficiaryDistrict, District
    from programmes.loading import _delete_programme
    from reports.models import EmclDecision, LessonLearned, NarrativeSection, QualityCriterion, Recommendation, Risk

    code = f"SYNx{factor}"
    source = Programme.objects.get(code=source_code)
    with transaction.atomic():
        existing = Programme.objects.filter(code=code).first()
        if existing:
            _delete_programme(existing)
        programme = _copy(Programme.objects.get(pk=source.pk), code=code, name=f"{source.name} (x{factor})")
        programme.save()
        for p in Partner.objects.filter(programme=source):
            _copy(p, programme=programme).save()
        result_map = {}
        for result in Result.objects.filter(programme=source).order_by("order"):
            old = result.pk
            _copy(result, programme=programme).save()
            result_map[old] = result
        for ind in Indicator.objects.filter(result__programme=source).order_by("pk"):
            values = list(IndicatorValue.objects.filter(indicator=ind, chain__isnull=True))
            targets = list(IndicatorTarget.objects.filter(indicator=ind, chain__isnull=True))
            comments = list(IndicatorComment.objects.filter(indicator=ind))
            stated = list(StatedAchievement.objects.filter(indicator=ind))
            old_pk, base_code, base_name, base_order, old_result = ind.pk, ind.code, ind.name, ind.order, ind.result_id
            for k in range(factor):
                copy = _copy(
                    Indicator.objects.get(pk=old_pk),
                    result=result_map[old_result],
                    code=f"{base_code}.{k}",
                    name=f"{base_name} #{k}",
                    order=base_order * factor + k,
                )
                copy.save()
                IndicatorValue.objects.bulk_create(_copy(v, indicator=copy, chain=None) for v in values)
                IndicatorTarget.objects.bulk_create(_copy(t, indicator=copy, chain=None) for t in targets)
                IndicatorComment.objects.bulk_create(_copy(c, indicator=copy) for c in comments)
                StatedAchievement.objects.bulk_create(_copy(s, indicator=copy) for s in stated)
        for s in StatedScore.objects.filter(result__programme=source):
            _copy(s, result=result_map[s.result_id]).save()
        for activity in Activity.objects.filter(result__programme=source):
            ratings = list(ActivityRating.objects.filter(activity=activity))
            old_result, name, code_ = activity.result_id, activity.name, activity.code
            for k in range(factor):
                copy = _copy(Activity.objects.get(pk=activity.pk), result=result_map[old_result], code=f"{code_}.{k}")
                copy.name = f"{name} #{k}"
                copy.save()
                ActivityRating.objects.bulk_create(_copy(r, activity=copy) for r in ratings)
        for model in (Risk, Recommendation, QualityCriterion):
            for row in model.objects.filter(result__programme=source):
                copies = factor if model is not QualityCriterion else 1
                for _k in range(copies):
                    _copy(model.objects.get(pk=row.pk), result=result_map[row.result_id]).save()
        for model in (NarrativeSection, EmclDecision, LessonLearned, YearlyBudget, PartnerContributionExecution):
            for row in model.objects.filter(programme=source):
                extra = {"result": result_map.get(row.result_id)} if model is NarrativeSection else {}
                _copy(row, programme=programme, **extra).save()
        # Budget: each top-level branch (A, X, Z …) copied N times under a new letter code.
        lines = list(BudgetLine.objects.filter(programme=source).order_by("order", "pk"))
        expenses = {}
        for e in BudgetExpense.objects.filter(line__programme=source):
            expenses.setdefault(e.line_id, []).append(e)
        line_map = {}
        order = 0
        for k in range(factor):
            for line in lines:
                old = line.pk
                order += 1
                copy = BudgetLine.objects.get(pk=old)
                _copy(copy, programme=programme, code=f"{k}{copy.code}", order=order)
                copy.parent = line_map.get((k, line.parent_id))
                copy.result = result_map.get(line.result_id)
                copy.activity = None
                copy.save()
                line_map[(k, old)] = copy
                BudgetExpense.objects.bulk_create(_copy(e, line=copy) for e in expenses.get(old, []))
        for plan in FinancialPlan.objects.filter(programme=source):
            plan_lines = list(FinancialPlanLine.objects.filter(plan=plan).order_by("order"))
            quarters = {}
            for q in FinancialPlanQuarter.objects.filter(line__plan=plan):
                quarters.setdefault(q.line_id, []).append(q)
            new_plan = _copy(FinancialPlan.objects.get(pk=plan.pk), programme=programme)
            new_plan.save()
            order = 0
            for k in range(factor):
                for pl in plan_lines:
                    order += 1
                    copy = _copy(FinancialPlanLine.objects.get(pk=pl.pk), plan=new_plan, order=order)
                    copy.budget_line = line_map.get((k, pl.budget_line_id))
                    copy.save()
                    FinancialPlanQuarter.objects.bulk_create(_copy(q, line=copy) for q in quarters.get(pl.pk, []))
        # Beneficiaries: the source's districts, then other districts of the register, N times as many.
        rows = list(BeneficiaryDistrict.objects.filter(programme=source).select_related("district"))
        used = {b.district_id for b in rows}
        spare = list(District.objects.exclude(pk__in=used).order_by("ubigeo")[: len(rows) * (factor - 1)])
        new_rows = [_copy(b, programme=programme) for b in rows]
        for i, district in enumerate(spare):
            template = rows[i % len(rows)]
            new_rows.append(
                BeneficiaryDistrict(
                    programme=programme,
                    district=district,
                    country=template.country,
                    department_label=district.department,
                    province_label=district.province,
                    district_label=district.name,
                    target_population=template.target_population,
                    women_share=template.women_share,
                )
            )
        BeneficiaryDistrict.objects.bulk_create(new_rows)
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--source", default="PER0601011")
    args = parser.parse_args()
    start = time.perf_counter()
    code = make(args.factor, args.source)
    from indicators.models import Indicator

    print(
        f"{code}: {Indicator.objects.filter(result__programme__code=code).count()} indicators "
        f"({time.perf_counter() - start:.1f} s)"
    )


if __name__ == "__main__":
    main()
