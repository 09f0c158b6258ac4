from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from reports.models import (
    EmclDecision,
    LessonLearned,
    NarrativeSection,
    QualityCriterion,
    Recommendation,
    Report,
    ReportSnapshot,
    Risk,
)


class ReportSnapshotInline(admin.TabularInline):
    """The approvals' snapshots, read-only: kept for audit, written only by the approval service."""

    model = ReportSnapshot
    extra = 0
    can_delete = False
    fields = ["emcl_session_date", "approved_by", "approved_at", "html_sha256", "pdf", "pdf_sha256"]
    fields += ["superseded_at", "superseded_by", "superseded_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Approval and reopening are acts of the report pages (with their rules and history), not of the admin.

    Status, session date, approver and snapshots show read-only here; the history cannot be reverted
    (a revert would set the status back without a reason); a report with an approval is not deleted.
    """

    list_display = ["programme", "year", "status", "emcl_session_date", "approved_at"]
    list_filter = ["programme", "status", "year"]
    readonly_fields = ["status", "emcl_session_date", "approved_by", "approved_at"]
    inlines = [ReportSnapshotInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["programme", "year", *self.readonly_fields]
        return self.readonly_fields

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed historical version even with revert disabled: that would put
        # an old status back without the reopening service, so a past version can only be viewed.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would take approved reports and their snapshots
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.snapshots.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(NarrativeSection)
class NarrativeSectionAdmin(SimpleHistoryAdmin):
    """Read-only: narratives change through the narratives editor, which refuses edits of an approved report."""

    list_display = ["programme", "year", "key", "result", "updated_at"]
    list_filter = ["programme", "year", "key"]
    search_fields = ["text"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["short", "result", "year", "probability", "impact_score", "level"]
    list_filter = ["result__programme", "result__code", "year", "level"]
    search_fields = ["description", "impact_description"]

    @admin.display(description="risk")
    def short(self, obj: Risk) -> str:
        return obj.description[:80]


@admin.register(QualityCriterion)
class QualityCriterionAdmin(admin.ModelAdmin):
    list_display = ["result", "year", "criterion", "rating"]
    list_filter = ["result__programme", "result__code", "year", "criterion", "rating"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "result", "year", "actor", "deadline"]
    list_filter = ["result__programme", "result__code", "year"]
    search_fields = ["text", "source", "actor"]


@admin.register(EmclDecision)
class EmclDecisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "year", "source", "status"]
    list_filter = ["programme", "year", "status"]
    list_editable = ["status"]
    search_fields = ["decision", "actor", "source"]


@admin.register(LessonLearned)
class LessonLearnedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "year", "group"]
    list_filter = ["programme", "year", "group"]
    search_fields = ["text", "addressees"]
