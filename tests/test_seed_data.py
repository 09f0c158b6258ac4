"""Loading the PER0601011 data gives the seed's figures.

Every expected number below is typed from the seed (the 2011 annual report), never read back
from fixtures/per0601011/programme.json; computed figures are computed here from the loaded rows.
"""

import copy
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

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
from indicators.models import (
    Activity,
    Indicator,
    IndicatorComment,
    IndicatorValue,
    Programme,
    Result,
    StatedAchievement,
    StatedScore,
)
from municipalities.models import BeneficiaryDistrict, OdelMunicipality
from programmes.loading import ProgrammeLoadError, programme_load, read_programme_file
from reports.models import EmclDecision, LessonLearned, NarrativeSection, QualityCriterion, Recommendation, Risk

pytestmark = pytest.mark.django_db

PROGRAMME_JSON = Path(__file__).resolve().parent.parent / "fixtures" / "per0601011" / "programme.json"
CODE = "PER0601011"

# Annex 7.3, every line that prints an amount: code, balance and % exec exactly as printed.
# "??%" is FIT's print for a division by zero (amount 0).
PRINTED_73 = [
    ("A/01/01", "53.370,59", "88%"),
    ("A/01/02", "23.761,05", "53%"),
    ("A/01/03", "149.892,57", "41%"),
    ("A/02/01", "-116.429,48", "124%"),
    ("A/02/02", "55.856,82", "63%"),
    ("A/02/03", "33.838,17", "0%"),
    ("A/02/04", "15.988,56", "92%"),
    ("A/03/01", "106.244,85", "47%"),
    ("A/04/01", "150.911,42", "54%"),
    ("A/04/02", "-23.681,47", "109%"),
    ("X/01/01", "27.267,57", "39%"),
    ("Z", "0,00", "??%"),
    ("Z/01", "105.449,55", "82%"),
    ("Z/01/01", "0,00", "100%"),
    ("Z/01/02", "105.449,55", "67%"),
    ("Z/02/01", "0,00", "100%"),
    ("Z/02/02", "-218,13", "104%"),
    ("Z/02/03", "13.032,45", "54%"),
    ("Z/02/04", "2.264,60", "62%"),
    ("Z/03", "16.847,00", "92%"),
    ("Z/03/01", "1.547,90", "86%"),
    ("Z/03/02", "7.950,30", "69%"),
    ("Z/03/03", "2.197,43", "93%"),
    ("Z/03/04", "2.067,35", "59%"),
    ("Z/03/05", "-2.225,03", "105%"),
    ("Z/03/06", "6.440,40", "84%"),
    ("Z/03/07", "4.450,09", "85%"),
    ("Z/03/08", "2.773,93", "91%"),
    ("Z/03/09", "-8.355,37", "??%"),
    ("Z/04", "46.823,74", "55%"),
    ("Z/04/01", "30.935,81", "60%"),
    ("Z/04/02", "15.887,93", "36%"),
    ("Z/04/03", "15.971,15", "0%"),
    ("Z/04/04", "9.309,46", "42%"),
    ("Z/04/05", "27.256,51", "45%"),
    ("Z/99", "0,00", "??%"),
    ("Z/99/01", "0,00", "??"),
    ("Z/99/02", "0,00", "??"),
]
# Annex 7.3 header lines that print no amount (only "0%").
HEADERS_WITHOUT_AMOUNT = ["A", "A/01", "A/02", "A/03", "A/04", "X", "X/01", "Z/02"]

# Table 2.1: year, budget, spent in the year, cumulative spent, balance, execution rate (as printed).
TABLE_21 = [
    (2008, "770600.93", "537602.40", "537602.40", "3012549.59", 70),
    (2009, "991106.79", "852021.65", "1389624.05", "2160527.94", 86),
    (2010, "832912.68", "809513.47", "2199137.52", "1351014.47", 97),
    (2011, "758922.64", "637257.50", "2836395.02", "713756.97", 84),
]


def _fit(printed: str) -> Decimal:
    return Decimal(printed.replace(".", "").replace(",", "."))


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator / denominator * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@pytest.fixture
def programme():
    """Loaded through the management command, as bin/demo does."""
    call_command("load_programme", str(PROGRAMME_JSON), stdout=StringIO())
    return Programme.objects.get(code=CODE)


def test_shared_fixture_loads_the_same_programme(per0601011):
    assert per0601011.code == CODE
    assert BudgetLine.objects.filter(programme=per0601011).count() == 46


def _spent(line: BudgetLine) -> Decimal:
    return sum((e.amount for e in line.expenses.all()), Decimal("0"))


# --------------------------------------------------------------------------------- programme record


def test_programme_record_of_section_1(programme):
    assert programme.belgian_contribution == Decimal("3550000.00")
    assert programme.partner_contribution == Decimal("64800.00")
    assert programme.total_contribution == Decimal("3614800.00")
    assert str(programme.signature_date) == "2007-11-04"
    assert programme.duration_months == 48
    assert programme.responsible_name == "Ernesto López Mareovich"
    assert programme.executor_name == "Guillermo Maraví Vega Centeno"
    assert [p.acronym for p in programme.partners.all()] == ["PRODUCE", "MINCETUR", "MTPE"]
    assert programme.donor_code == "DGD NI"
    assert programme.executor_code == "CTB PER 06 010 11"
    assert (str(programme.start_planned), str(programme.start_effective)) == ("2007-11-01", "2008-04-01")
    assert (str(programme.end_planned), str(programme.end_effective)) == ("2011-11-01", "2012-11-01")
    assert programme.management_mode == "Cogestión"
    assert programme.reports.get(year=2011).period_covered == "Enero / Diciembre 2011"


# --------------------------------------------------------------------------------------- budget 7.3


def test_budget_totals_from_leaf_lines(programme):
    leaves = BudgetLine.objects.filter(programme=programme, is_header=False)
    assert leaves.aggregate(total=Sum("amount"))["total"] == Decimal("3550151.99")
    spent = BudgetExpense.objects.filter(line__in=leaves, year_to=2011).aggregate(total=Sum("amount"))["total"]
    assert spent == Decimal("2836395.01")
    by_mode = {row["fin_mode"]: row["total"] for row in leaves.values("fin_mode").annotate(total=Sum("amount"))}
    assert by_mode == {"REGIE": Decimal("409307.64"), "COGES": Decimal("3140844.35")}
    spent_by_mode = {
        row["line__fin_mode"]: row["total"]
        for row in BudgetExpense.objects.filter(line__in=leaves, year_to=2011)
        .values("line__fin_mode")
        .annotate(total=Sum("amount"))
    }
    assert spent_by_mode == {"REGIE": Decimal("244742.50"), "COGES": Decimal("2591652.51")}


def test_every_line_of_annex_73_balance_and_execution_as_printed(programme):
    lines = {line.code: line for line in BudgetLine.objects.filter(programme=programme).prefetch_related("expenses")}
    assert len(lines) == 46
    mismatches = []
    for code, printed_balance, printed_exec in PRINTED_73:
        line = lines[code]
        total = _spent(line)
        balance = line.amount - total
        execution = None if line.amount == 0 else _percent(total, line.amount)
        expected_exec = None if printed_exec.startswith("??") else Decimal(printed_exec.rstrip("%"))
        if balance != _fit(printed_balance) or execution != expected_exec:
            mismatches.append((code, balance, execution, printed_balance, printed_exec))
    assert mismatches == []
    for code in HEADERS_WITHOUT_AMOUNT:
        assert lines[code].is_header and lines[code].amount is None


def test_header_lines_keep_fit_subtotals_that_differ_from_their_children(programme):
    z04 = BudgetLine.objects.get(programme=programme, code="Z/04")
    assert z04.amount == Decimal("103000.00")
    assert z04.children.aggregate(total=Sum("amount"))["total"] == Decimal("185000.00")
    assert z04.children.count() == 5


def test_budget_lines_are_linked_to_results_and_activities(programme):
    line = BudgetLine.objects.get(programme=programme, code="A/02/02")
    assert line.result.code == "R2"
    assert line.activity.name == "Mejora de la articulación de mercados"
    assert line.parent.code == "A/02"
    assert line.activity.ratings.get(year=2011).rating == "A"


# ------------------------------------------------------------------------------------- table 2.1


def test_table_21_rows_and_recomputed_cumulative_and_balance(programme):
    rows = list(YearlyBudget.objects.filter(programme=programme).order_by("year"))
    assert [(r.year, r.budget, r.spent) for r in rows] == [(y, Decimal(b), Decimal(s)) for y, b, s, *_ in TABLE_21]
    cumulative = Decimal("0")
    total_budget = Decimal("3550151.99")
    for row, (_year, _budget, _spent, printed_cumulative, printed_balance, printed_rate) in zip(
        rows, TABLE_21, strict=True
    ):
        cumulative += row.spent
        assert cumulative == Decimal(printed_cumulative)
        assert total_budget - cumulative == Decimal(printed_balance)
        assert _percent(row.spent, row.budget) == printed_rate


def test_partner_contribution_executed(programme):
    execution = PartnerContributionExecution.objects.get(programme=programme, year=2011)
    assert execution.executed == Decimal("54899.10")
    assert programme.partner_contribution - execution.executed == Decimal("9900.90")


# ------------------------------------------------------------------------------------- annex 7.5


def test_financial_plan_totals_of_annex_75(programme):
    plan = FinancialPlan.objects.get(programme=programme, version="2012Q1")
    assert plan.unit == 1000 and plan.plan_year == 2012 and plan.donor == "DGD"
    leaves = FinancialPlanLine.objects.filter(plan=plan, is_header=False)
    assert leaves.aggregate(total=Sum("budget"))["total"] == Decimal("3550.18")
    assert leaves.aggregate(total=Sum("spent_to_previous_year"))["total"] == Decimal("2836.40")
    assert leaves.aggregate(total=Sum("later_years"))["total"] == Decimal("0.00")
    quarters = {
        row["quarter"]: row["total"]
        for row in FinancialPlanQuarter.objects.filter(line__in=leaves).values("quarter").annotate(total=Sum("amount"))
    }
    assert quarters == {1: Decimal("225.69"), 2: Decimal("226.97"), 3: Decimal("191.58"), 4: Decimal("69.54")}
    regie = FinancialPlanQuarter.objects.filter(line__in=leaves.filter(fin_mode="REGIE"))
    regie_by_q = {r["quarter"]: r["total"] for r in regie.values("quarter").annotate(total=Sum("amount"))}
    assert regie_by_q == {1: Decimal("35.59"), 2: Decimal("55.50"), 3: Decimal("70.95"), 4: Decimal("2.53")}
    assert all(line.budget_line is not None for line in leaves)


# ---------------------------------------------------------------------------------- places, chains


def test_beneficiary_districts_of_annex_74(programme):
    beneficiaries = BeneficiaryDistrict.objects.filter(programme=programme)
    assert beneficiaries.count() == 73
    assert beneficiaries.aggregate(total=Sum("target_population"))["total"] == 792110
    per_department = Counter(b.district.ubigeo[:2] for b in beneficiaries.select_related("district"))
    assert per_department == {"03": 26, "05": 33, "09": 14}
    santa_ana = beneficiaries.get(district__ubigeo="090411")
    assert (santa_ana.province_label, santa_ana.women_share) == ("CASTROVIRREYN A", Decimal("25.87"))


def test_ten_pilot_municipalities_resolved_against_the_register(programme):
    pilots = OdelMunicipality.objects.filter(programme=programme, is_pilot=True).select_related("district")
    assert sorted(p.district.ubigeo for p in pilots) == sorted(
        ["050110", "050102", "050105", "050113", "030601", "030216", "030608", "090205", "090505", "090508"]
    )
    assert pilots.get(name_as_reported="Ranracancho").district.name == "RANRACANCHA"
    assert pilots.get(name_as_reported="Mayocc").district.name == "SAN MIGUEL DE MAYOCC"


def test_eight_value_chains_with_notes_and_communication_figures(programme):
    chains = ValueChain.objects.filter(programme=programme)
    assert sorted(chains.values_list("slug", flat=True)) == sorted(
        ["fibra-de-alpaca", "ceramica", "textiles", "kiwicha-quinua", "lacteos", "palta", "papa-nativa", "tara"]
    )
    assert ChainNote.objects.filter(chain__programme=programme, year=2011, topic="communication").count() == 8
    per_chain = {
        v.chain.slug: v.value
        for v in IndicatorValue.objects.filter(
            indicator__result__programme=programme, chain__isnull=False, year=2011
        ).select_related("chain")
    }
    assert per_chain == {
        "fibra-de-alpaca": Decimal("120"),
        "ceramica": Decimal("67"),
        "textiles": Decimal("100"),
        "kiwicha-quinua": Decimal("114"),
        "lacteos": Decimal("100"),
        "palta": Decimal("100"),
        "papa-nativa": Decimal("133"),
        "tara": Decimal("33"),
    }


# ----------------------------------------------------------------------------------- indicators


def test_indicators_with_data_per_level(programme):
    with_data = Indicator.objects.filter(result__programme=programme, has_data=True)
    per_level = Counter(with_data.values_list("result__code", flat=True))
    assert per_level == {"OE": 1, "R1": 6, "R2": 9, "R3": 5, "R4": 12}
    without = Indicator.objects.filter(result__programme=programme, has_data=False)
    assert all(not i.values.exists() for i in without)


@pytest.mark.parametrize(
    ("code", "year", "value", "share", "no_data"),
    [
        ("OE.1", 2010, "3032", None, False),
        ("OE.1", 2011, "180", None, False),
        ("R1.1", 2011, "91", None, False),
        ("R1.2", 2011, "23432855", None, False),
        ("R1.3", 2011, "51.5", None, False),
        ("R1.4", 2010, None, None, True),
        ("R1.4", 2011, "101", None, False),
        ("R1.5", 2011, "240", None, False),
        ("R1.6", 2011, "560", "31", False),
        ("R2.9", 2010, None, None, True),
        ("R2.9", 2011, "927", "35", False),
        ("R2.6", 2011, "95.8", None, False),
        ("R3.3", 2011, "83", None, False),
        ("R3.4", 2010, None, None, True),
        ("R3.4", 2011, "2", None, False),
        ("R4.2", 2010, None, None, True),
        ("R4.8", 2011, "11.1", None, False),
        ("R4.9", 2010, None, None, True),
    ],
)
def test_indicator_values_as_the_seed_prints_them(programme, code, year, value, share, no_data):
    row = IndicatorValue.objects.get(
        indicator__result__programme=programme, indicator__code=code, year=year, quarter=0, chain=None, region=""
    )
    assert row.no_data is no_data
    assert row.value == (None if value is None else Decimal(value))
    assert row.share == (None if share is None else Decimal(share))
    assert row.is_stated


def test_oe_running_total_is_3212(programme):
    oe = Indicator.objects.get(result__programme=programme, code="OE.1")
    assert oe.aggregation == Indicator.Aggregation.RUNNING_TOTAL
    assert oe.values.aggregate(total=Sum("value"))["total"] == 3212
    assert (oe.baseline, oe.final_target) == (Decimal("2507"), Decimal("3032"))


def test_stated_scores_of_table_21(programme):
    scores = {
        s.result.code: (s.efficiency, s.efficacy, s.sustainability)
        for s in StatedScore.objects.filter(result__programme=programme, year=2011, quarter=0).select_related("result")
    }
    assert scores == {
        "OE": (Decimal("1.04"), Decimal("0.71"), Decimal("0.61")),
        "R1": (Decimal("1.23"), Decimal("0.73"), Decimal("0.48")),
        "R2": (Decimal("1.15"), Decimal("0.80"), Decimal("0.60")),
        "R3": (Decimal("0.97"), Decimal("0.55"), Decimal("0.70")),
        "R4": (Decimal("0.83"), Decimal("0.73"), Decimal("0.64")),
    }


def test_monitoring_card_figures(programme):
    r3_q4 = StatedScore.objects.get(result__programme=programme, result__code="R3", year=2011, quarter=4)
    assert (r3_q4.efficacy, r3_q4.efficiency, r3_q4.sustainability, r3_q4.average_achievement) == (
        Decimal("0.55"),
        Decimal("0.97"),
        Decimal("0.70"),
        Decimal("0.85"),
    )
    sales = StatedAchievement.objects.get(
        indicator__result__programme=programme, indicator__code="R1.2", year=2011, quarter=4
    )
    assert sales.achievement == Decimal("1.52")
    visits = Indicator.objects.get(result__programme=programme, code="R4.6")
    assert visits.monitoring_name == "Visitas de asistencia técnica a ODEL"
    only_card = Indicator.objects.get(result__programme=programme, code="R4.12")
    assert only_card.name == "Ejecución de planes de comunicación en las ODEL"
    assert only_card.stated_achievements.count() == 7 and not only_card.values.exists()


# ------------------------------------------------------------------------------- report content


def test_report_content_tables(programme):
    assert Risk.objects.filter(result__programme=programme).count() == 4 + 3 + 3 + 2 + 5
    odel_risk = Risk.objects.get(result__programme=programme, result__code="R4", order=3)
    assert (odel_risk.probability, odel_risk.impact_score, odel_risk.level) == ("Medio", "Alto", "C")
    assert QualityCriterion.objects.filter(result__programme=programme).count() == 4 + 3 + 3 + 4 + 4
    assert Recommendation.objects.filter(result__programme=programme).count() == 4 + 2 + 2 + 2 + 5
    decisions = EmclDecision.objects.filter(programme=programme)
    assert decisions.count() == 8
    assert decisions.filter(status=EmclDecision.Status.IN_PROGRESS).count() == 3
    assert str(decisions.get(order=1).minutes_date) == "2011-02-18"
    assert Counter(LessonLearned.objects.filter(programme=programme).values_list("group", flat=True)) == {
        "key": 3,
        "R1 y R2": 4,
        "R3": 2,
        "R4": 3,
    }
    assert Activity.objects.filter(result__programme=programme).count() == 10


def test_narratives_keep_paragraphs_and_the_per_result_analysis(programme):
    narratives = NarrativeSection.objects.filter(programme=programme, year=2011)
    assert narratives.filter(key="analysis").count() == 4
    highlights = narratives.get(key="highlights").text
    assert highlights.startswith("EL PROGRAMA CSE, en diciembre del 2011, cumplió 42 meses")
    # the paragraph the page break cut ("… será" / "mucho más difícil …") is one paragraph again
    assert "será mucho más difícil" in highlights
    r4 = narratives.get(key="analysis", result__code="R4").text
    assert "\n- La Municipalidad no basta con tener" in r4


def test_duplicate_row_comments_are_kept(programme):
    sources = set(
        IndicatorComment.objects.filter(indicator__result__programme=programme, indicator__code="R2.6").values_list(
            "source", flat=True
        )
    )
    assert sources == {"3.3.1 R1", "3.3.1 R2 (duplicate row)"}


# ------------------------------------------------------------------------------------- the loader


def _table_counts() -> dict[str, int]:
    models = [Programme, Result, Indicator, IndicatorValue, StatedScore, BudgetLine, BudgetExpense, FinancialPlan]
    models += [FinancialPlanLine, BeneficiaryDistrict, OdelMunicipality, ValueChain, Risk, NarrativeSection]
    return {m.__name__: m.objects.count() for m in models}


def test_loading_twice_with_if_absent_changes_nothing(programme):
    before = _table_counts()
    stamp = Programme.objects.get(code=CODE).updated_at
    call_command("load_programme", str(PROGRAMME_JSON), "--if-absent", stdout=StringIO())
    assert _table_counts() == before
    assert Programme.objects.get(code=CODE).updated_at == stamp


def test_loading_an_existing_programme_without_a_flag_is_refused(programme):
    with pytest.raises(CommandError, match="already exists"):
        call_command("load_programme", str(PROGRAMME_JSON))


def test_replace_reloads_without_duplicates(programme):
    before = _table_counts()
    call_command("load_programme", str(PROGRAMME_JSON), "--replace", stdout=StringIO())
    assert _table_counts() == before
    assert Programme.objects.get(code=CODE).pk != programme.pk


def _broken(mutate) -> dict:
    data = copy.deepcopy(read_programme_file(PROGRAMME_JSON))
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d["beneficiaries"][-1].update(ubigeo="999999"), "999999"),
        (lambda d: d["budget"]["lines"][-1].update(amount=None), "refused"),
        (lambda d: d["beneficiaries"][-1].update(women_share="1.5"), "refused"),
        (lambda d: d["indicators"][-1].update(level="R9"), "expected shape"),
    ],
)
def test_a_failing_load_leaves_nothing(mutation, message):
    empty = _table_counts()
    with pytest.raises(ProgrammeLoadError, match=message):
        programme_load(data=_broken(mutation))
    assert _table_counts() == empty
    assert not Programme.objects.filter(code=CODE).exists()


@pytest.mark.django_db
def test_a_programme_file_declares_each_kind_of_disaggregation():
    # PER0601011 flags only R2.6 (by chain); another programme's file may flag any indicator.
    data = _broken(lambda d: d["indicators"][0].update(disaggregated_by_sex=True, disaggregated_by_region=True))
    programme_load(data=data)
    flags = Indicator.objects.filter(result__programme__code=CODE).values_list(
        "code", "disaggregated_by_chain", "disaggregated_by_sex", "disaggregated_by_region"
    )
    first = data["indicators"][0]["code"]
    assert {row[0]: row[1:] for row in flags if any(row[1:])} == {
        first: (False, True, True),
        "R2.6": (True, False, False),
    }


def test_a_file_that_is_not_a_programme_is_refused_with_a_message(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(CommandError, match="not a programme file"):
        call_command("load_programme", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_programme", str(tmp_path / "missing.json"))


def test_programme_delete_removes_everything_the_plain_delete_refuses(programme):
    from django.db.models.deletion import ProtectedError

    from programmes.loading import programme_delete

    with pytest.raises(ProtectedError):
        Programme.objects.filter(code=CODE).delete()
    programme_delete(programme=programme)
    assert all(count == 0 for count in _table_counts().values())
