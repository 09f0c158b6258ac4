"""Loading a programme from its domain-shaped JSON (fixtures/<programme>/programme.json) in one transaction.

The JSON is written by ``fixtures/build_per0601011.py``: decimals as strings, percentages as
ratios. Model share fields hold percent (49.97 means 49.97 %), so shares are converted here and
only here. Everything is written inside one atomic block: a load either completes or leaves
the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from budget.models import (
    BudgetExpense,
    BudgetLine,
    FinancialPlan,
    FinancialPlanLine,
    FinancialPlanQuarter,
    PartnerContributionExecution,
    YearlyBudget,
)
from chains.models import ChainNote, ValueChain
from cse_monitor.lib.messages import translated
from indicators.entry.errors import LoadError
from indicators.entry.rules import precision_errors
from indicators.entry.services import LoadedValue, values_load
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
from indicators.periods import Period
from indicators.precision import Precision
from municipalities.models import BeneficiaryDistrict, District, OdelMunicipality
from reports.models import (
    EmclDecision,
    LessonLearned,
    NarrativeSection,
    QualityCriterion,
    Recommendation,
    Report,
    Risk,
)

FORMAT = "cse-monitor/programme@1"


class ProgrammeLoadError(Exception):
    """The file cannot be loaded; nothing was written."""


@dataclass(frozen=True)
class LoadOutcome:
    code: str
    created: bool
    counts: dict[str, int]

    def summary(self) -> str:
        if not self.created:
            return f"Programme {self.code} already exists: nothing loaded (--if-absent)."
        parts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return f"Loaded programme {self.code}: {parts}."


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _pct(ratio: Any) -> Decimal | None:
    """A ratio of the JSON as the percent a model share field holds (0.4997 -> 49.97)."""
    return None if ratio is None else Decimal(str(ratio)).scaleb(2)


def _measure(item: dict, value: Any) -> Decimal | None:
    """A figure of the JSON in the model's unit: percentage indicators hold percent (0.515 -> 51.5).

    The JSON writes every percentage as a ratio; in the models a percentage indicator's values,
    targets, baseline and final target are percent, as staff type them and as shares are kept.
    """
    if item["unit_kind"] == Indicator.UnitKind.PERCENTAGE:
        return _pct(value)
    return _d(value)


def _held(model, objs: Iterable) -> list:
    """Bulk-create ``objs`` once every number fits its column exactly; the file is refused otherwise.

    The precisions are the fields' own (declared once in the models); the database would round extra
    decimals silently and SQLite would keep too many digits inexactly.
    """
    objs = list(objs)
    fields = [
        (f, Precision(f.max_digits, f.decimal_places))
        for f in model._meta.concrete_fields
        if isinstance(f, models.DecimalField)
    ]
    problems = [
        f"{obj} {field.name}: {translated(message)}"
        for obj in objs
        for field, precision in fields
        for message in precision_errors(_decimal(getattr(obj, field.attname)), precision)
    ]
    if problems:
        raise ProgrammeLoadError("Numbers too large or too precise, nothing was loaded: " + "; ".join(problems))
    return model.objects.bulk_create(objs)


def _decimal(number: Decimal | int | None) -> Decimal | None:
    """A field's number as a Decimal (defaults such as ``weight=1`` are ints)."""
    return number if number is None or isinstance(number, Decimal) else Decimal(number)


def _held_one(model, **fields):
    return _held(model, [model(**fields)])[0]


def _date(value: str | None) -> date | None:
    return None if not value else date.fromisoformat(value)


def read_programme_file(path: str | Path) -> dict:
    """The parsed JSON of a programme file; ProgrammeLoadError when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProgrammeLoadError(f"No such file: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProgrammeLoadError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProgrammeLoadError(f"{path} is not a programme file (expected format {FORMAT!r}).")
    return data


def programme_load(*, data: dict, if_absent: bool = False, replace: bool = False) -> LoadOutcome:
    """Load one programme from its JSON. All or nothing; refuses an existing code unless told otherwise."""
    if if_absent and replace:
        raise ProgrammeLoadError("Use either --if-absent or --replace, not both.")
    try:
        code = data["programme"]["code"]
    except (KeyError, TypeError) as exc:
        raise ProgrammeLoadError("The file has no programme code.") from exc
    try:
        with transaction.atomic():
            existing = Programme.objects.filter(code=code).first()
            if existing is not None:
                if if_absent:
                    return LoadOutcome(code=code, created=False, counts={})
                if not replace:
                    raise ProgrammeLoadError(
                        f"Programme {code} already exists. Use --if-absent to keep it or --replace to reload it."
                    )
                _delete_programme(existing)
            counts = _Loader(data).run()
    except ProgrammeLoadError:
        raise
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ProgrammeLoadError(f"The file does not have the expected shape: {exc!r}. Nothing was loaded.") from exc
    except Exception as exc:  # database refusals (IntegrityError, DataError …): report, never half-load
        raise ProgrammeLoadError(f"The database refused the data: {exc}. Nothing was loaded.") from exc
    return LoadOutcome(code=code, created=True, counts=counts)


def programme_delete(*, programme: Programme) -> None:
    """Delete a programme and everything it holds, in one transaction.

    ``Programme.delete()`` alone is refused (ProtectedError): financial plan lines PROTECT their
    budget lines and indicator values/targets PROTECT their value chains. Those go first.
    """
    with transaction.atomic():
        _delete_programme(programme)


def _delete_programme(programme: Programme) -> None:
    # PROTECTed references (plan line -> budget line, value -> chain) go first.
    FinancialPlan.objects.filter(programme=programme).delete()
    IndicatorValue.objects.filter(indicator__result__programme=programme).delete()
    IndicatorTarget.objects.filter(indicator__result__programme=programme).delete()
    BeneficiaryDistrict.objects.filter(programme=programme).delete()
    OdelMunicipality.objects.filter(programme=programme).delete()
    programme.delete()


class _Loader:
    def __init__(self, data: dict):
        self.data = data
        self.counts: dict[str, int] = {}

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def run(self) -> dict[str, int]:
        self.programme = self._programme()
        self.results = self._levels()
        self.chains = self._chains()
        self.indicators = self._indicators()
        self.activities = self._activities()
        self._scores()
        self._report_content()
        self._places()
        self._budget()
        return self.counts

    # -------------------------------------------------------------------------------- programme
    def _programme(self) -> Programme:
        p = self.data["programme"]
        card = self.data.get("monitoring_card", {})
        programme = _held_one(
            Programme,
            code=p["code"],
            name=p["name"],
            short_name=p.get("short_name", ""),
            country=p.get("country", "Perú"),
            zone=p.get("zone", ""),
            currency=p.get("currency", "EUR"),
            belgian_contribution=_d(p["belgian_contribution"]["amount"]),
            partner_contribution=_d(p["partner_contribution"]["amount"]),
            responsible_name=p["responsible"]["name"],
            responsible_role=p["responsible"]["role"],
            executor_name=p["executor"]["name"],
            executor_role=p["executor"]["role"],
            signature_date=_date(p.get("signature_date")),
            duration_months=p.get("duration_months"),
            target_group=p.get("target_group", ""),
            global_objective=p.get("global_objective", ""),
            specific_objective=p.get("specific_objective", ""),
            donor_code=card.get("donor_code", ""),
            executor_code=card.get("executor_code", ""),
            national_partner=card.get("national_partner", ""),
            executing_agency=card.get("executing_agency", ""),
            management_mode=card.get("management_mode", ""),
            start_planned=_date(card.get("start_planned", {}).get("date")),
            start_effective=_date(card.get("start_effective", {}).get("date")),
            end_planned=_date(card.get("end_planned", {}).get("date")),
            end_effective=_date(card.get("end_effective", {}).get("date")),
        )
        Partner.objects.bulk_create(
            Partner(
                programme=programme, order=i, name=x["name"], acronym=x["acronym"], represented_by=x["represented_by"]
            )
            for i, x in enumerate(p.get("partners", []), start=1)
        )
        report = self.data.get("report")
        if report:
            Report.objects.create(programme=programme, year=report["year"], period_covered=report["period_covered"])
        self.count("programmes", 1)
        return programme

    def _levels(self) -> dict[str, Result]:
        created = Result.objects.bulk_create(
            Result(
                programme=self.programme,
                code=level["code"],
                kind=level["kind"],
                order=level["order"],
                statement=level["statement"],
                targets="\n".join(level.get("targets", [])),
                means_of_verification="\n".join(level.get("means_of_verification", [])),
                assumptions="\n".join(level.get("assumptions", [])),
            )
            for level in self.data["levels"]
        )
        results = {r.code: r for r in created}
        self.count("logframe levels", len(results))
        return results

    def _chains(self) -> dict[str, ValueChain]:
        chains = ValueChain.objects.bulk_create(
            ValueChain(programme=self.programme, slug=c["slug"], name=c["name"], order=c["order"])
            for c in self.data.get("chains", [])
        )
        by_slug = {c.slug: c for c in ValueChain.objects.filter(programme=self.programme)}
        ChainNote.objects.bulk_create(
            ChainNote(chain=by_slug[n["chain"]], year=n["year"], topic=n["topic"], text=n["text"])
            for n in self.data.get("chain_notes", [])
        )
        self.count("value chains", len(chains))
        return by_slug

    # ------------------------------------------------------------------------------- indicators
    def _indicator(self, item: dict) -> Indicator:
        baseline = item.get("baseline") or {}
        final = item.get("final_target") or {}
        allowed = item.get("allowed_range") or {}
        return Indicator(
            result=self.results[item["level"]],
            code=item["code"],
            order=item["order"],
            name=item["name"],
            monitoring_name=item.get("monitoring_name", ""),
            unit_kind=item["unit_kind"],
            unit=item.get("unit", ""),
            direction=item.get("direction", Indicator.Direction.ASCENDING),
            aggregation=item.get("aggregation", Indicator.Aggregation.LATEST),
            baseline=_measure(item, baseline.get("value")),
            baseline_share=_pct(baseline.get("share")),
            baseline_text=baseline.get("source_text", ""),
            final_target=_measure(item, final.get("value")),
            final_target_share=_pct(final.get("share")),
            final_target_text=final.get("source_text", ""),
            has_data=item.get("has_data", True),
            disaggregated_by_chain=item.get("disaggregated_by_chain", False),
            disaggregated_by_sex=item.get("disaggregated_by_sex", False),
            disaggregated_by_region=item.get("disaggregated_by_region", False),
            # Declared, never widened to fit the values: a value outside it refuses the file.
            allowed_min=_measure(item, allowed.get("min")),
            allowed_max=_measure(item, allowed.get("max")),
        )

    def _indicators(self) -> dict[str, Indicator]:
        items = self.data["indicators"]
        created = _held(Indicator, [self._indicator(item) for item in items])
        indicators = {i.code: i for i in created}
        values, targets, comments, achievements = [], [], [], []
        for item, indicator in zip(items, created, strict=True):
            for v in item.get("values", []):
                values.append(
                    LoadedValue(
                        indicator=indicator,
                        period=Period(v["year"], v["quarter"]),
                        chain_id=self.chains[v["chain"]].pk if v.get("chain") else None,
                        chain_label=v.get("chain") or "",
                        region=v.get("region", ""),
                        sex=v.get("sex", ""),
                        value=None if v["no_data"] else _measure(item, v.get("value")),
                        share=None if v["no_data"] else _pct(v.get("share")),
                        numerator=None if v["no_data"] else _d(v.get("numerator")),
                        denominator=None if v["no_data"] else _d(v.get("denominator")),
                        no_data=v["no_data"],
                        no_data_reason=f"As printed: {v['source_text']!r}" if v["no_data"] else "",
                        source_text=v["source_text"],
                        stated=v.get("stated", True),
                    )
                )
            for t in item.get("targets", []):
                targets.append(
                    IndicatorTarget(
                        indicator=indicator,
                        year=t["year"],
                        quarter=t["quarter"],
                        value=None if t["no_data"] else _measure(item, t["value"]),
                        share=None if t["no_data"] else _pct(t.get("share")),
                        source_text=t["source_text"][:120],
                    )
                )
            comments.extend(
                IndicatorComment(indicator=indicator, year=c["year"], source=c["source"], text=c["text"])
                for c in item.get("comments", [])
            )
            achievements.extend(
                StatedAchievement(
                    indicator=indicator,
                    year=a["year"],
                    quarter=a["quarter"],
                    achievement=_d(a["achievement"]),
                    source=f"Informe anual 2011, 7.2 ({a['source_text']})"[:60],
                )
                for a in item.get("stated_achievements", [])
            )
        try:
            values_load(rows=values)
        except LoadError as exc:
            raise ProgrammeLoadError(
                "Values break the entry rules, nothing was loaded: " + "; ".join(exc.problems)
            ) from exc
        _held(IndicatorTarget, targets)
        IndicatorComment.objects.bulk_create(comments)
        _held(StatedAchievement, achievements)
        self.count("indicators", len(indicators))
        self.count("indicator values", len(values))
        self.count("stated achievements", len(achievements))
        return indicators

    def _scores(self) -> None:
        scores = [
            StatedScore(
                result=self.results[s["level"]],
                year=s["year"],
                quarter=s["quarter"],
                efficacy=_d(s.get("efficacy")),
                efficiency=_d(s.get("efficiency")),
                sustainability=_d(s.get("sustainability")),
                average_achievement=_d(s.get("average_achievement")),
                source=s["source"][:60],
            )
            for s in self.data.get("stated_scores", [])
        ]
        _held(StatedScore, scores)
        self.count("stated scores", len(scores))

    def _activities(self) -> dict[str, Activity]:
        items = self.data.get("activities", [])
        created = Activity.objects.bulk_create(
            Activity(result=self.results[a["level"]], code=a["code"], order=a["order"], name=a["name"]) for a in items
        )
        activities = {a.code: a for a in created}
        ratings = []
        for a, activity in zip(items, created, strict=True):
            ratings.extend(
                ActivityRating(activity=activity, year=r["year"], rating=r["rating"], comment=r.get("comment", ""))
                for r in a.get("ratings", [])
            )
        ActivityRating.objects.bulk_create(ratings)
        self.count("activities", len(activities))
        return activities

    # --------------------------------------------------------------------------- report content
    def _report_content(self) -> None:
        d, results, programme = self.data, self.results, self.programme
        Risk.objects.bulk_create(
            Risk(
                result=results[r["level"]],
                year=r["year"],
                order=r["order"],
                description=r["description"],
                probability=r["probability"],
                impact_description=r["impact_description"],
                impact_score=r["impact_score"],
                level=r["risk_level"],
            )
            for r in d.get("risks", [])
        )
        QualityCriterion.objects.bulk_create(
            QualityCriterion(
                result=results[q["level"]],
                year=q["year"],
                criterion=q["criterion"],
                rating=q["rating"],
                comment=q["comment"],
            )
            for q in d.get("quality_criteria", [])
        )
        Recommendation.objects.bulk_create(
            Recommendation(
                result=results[r["level"]],
                year=r["year"],
                order=r["order"],
                text=r["text"],
                source=r["source"],
                actor=r["actor"],
                deadline=r["deadline"],
            )
            for r in d.get("recommendations", [])
        )
        EmclDecision.objects.bulk_create(
            EmclDecision(
                programme=programme,
                year=e["year"],
                order=e["order"],
                decision=e["decision"],
                source=e["source"],
                minutes_date=_date(e.get("minutes_date")),
                actor=e["actor"],
                moment=e["moment"],
                status=e["status"],
            )
            for e in d.get("emcl_decisions", [])
        )
        LessonLearned.objects.bulk_create(
            LessonLearned(
                programme=programme,
                year=x["year"],
                group=x["group"],
                order=x["order"],
                text=x["text"],
                addressees=x.get("addressees", ""),
            )
            for x in d.get("lessons", [])
        )
        NarrativeSection.objects.bulk_create(
            NarrativeSection(
                programme=programme,
                year=n["year"],
                key=n["key"],
                result=results[n["level"]] if n["level"] else None,
                text=n["text"],
            )
            for n in d.get("narratives", [])
        )
        for name in ("risks", "quality_criteria", "recommendations", "emcl_decisions", "lessons", "narratives"):
            self.count(name.replace("_", " "), len(d.get(name, [])))

    # ------------------------------------------------------------------------------------ places
    def _places(self) -> None:
        beneficiaries = self.data.get("beneficiaries", [])
        pilots = self.data.get("pilot_municipalities", [])
        wanted = {b["ubigeo"] for b in beneficiaries} | {p["ubigeo"] for p in pilots}
        districts = District.objects.in_bulk(wanted, field_name="ubigeo")
        missing = sorted(wanted - set(districts))
        if missing:
            raise ProgrammeLoadError(
                f"Ubigeo not in the district register: {', '.join(missing)}. Load the register first (migrate)."
            )
        _held(
            BeneficiaryDistrict,
            [
                BeneficiaryDistrict(
                    programme=self.programme,
                    district=districts[b["ubigeo"]],
                    country=b["country"],
                    department_label=b["department"],
                    province_label=b["province"],
                    district_label=b["district"],
                    intervention_share=_pct(b.get("intervention_share")),
                    target_population=b["target_population"],
                    women_share=_pct(b.get("women_share")),
                    domain=b.get("domain", ""),
                )
                for b in beneficiaries
            ],
        )
        OdelMunicipality.objects.bulk_create(
            OdelMunicipality(
                programme=self.programme,
                district=districts[p["ubigeo"]],
                name_as_reported=p["name_as_reported"],
                is_pilot=True,
                pilot_since=_date(p.get("pilot_since")),
            )
            for p in pilots
        )
        self.count("beneficiary districts", len(beneficiaries))
        self.count("pilot municipalities", len(pilots))

    # ------------------------------------------------------------------------------------ budget
    def _budget(self) -> None:
        budget = self.data.get("budget", {})
        level_by_code = {level.get("budget_code"): code for code, level in self._levels_by_code().items()}
        lines: dict[str, BudgetLine] = {}
        entries = budget.get("lines", [])
        # One insert per depth of the code tree (A, A/01, A/01/01): parents exist before children.
        for depth in sorted({e["code"].count("/") for e in entries}):
            batch = [e for e in entries if e["code"].count("/") == depth]
            created = _held(BudgetLine, [self._budget_line(e, lines, level_by_code, budget) for e in batch])
            lines.update((line.code, line) for line in created)
        expenses = []
        for entry in entries:
            line = lines[entry["code"]]
            if entry.get("spent_start_to_2011") is not None:
                expenses.append(
                    BudgetExpense(line=line, year_from=None, year_to=2011, amount=_d(entry["spent_start_to_2011"]))
                )
            if entry.get("expenses_2012") is not None:
                expenses.append(
                    BudgetExpense(line=line, year_from=2012, year_to=2012, amount=_d(entry["expenses_2012"]))
                )
        _held(BudgetExpense, expenses)
        _held(
            YearlyBudget,
            [
                YearlyBudget(programme=self.programme, year=y["year"], budget=_d(y["budget"]), spent=_d(y["spent"]))
                for y in self.data.get("yearly_budgets", [])
            ],
        )
        _held(
            PartnerContributionExecution,
            [
                PartnerContributionExecution(programme=self.programme, year=x["year"], executed=_d(x["executed"]))
                for x in self.data.get("partner_contribution_executions", [])
            ],
        )
        self.count("budget lines", len(lines))
        plan = self.data.get("financial_plan")
        if plan:
            self._plan(plan, lines)

    def _budget_line(self, entry: dict, lines: dict, level_by_code: dict, budget: dict) -> BudgetLine:
        code = entry["code"]
        parent_code = code.rsplit("/", 1)[0] if "/" in code else None
        result_code = level_by_code.get(code[:4]) if code.startswith("A/") else None
        return BudgetLine(
            programme=self.programme,
            parent=lines[parent_code] if parent_code else None,
            code=code,
            order=entry["order"],
            name=entry["name"],
            is_header=entry["is_header"],
            fin_mode=entry["fin_mode"],
            amount=_d(entry["amount"]),
            result=self.results[result_code] if result_code else None,
            activity=self.activities.get(code) if not entry["is_header"] else None,
            budget_version=budget.get("version", ""),
        )

    def _levels_by_code(self) -> dict[str, dict]:
        return {level["code"]: level for level in self.data["levels"]}

    def _plan(self, plan: dict, lines: dict[str, BudgetLine]) -> None:
        financial_plan = _held_one(
            FinancialPlan,
            programme=self.programme,
            version=plan["version"],
            budget_version=plan.get("budget_version", ""),
            donor=plan.get("donor", ""),
            currency=plan.get("currency", "EUR"),
            unit=_d(plan.get("unit", "1000")),
            plan_year=plan["plan_year"],
            printed_on=_date(plan.get("printed_on")),
        )
        entries = plan.get("lines", [])
        created = _held(
            FinancialPlanLine,
            [
                FinancialPlanLine(
                    plan=financial_plan,
                    budget_line=lines.get(entry["budget_code"]) if entry.get("budget_code") else None,
                    order=entry["order"],
                    label=entry["label"],
                    is_header=entry["is_header"],
                    fin_mode=entry["fin_mode"],
                    budget=_d(entry.get("budget")),
                    spent_to_previous_year=_d(entry.get("spent_to_previous_year")),
                    later_years=_d(entry.get("later_years")),
                )
                for entry in entries
            ],
        )
        quarters = []
        for entry, plan_line in zip(entries, created, strict=True):
            quarters.extend(
                FinancialPlanQuarter(line=plan_line, quarter=q["quarter"], amount=_d(q["amount"]))
                for q in entry.get("quarters", [])
            )
        _held(FinancialPlanQuarter, quarters)
        self.count("financial plan lines", len(plan.get("lines", [])))
