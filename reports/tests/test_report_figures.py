"""Figures the report prints come from the figure read model, in the one number format: HTML and PDF alike."""

from decimal import Decimal

import pytest

from indicators.models import Indicator, IndicatorTarget, IndicatorValue, Result
from reports.pdf import render_pdf
from reports.rendering import report_body, report_document
from reports.selectors import annual_report
from reports.tests.pdftools import flat, pdf_text
from tests.factories import ActivityFactory, IndicatorFactory, TaskFactory, small_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def ratio_programme():
    programme = small_programme()
    r1 = Result.objects.get(programme=programme, code="R1")
    ratio = IndicatorFactory(
        result=r1,
        code="R1.9",
        order=9,
        unit_kind=Indicator.UnitKind.PERCENTAGE,
        aggregation=Indicator.Aggregation.RATIO,
        baseline=Decimal("10"),
        final_target=Decimal("100"),
    )
    # Known only by its quarters: 17 of 22 over the year, 77.2727… %.
    IndicatorValue.objects.create(indicator=ratio, year=2011, quarter=1, numerator=7, denominator=10, value=70)
    IndicatorValue.objects.create(
        indicator=ratio, year=2011, quarter=2, numerator=10, denominator=12, value=Decimal("83.3333")
    )
    IndicatorTarget.objects.create(indicator=ratio, year=2011, share=Decimal("80"))
    return programme


def _row(html: str, code: str) -> str:
    start = html.index(f'data-indicator="{code}"')
    return html[start : html.index("</tr>", start)]


def test_a_ratio_prints_two_decimals_at_most_in_the_html_and_the_pdf(ratio_programme, tmp_path):
    report = annual_report(ratio_programme, 2011)
    row = _row(report_body(report), "R1.9")
    assert 'data-figure="current">77.27%</td>' in row
    assert 'data-figure="achievement">97%' in row  # 77.2727 ÷ 80
    assert "77.2727" not in row
    pdf = tmp_path / "ratio.pdf"
    pdf.write_bytes(render_pdf(report_document(report)).content)
    text = flat(pdf_text(pdf))
    assert "77.27%" in text and "77.272" not in text


def test_a_stated_achievement_says_when_the_computed_one_differs(ratio_programme):
    from indicators.models import StatedAchievement

    ratio = Indicator.objects.get(result__programme=ratio_programme, code="R1.9")
    StatedAchievement.objects.create(indicator=ratio, year=2011, quarter=0, achievement=Decimal("0.9"))
    row = _row(report_body(annual_report(ratio_programme, 2011)), "R1.9")
    assert 'data-figure="achievement">90%' in row
    assert "97%" in row  # the computed one, said beside the stated one


def test_progress_n_minus_1_made_of_quarters_is_printed_like_progress_n(ratio_programme):
    # 2010 known only by quarters: the N-1 column shows the figure they make, as the N column does.
    ratio = Indicator.objects.get(result__programme=ratio_programme, code="R1.9")
    IndicatorValue.objects.create(indicator=ratio, year=2010, quarter=4, numerator=1, denominator=4, value=25)
    row = _row(report_body(annual_report(ratio_programme, 2011)), "R1.9")
    assert 'data-figure="previous">25%</td>' in row


def test_a_stated_score_says_when_the_tasks_compute_another(ratio_programme):
    # R1's 2011 efficacy is stated 73 %; its tasks, entered since, executed the one task planned: 100 %.
    r1 = Result.objects.get(programme=ratio_programme, code="R1")
    TaskFactory(
        activity=ActivityFactory(result=r1), year=2011, quarter=2, executed=True, planned_cost=10, actual_cost=10
    )
    html = report_body(annual_report(ratio_programme, 2011))
    table = html[html.index('id="table-2-1"') :]
    row = table[table.index("R1") : table.index("</tr>", table.index("R1"))]
    assert "73%" in row and "100%" in row  # the stated efficacy, and the computed one said beside it
    assert 'class="computed-differs"' in row
