"""Reads for the annual report: the whole report of a programme and year, built once, in a fixed number of queries.

``annual_report(programme, year)`` gathers every table of the report (sections 1–7 of the seed)
into one ``AnnualReport`` dataclass; the template only displays it. Scores come from the scores
engine (``indicators.selectors.monitoring_card``), budget execution from ``budget.execution``:
no formula is re-implemented here. Stated figures (StatedScore, StatedAchievement) are shown
as stated and marked so. The number of queries does not depend on the number of indicators,
budget lines or districts (see ``bench/bench_report.py``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from budget import execution as budget_execution
from budget import selectors as budget_selectors
from budget.models import (
    FinancialPlan,
    FinancialPlanLine,
    FinancialPlanQuarter,
    PartnerContributionExecution,
)
from chains.models import ChainNote
from indicators.figures import Figure, IndicatorLine, figure_book, indicator_lines
from indicators.models import Activity, ActivityRating, Indicator, Partner, Programme, Result
from indicators.periods import Period
from indicators.selectors import MonitoringCard, monitoring_card
from municipalities.models import BeneficiaryDistrict
from reports.models import (
    EmclDecision,
    LessonLearned,
    NarrativeSection,
    QualityCriterion,
    Recommendation,
    Report,
    Risk,
)

ZERO = Decimal("0")
KEY_LESSONS_GROUP = "key"  # LessonLearned.group of the key lessons of 2.4.1


# ---------------------------------------------------------------------------------------------
# The report's parts


@dataclass(frozen=True)
class ScoreRow:
    """A row of table 2.1: one logframe level's efficiency, efficacy, sustainability for the year."""

    code: str
    label: str
    efficiency: Figure
    efficacy: Figure
    sustainability: Figure
    average_achievement: Figure


@dataclass(frozen=True)
class ActivityLine:
    activity: Activity
    rating: str
    comment: str


@dataclass
class LevelSection:
    """Everything the report says about one logframe level (OE or a result) for the year."""

    result: Result
    indicators: list[IndicatorLine] = field(default_factory=list)
    all_indicators: list[Indicator] = field(default_factory=list)
    activities: list[ActivityLine] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    quality: list[QualityCriterion] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    narratives: dict[str, str] = field(default_factory=dict)
    scores: ScoreRow | None = None

    @property
    def code(self) -> str:
        return self.result.code

    @property
    def is_objective(self) -> bool:
        return self.result.kind == Result.Kind.SPECIFIC_OBJECTIVE


@dataclass(frozen=True)
class PlanRow:
    """A row of annex 7.5, in the plan's unit (thousands of EUR for FIT)."""

    label: str
    depth: int
    is_header: bool
    fin_mode: str
    budget: Decimal | None
    spent_to_previous_year: Decimal | None
    balance: Decimal | None
    quarters: list[Decimal | None]
    year_total: Decimal | None
    later_years: Decimal | None
    end_balance: Decimal | None
    rate: Decimal | None


@dataclass(frozen=True)
class PlanTotal:
    label: str
    budget: Decimal
    spent_to_previous_year: Decimal
    balance: Decimal
    quarters: list[Decimal]
    year_total: Decimal
    later_years: Decimal
    end_balance: Decimal
    rate: Decimal | None


@dataclass
class FinancialPlanSection:
    plan: FinancialPlan
    rows: list[PlanRow]
    totals: list[PlanTotal]


@dataclass(frozen=True)
class ResultBudget:
    """Budget execution of the lines attached to one result (money)."""

    code: str
    execution: budget_execution.Execution


@dataclass
class AnnualReport:
    programme: Programme
    year: int
    report: Report | None
    partners: list[Partner]
    levels: list[LevelSection]
    summary: list[ScoreRow]
    yearly_budget: list[budget_execution.YearExecution]
    partner_executed: Decimal | None
    narratives: dict[str, str]
    key_lessons: list[LessonLearned]
    lessons: dict[str, list[LessonLearned]]
    decisions: list[EmclDecision]
    card: MonitoringCard
    budget_annex: budget_selectors.BudgetVsActuals
    budget_by_result: list[ResultBudget]
    beneficiaries: list[BeneficiaryDistrict]
    beneficiary_total: int
    financial_plan: FinancialPlanSection | None
    chain_notes: list[ChainNote] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.report.status if self.report else Report.Status.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == Report.Status.APPROVED

    @property
    def objective(self) -> LevelSection | None:
        return next((level for level in self.levels if level.is_objective), None)

    @property
    def results(self) -> list[LevelSection]:
        return [level for level in self.levels if not level.is_objective]

    @property
    def has_data(self) -> bool:
        """False when nothing of the year was entered (the report then prints "Sin dato" throughout)."""
        return bool(
            any(level.risks or level.quality or level.activities or level.recommendations for level in self.levels)
            or any(line.current.value is not None for level in self.levels for line in level.indicators)
            or self.narratives
            or self.decisions
            or any(row.efficacy.value is not None for row in self.summary)
        )


# ---------------------------------------------------------------------------------------------
# Helpers


def card_periods(programme: Programme, year: int) -> list[Period]:
    """The periods of annex 7.2: each earlier year of the programme, then the four quarters of ``year``."""
    start = programme.start_effective or programme.start_planned or programme.signature_date
    first = min(start.year, year) if start else year
    return [Period(y) for y in range(first, year)] + [Period(year, q) for q in (1, 2, 3, 4)]


def _plan_section(programme: Programme, year: int) -> FinancialPlanSection | None:
    """The financial plan made for the year after ``year`` (FIT plans 2012Q1 close the 2011 report), else ``year``'s."""
    plans = list(FinancialPlan.objects.filter(programme=programme, plan_year__in=[year, year + 1]))
    plans.sort(key=lambda p: (p.plan_year != year + 1, p.version))
    if not plans:
        return None
    plan = plans[0]
    lines = list(FinancialPlanLine.objects.filter(plan=plan).order_by("order", "pk"))
    quarters: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for q in FinancialPlanQuarter.objects.filter(line__plan=plan):
        quarters[q.line_id][q.quarter] = q.amount
    rows: list[PlanRow] = []
    sums: dict[str, list[Decimal]] = {}
    for line in lines:
        qs = [quarters[line.pk].get(q) for q in (1, 2, 3, 4)]
        has_numbers = line.budget is not None or any(v is not None for v in qs)
        if line.budget is not None:
            balance = budget_execution.execution(line.budget, line.spent_to_previous_year or ZERO).balance
        else:
            balance = None
        year_total = sum((v for v in qs if v is not None), ZERO) if has_numbers else None
        later = line.later_years
        end_balance = None
        rate = None
        if balance is not None:
            planned = (year_total or ZERO) + (later or ZERO)
            end_balance = balance - planned
            rate = budget_execution.execution_rate((line.spent_to_previous_year or ZERO) + planned, line.budget)
        rows.append(
            PlanRow(
                line.label,
                line.label.count("/") if "/" in line.label else 0,
                line.is_header,
                line.fin_mode,
                line.budget,
                line.spent_to_previous_year,
                balance,
                qs,
                year_total,
                later,
                end_balance,
                rate,
            )
        )
        if not line.is_header and line.budget is not None:
            for key in (line.fin_mode or "—", "TOTAL"):
                acc = sums.setdefault(key, [ZERO] * 7)
                values = [line.budget, line.spent_to_previous_year or ZERO, *[v or ZERO for v in qs], later or ZERO]
                sums[key] = [a + v for a, v in zip(acc, values, strict=True)]
    totals = []
    order = sorted((k for k in sums if k != "TOTAL"), key=lambda k: (k != "REGIE", k)) + ["TOTAL"]
    for key in order:
        if key not in sums:
            continue
        budget, spent, q1, q2, q3, q4, later = sums[key]
        balance = budget_execution.balance(budget, spent)
        year_total = q1 + q2 + q3 + q4
        end_balance = balance - year_total - later
        rate = budget_execution.execution_rate(spent + year_total + later, budget)
        totals.append(PlanTotal(key, budget, spent, balance, [q1, q2, q3, q4], year_total, later, end_balance, rate))
    return FinancialPlanSection(plan, rows, totals)


# ---------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class _LevelParts:
    """What the report says per logframe level for the year, grouped by result id (five queries)."""

    activities: dict[int, list[ActivityLine]]
    risks: dict[int, list[Risk]]
    quality: dict[int, list[QualityCriterion]]
    recommendations: dict[int, list[Recommendation]]
    narratives: dict[int, dict[str, str]]


def _by_result(rows, key=lambda row: row.result_id) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def _narratives(programme: Programme, year: int) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The year's narratives: the programme-wide ones by key, and the per-result ones by result id then key."""
    programme_wide: dict[str, str] = {}
    per_result: dict[int, dict[str, str]] = defaultdict(dict)
    for n in NarrativeSection.objects.filter(programme=programme, year=year):
        if n.result_id:
            per_result[n.result_id][n.key] = n.text
        else:
            programme_wide[n.key] = n.text
    return programme_wide, per_result


def _level_parts(programme: Programme, year: int, per_result_narratives: dict[int, dict[str, str]]) -> _LevelParts:
    """Activities with their rating (3.3.2), risks, quality criteria and recommendations of the year, per result."""
    ratings = {
        r.activity_id: r for r in ActivityRating.objects.filter(activity__result__programme=programme, year=year)
    }
    activities = Activity.objects.filter(result__programme=programme, pk__in=list(ratings)).order_by(
        "result__order", "order", "code"
    )
    by_level = {"result__programme": programme, "year": year}
    return _LevelParts(
        activities=_by_result(
            (ActivityLine(a, ratings[a.pk].rating, ratings[a.pk].comment) for a in activities),
            key=lambda line: line.activity.result_id,
        ),
        risks=_by_result(Risk.objects.filter(**by_level).order_by("order", "pk")),
        quality=_by_result(QualityCriterion.objects.filter(**by_level).order_by("pk")),
        recommendations=_by_result(Recommendation.objects.filter(**by_level).order_by("order", "pk")),
        narratives=per_result_narratives,
    )


def _levels(
    results: list[Result],
    indicators: list[Indicator],
    lines: dict[int, IndicatorLine],
    card: MonitoringCard,
    parts: _LevelParts,
) -> list[LevelSection]:
    """Sections 3.2 and 3.3: one per logframe level, with its indicator table and its scores of table 2.1.

    ``card``'s first period is the whole year N (table 2.1).
    """
    levels = []
    for result in results:
        section = LevelSection(
            result=result,
            narratives=parts.narratives.get(result.pk, {}),
            all_indicators=[ind for ind in indicators if ind.result_id == result.pk],
            activities=parts.activities.get(result.pk, []),
            risks=parts.risks.get(result.pk, []),
            quality=parts.quality.get(result.pk, []),
            recommendations=parts.recommendations.get(result.pk, []),
        )
        section.indicators = [lines[ind.pk] for ind in section.all_indicators if ind.pk in lines]
        card_level = next((lv for lv in card.levels if lv.result_id == result.pk), None)
        if card_level is not None:
            section.scores = ScoreRow(
                result.code,
                result.statement,
                card_level.efficiency[0],
                card_level.efficacy[0],
                card_level.sustainability[0],
                card_level.average_achievement[0],
            )
        levels.append(section)
    return levels


def _without_first_period(card: MonitoringCard) -> MonitoringCard:
    """The card as annex 7.2 prints it: without the whole-year column used for table 2.1."""
    return MonitoringCard(
        card.programme_code,
        card.periods[1:],
        [
            replace(
                level,
                efficacy=level.efficacy[1:],
                efficiency=level.efficiency[1:],
                sustainability=level.sustainability[1:],
                average_achievement=level.average_achievement[1:],
                suggested_ratings=level.suggested_ratings[1:],
                indicators=[replace(row, periods=row.periods[1:]) for row in level.indicators],
            )
            for level in card.levels
        ],
    )


def _budget_by_result(annex: budget_selectors.BudgetVsActuals) -> list[ResultBudget]:
    """Section 3.3.6: the execution of the lines attached to each result (no bar where spending is unknown)."""
    return sorted(
        (
            ResultBudget(code, execution)
            for code, execution in annex.by_result.items()
            if code and execution.spent is not None
        ),
        key=lambda rb: rb.code,
    )


def _lessons(programme: Programme, year: int) -> tuple[list[LessonLearned], dict[str, list[LessonLearned]]]:
    """The key lessons of 2.4.1, and the lessons of section 6 by group."""
    lessons: dict[str, list[LessonLearned]] = {}
    key_lessons: list[LessonLearned] = []
    for lesson in LessonLearned.objects.filter(programme=programme, year=year).order_by("group", "order", "pk"):
        if lesson.group == KEY_LESSONS_GROUP:
            key_lessons.append(lesson)
        else:
            lessons.setdefault(lesson.group, []).append(lesson)
    return key_lessons, lessons


def annual_report(programme: Programme, year: int) -> AnnualReport:
    """The whole annual report of ``programme`` for ``year``, in a fixed number of queries (≈30)."""
    results = list(Result.objects.filter(programme=programme).order_by("order", "code"))
    indicators = list(Indicator.objects.filter(result__programme=programme).order_by("result__order", "order", "code"))
    # One read of every indicator's figures, up to the report's year: the tables and the card share it.
    book = figure_book(indicators, last_year=year)
    lines = {line.indicator.pk: line for line in indicator_lines(indicators, year, book)}
    card = monitoring_card(programme, [Period(year), *card_periods(programme, year)], book=book)
    narratives, per_result_narratives = _narratives(programme, year)
    levels = _levels(results, indicators, lines, card, _level_parts(programme, year, per_result_narratives))
    # Annex 7.3 and table 2.1 come from the budget selectors (FIT total, leaf lines only).
    annex = budget_selectors.budget_vs_actuals(programme, year)
    partner = PartnerContributionExecution.objects.filter(programme=programme, year__lte=year).order_by("-year").first()
    beneficiaries = list(
        BeneficiaryDistrict.objects.filter(programme=programme).select_related("district").order_by("pk")
    )
    key_lessons, lessons = _lessons(programme, year)
    return AnnualReport(
        programme=programme,
        year=year,
        report=Report.objects.filter(programme=programme, year=year).first(),
        partners=list(Partner.objects.filter(programme=programme).order_by("order", "pk")),
        levels=levels,
        summary=[level.scores for level in levels if level.scores is not None],
        yearly_budget=[row for row in budget_selectors.yearly_execution(programme) if row.year <= year],
        partner_executed=partner.executed if partner else None,
        narratives=narratives,
        key_lessons=key_lessons,
        lessons=lessons,
        decisions=list(EmclDecision.objects.filter(programme=programme, year=year).order_by("order", "pk")),
        card=_without_first_period(card),
        budget_annex=annex,
        budget_by_result=_budget_by_result(annex),
        beneficiaries=beneficiaries,
        beneficiary_total=sum(b.target_population for b in beneficiaries),
        financial_plan=_plan_section(programme, year),
        chain_notes=list(
            ChainNote.objects.filter(chain__programme=programme, year=year)
            .select_related("chain")
            .order_by("topic", "chain__order", "pk")
        ),
    )
