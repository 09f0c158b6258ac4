"""Excel downloads of the beneficiary districts for programme members: the list and a blank template."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cse_monitor.lib.spreadsheets import xlsx_response
from indicators.permissions import access_programme_code
from municipalities.exports import beneficiaries_workbook, template_workbook


@login_required
@require_GET
def beneficiaries(request: HttpRequest, code: str) -> HttpResponse:
    programme = access_programme_code(request.user, code)
    return xlsx_response(beneficiaries_workbook(programme), f"beneficiarios_{programme.code}.xlsx")


@login_required
@require_GET
def beneficiaries_template(request: HttpRequest, code: str) -> HttpResponse:
    programme = access_programme_code(request.user, code)
    return xlsx_response(template_workbook(programme), f"beneficiarios_{programme.code}_plantilla.xlsx")
