"""Admin for the district register, ODEL municipalities, beneficiary lists and their import log.

The beneficiary admin is django-import-export's ImportExportModelAdmin: its Export button uses
BeneficiaryResource (annex 7.4 layout, formula text neutralised). Its Import button keeps the
library's URLs and buttons but runs `municipalities.services.beneficiaries_import`, the one import
implementation the command and the tests also use: a dry-run preview (created / updated / unchanged /
refused and why), then confirm.
"""

import datetime
import re
import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin

from cse_monitor.lib.spreadsheets import XLSX_CONTENT_TYPE
from indicators.models import Programme
from municipalities.exports import beneficiaries_workbook, refused_rows_workbook, template_workbook
from municipalities.forms import BeneficiaryConfirmForm, BeneficiaryUploadForm
from municipalities.models import BeneficiaryDistrict, BeneficiaryImport, District, OdelMunicipality
from municipalities.resources import BeneficiaryResource, SafeXLSX
from municipalities.services import Action, beneficiaries_import, beneficiaries_import_from_log, import_limits
from municipalities.workbooks import WorkbookRefused

PENDING_DIR = "beneficiary-imports"


def _forget_stale_previews(max_age: datetime.timedelta = datetime.timedelta(days=1)) -> None:
    """Previewed files never confirmed are deleted after a day."""
    if not default_storage.exists(PENDING_DIR):
        return
    cutoff = timezone.now() - max_age
    for name in default_storage.listdir(PENDING_DIR)[1]:
        path_name = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path_name) < cutoff:
            default_storage.delete(path_name)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["ubigeo", "department", "province", "name", "ubigeo_reniec", "ubigeo_sunat"]
    search_fields = ["ubigeo", "ubigeo_reniec", "ubigeo_sunat", "name", "province", "department"]
    list_filter = ["department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OdelMunicipality)
class OdelMunicipalityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "district", "programme", "odel_status", "is_pilot"]
    list_filter = ["programme", "odel_status", "is_pilot"]
    autocomplete_fields = ["district"]


@admin.register(BeneficiaryDistrict)
class BeneficiaryDistrictAdmin(ImportExportModelAdmin):
    resource_classes = [BeneficiaryResource]
    formats = [SafeXLSX]
    list_display = [
        "ubigeo",
        "department_label",
        "province_label",
        "district_label",
        "target_population",
        "women_share",
        "intervention_share",
        "domain",
        "programme",
    ]
    list_filter = ["programme", "department_label"]
    search_fields = ["district__ubigeo", "district_label", "province_label", "department_label"]
    autocomplete_fields = ["district"]
    list_select_related = ["district", "programme"]

    @admin.display(description=gettext_lazy("ubigeo"), ordering="district__ubigeo")
    def ubigeo(self, obj):
        return obj.district.ubigeo

    def has_import_permission(self, request):
        return request.user.has_perm("municipalities.add_beneficiarydistrict") and request.user.has_perm(
            "municipalities.change_beneficiarydistrict"
        )

    def has_export_permission(self, request):
        return request.user.has_perm("municipalities.view_beneficiarydistrict")

    def get_urls(self):
        extra = [
            path(
                "template/<int:programme_id>/",
                self.admin_site.admin_view(self.template_view),
                name="municipalities_beneficiarydistrict_template",
            ),
            path(
                "export-programme/<int:programme_id>/",
                self.admin_site.admin_view(self.programme_export_view),
                name="municipalities_beneficiarydistrict_programme_export",
            ),
        ]
        return extra + super().get_urls()

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import beneficiary districts"),
            "programmes": Programme.objects.order_by("code"),
            **extra,
        }

    def import_action(self, request, **kwargs):
        """Upload: a dry run through the service, then a preview with a confirm button when nothing is refused."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = BeneficiaryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            # Never read more than the limit: the service refuses the file as too large.
            content = upload.read(import_limits().max_bytes + 1)
            report = beneficiaries_import(
                programme=form.cleaned_data["programme"],
                content=content,
                file_name=upload.name,
                user=request.user,
                codes=form.cleaned_data["codes"] or None,
                dry_run=True,
            )
            if report.file_error:
                form.add_error("import_file", report.file_error)
            else:
                confirm_form = None
                if report.log.outcome == BeneficiaryImport.Outcome.PREVIEW:
                    _forget_stale_previews()
                    token = uuid.uuid4().hex
                    default_storage.save(f"{PENDING_DIR}/{token}.xlsx", ContentFile(content))
                    confirm_form = BeneficiaryConfirmForm(initial={"log": report.log.pk, "token": token})
                context = self._context(
                    request,
                    report=report,
                    counts=report.counts,
                    actions=Action,
                    confirm_form=confirm_form,
                    title=_("Preview: %(file)s") % {"file": report.log.file_name},
                )
                return TemplateResponse(
                    request, "admin/municipalities/beneficiarydistrict/import_preview.html", context
                )
        context = self._context(request, form=form)
        return TemplateResponse(request, "admin/municipalities/beneficiarydistrict/import_upload.html", context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm: apply the previewed file, only if it is byte for byte the one previewed by this user."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = BeneficiaryConfirmForm(request.POST)
        import_url = reverse("admin:municipalities_beneficiarydistrict_import")
        if not form.is_valid() or form.cleaned_data["log"].user_id != request.user.pk:
            messages.error(request, _("This preview is no longer valid; upload the file again."))
            return HttpResponseRedirect(import_url)
        name = f"{PENDING_DIR}/{form.cleaned_data['token']}.xlsx"
        if not default_storage.exists(name):
            messages.error(request, _("This preview was already confirmed or has expired; upload the file again."))
            return HttpResponseRedirect(import_url)
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        try:
            report = beneficiaries_import_from_log(log=form.cleaned_data["log"], content=content, user=request.user)
        except WorkbookRefused as error:
            messages.error(request, error.translated(_))
            return HttpResponseRedirect(import_url)
        finally:
            default_storage.delete(name)
        if not report.applied:
            messages.error(
                request,
                _("Nothing was imported: %(message)s Preview the file again to see why.")
                % {"message": report.log.message},
            )
            return HttpResponseRedirect(import_url)
        counts = report.counts
        messages.success(
            request,
            _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "file": report.log.file_name,
                "created": counts[Action.CREATE],
                "updated": counts[Action.UPDATE],
                "unchanged": counts[Action.UNCHANGED],
            },
        )
        return HttpResponseRedirect(reverse("admin:municipalities_beneficiarydistrict_changelist"))

    def template_view(self, request, programme_id: int):
        if not self.has_import_permission(request):
            raise PermissionDenied
        programme = get_object_or_404(Programme, pk=programme_id)
        return _xlsx_response(template_workbook(programme), f"beneficiarios_{programme.code}_plantilla.xlsx")

    def programme_export_view(self, request, programme_id: int):
        if not self.has_export_permission(request):
            raise PermissionDenied
        programme = get_object_or_404(Programme, pk=programme_id)
        return _xlsx_response(beneficiaries_workbook(programme), f"beneficiarios_{programme.code}.xlsx")


@admin.register(BeneficiaryImport)
class BeneficiaryImportAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "file_name",
        "programme",
        "user",
        "outcome",
        "dry_run",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "refused",
    ]
    list_filter = ["programme", "outcome", "dry_run"]
    search_fields = ["file_name", "sha256", "user__username"]
    exclude = ["refused_rows"]
    readonly_fields = ["refused_rows_link"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("refused rows"))
    def refused_rows_link(self, obj):
        if not obj.refused_rows:
            return "—"
        url = reverse("admin:municipalities_beneficiaryimport_refused", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a>', url, _("Download the %(n)d refused rows (.xlsx)") % {"n": len(obj.refused_rows)}
        )

    def get_urls(self):
        return [
            path(
                "<int:log_id>/refused.xlsx",
                self.admin_site.admin_view(self.refused_view),
                name="municipalities_beneficiaryimport_refused",
            ),
            *super().get_urls(),
        ]

    def refused_view(self, request, log_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        log = get_object_or_404(BeneficiaryImport, pk=log_id)
        stem = re.sub(r"[^\w.-]", "_", log.file_name.rsplit(".", 1)[0], flags=re.ASCII)
        return _xlsx_response(refused_rows_workbook(log), f"{stem}_rechazadas.xlsx")
