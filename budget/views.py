"""Budget downloads for programme members. HTTP only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from budget.exports import budget_vs_actuals_workbook
from cse_monitor.lib.spreadsheets import xlsx_response
from indicators.permissions import access_programme_code, programme_year


@login_required
@require_GET
def budget_vs_actuals_xlsx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Annex 7.3 of a report year as a workbook: the table the report prints."""
    programme = access_programme_code(request.user, code)
    content = budget_vs_actuals_workbook(programme, programme_year(programme, year))
    return xlsx_response(content, f"budget_vs_actuals_{programme.code}_{year}.xlsx")
