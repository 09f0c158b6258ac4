from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from cse_monitor.lib.messages import Message, translated, translated_messages
from indicators.models import ActivityRating
from reports import services
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

MSG_NOTHING_DELETED = gettext_noop(
    "Nothing was deleted: {count} of the selected items belong to a report approved by the EMCL, "
    "whose content can no longer be edited."
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


# ---------------------------------------------------------------------------------------------
# The rest of the report's content: every write goes through reports.services, which refuses an
# approved report's content and records who changed what in the history.


class ReportContentForm(forms.ModelForm):
    """Shows as a form error what the service would refuse: an item of (or moved into) an approved report,
    or of a year outside the programme's life."""

    def _post_clean(self):
        # After the model's own cleaning the instance holds the submitted values: the year and
        # programme it would move to, while the stored row still says where it comes from.
        super()._post_clean()
        if self.errors:
            return
        try:
            services.check_report_content_save(self.instance)
        except ValidationError as error:
            self.add_error(None, translated_messages(error))


class ReportContentListForm(ReportContentForm):
    """A row of the list's editable columns: the list posts every row, only a changed one is a write."""

    def _post_clean(self):
        if self.has_changed():
            super()._post_clean()
        else:
            forms.ModelForm._post_clean(self)


class ReportContentChangeForm(ReportContentForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=services.CHANGE_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history with your name."),
    )


@contextmanager
def _refused_as_forbidden():
    try:
        yield
    except ValidationError as error:
        raise PermissionDenied(" ".join(translated_messages(error))) from error


def delete_selected_unless_approved(modeladmin, request, queryset):
    """Django's bulk delete, refused up front (with why) when any selected item is an approved report's."""
    locked = sum(1 for obj in queryset if services.report_content_is_locked(obj))
    if locked:
        modeladmin.message_user(request, translated(Message(MSG_NOTHING_DELETED, count=locked)), messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


class ReportContentAdmin(SimpleHistoryAdmin):
    """An approved year's items show read-only with the reason; saves, deletes and history reverts call the service."""

    form = ReportContentChangeForm

    def _locked(self, obj) -> bool:
        return obj is not None and services.report_content_is_locked(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Also asked by Django for each row a cascade would delete (an activity, a result, a programme).
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [name for name in fields if name != "change_reason"]
        return fields

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", ReportContentListForm)
        return super().get_changelist_form(request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_unless_approved, name, description)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if self._locked(obj):
            if request.method == "POST":
                self.message_user(request, translated(services.MSG_APPROVED_LOCKED), messages.ERROR)
                return redirect(request.path)
            self.message_user(request, translated(services.MSG_APPROVED_LOCKED), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if self._locked(obj):
            self.message_user(request, translated(services.MSG_APPROVED_LOCKED), messages.ERROR)
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    # The forms and the views above refuse an approved report's items with a message; the service
    # checks again under the report's row lock, and an approval that slipped in between is a 403.

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        with _refused_as_forbidden():
            services.report_content_save(instance=obj, user=request.user, reason=reason)

    def delete_model(self, request, obj):
        with _refused_as_forbidden():
            services.report_content_delete(instance=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with _refused_as_forbidden():
            services.report_content_delete_many(instances=queryset, user=request.user)


@admin.register(Risk)
class RiskAdmin(ReportContentAdmin):
    list_display = ["short", "result", "year", "probability", "impact_score", "level"]
    list_filter = ["result__programme", "result__code", "year", "level"]
    search_fields = ["description", "impact_description"]

    @admin.display(description=_("risk"))
    def short(self, obj: Risk) -> str:
        return obj.description[:80]


@admin.register(QualityCriterion)
class QualityCriterionAdmin(ReportContentAdmin):
    list_display = ["result", "year", "criterion", "rating"]
    list_filter = ["result__programme", "result__code", "year", "criterion", "rating"]


@admin.register(Recommendation)
class RecommendationAdmin(ReportContentAdmin):
    list_display = ["__str__", "result", "year", "actor", "deadline"]
    list_filter = ["result__programme", "result__code", "year"]
    search_fields = ["text", "source", "actor"]


@admin.register(EmclDecision)
class EmclDecisionAdmin(ReportContentAdmin):
    list_display = ["__str__", "programme", "year", "source", "status"]
    list_filter = ["programme", "year", "status"]
    list_editable = ["status"]
    search_fields = ["decision", "actor", "source"]


@admin.register(LessonLearned)
class LessonLearnedAdmin(ReportContentAdmin):
    list_display = ["__str__", "programme", "year", "group"]
    list_filter = ["programme", "year", "group"]
    search_fields = ["text", "addressees"]


@admin.register(ActivityRating)
class ActivityRatingAdmin(ReportContentAdmin):
    """Registered here, not in indicators: a rating is section 3.3.2 of the report, locked by its approval."""

    list_display = ["activity", "year", "rating"]
    list_filter = ["activity__result__programme", "activity__result__code", "year", "rating"]
    search_fields = ["activity__code", "activity__name", "comment"]
    list_select_related = ["activity__result"]
    autocomplete_fields = ["activity"]
