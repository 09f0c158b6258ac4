"""Excel downloads for programme members: beneficiary list and template, indicator tables, budget vs actuals."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from budget.exports import budget_vs_actuals_workbook
from cse_monitor.spreadsheets import XLSX_CONTENT_TYPE
from indicators.exports import indicator_tables_workbook
from indicators.models import Programme
from indicators.permissions import access_programme
from municipalities.exports import beneficiaries_workbook, template_workbook


def _programme(request: HttpRequest, code: str) -> Programme:
    programme = get_object_or_404(Programme, code=code)
    access_programme(request.user, programme)
    return programme


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _year(programme: Programme, year: int) -> int:
    """A year of the programme's life (the years its reports exist for); 404 otherwise."""
    if year not in programme.years:
        raise Http404("No such year.")
    return year


@login_required
@require_GET
def beneficiaries(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    return _xlsx(beneficiaries_workbook(programme), f"beneficiarios_{programme.code}.xlsx")


@login_required
@require_GET
def beneficiaries_template(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    return _xlsx(template_workbook(programme), f"beneficiarios_{programme.code}_plantilla.xlsx")


@login_required
@require_GET
def indicator_tables(request: HttpRequest, code: str, year: int) -> HttpResponse:
    programme = _programme(request, code)
    content = indicator_tables_workbook(programme, _year(programme, year))
    return _xlsx(content, f"indicadores_{programme.code}_{year}.xlsx")


@login_required
@require_GET
def budget_vs_actuals(request: HttpRequest, code: str, year: int) -> HttpResponse:
    programme = _programme(request, code)
    content = budget_vs_actuals_workbook(programme, _year(programme, year))
    return _xlsx(content, f"budget_vs_actuals_{programme.code}_{year}.xlsx")
