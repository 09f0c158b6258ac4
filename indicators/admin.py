"""Admin for the programme, its logframe and indicators: what a programme officer edits by hand."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    Activity,
    ActivityRating,
    Indicator,
    IndicatorComment,
    IndicatorTarget,
    IndicatorValue,
    Membership,
    Notification,
    Partner,
    Programme,
    QuarterState,
    Result,
    StatedAchievement,
    StatedScore,
    Task,
    ValueReview,
)


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0


class ResultInline(admin.StackedInline):
    model = Result
    extra = 0
    fields = ["code", "kind", "order", "statement", "weight"]
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "zone", "belgian_contribution", "partner_contribution"]
    search_fields = ["code", "name", "short_name"]
    inlines = [PartnerInline, ResultInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "country", "zone", "currency"]}),
        (_("Contributions"), {"fields": ["belgian_contribution", "partner_contribution"]}),
        (
            _("Key people"),
            {"fields": ["responsible_name", "responsible_role", "executor_name", "executor_role"]},
        ),
        (
            _("Agreement and dates"),
            {
                "fields": [
                    "signature_date",
                    "duration_months",
                    "start_planned",
                    "start_effective",
                    "end_planned",
                    "end_effective",
                    "management_mode",
                    "donor_code",
                    "executor_code",
                    "national_partner",
                    "executing_agency",
                ]
            },
        ),
        (_("Objectives"), {"fields": ["target_group", "global_objective", "specific_objective"]}),
    ]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "order", "name", "unit_kind", "direction", "aggregation", "has_data"]
    show_change_link = True


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    show_change_link = True


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "statement_start"]
    list_filter = ["programme", "kind"]
    search_fields = ["code", "statement"]
    inlines = [IndicatorInline, ActivityInline]

    @admin.display(description=_("statement"))
    def statement_start(self, obj: Result) -> str:
        return obj.statement[:90]


class ReadOnlyAdmin:
    """Shown, never written here: values, their history and versions change only through the entry service.

    Without add, change or delete permission the admin renders its pages read-only, refuses their POSTs,
    and refuses to delete a programme or indicator whose cascade would take such rows with it.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """The history stays readable; reverting to an old version would be a write, so it is refused."""

    def has_change_history_permission(self, request, obj=None) -> bool:
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a revert POSTed here with view permission alone.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class IndicatorValueInline(ReadOnlyAdmin, admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = [
        "year",
        "quarter",
        "chain",
        "region",
        "sex",
        "value",
        "share",
        "no_data",
        "no_data_reason",
        "source_text",
        "is_stated",
        "status",
    ]
    ordering = ["year", "quarter", "chain", "region", "sex"]


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0
    fields = ["year", "quarter", "chain", "value", "share", "source_text"]


class IndicatorCommentInline(admin.StackedInline):
    model = IndicatorComment
    extra = 0


class StatedAchievementInline(admin.TabularInline):
    model = StatedAchievement
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "result", "unit_kind", "direction", "aggregation", "has_data"]
    list_filter = ["result__programme", "result__code", "unit_kind", "direction", "aggregation", "has_data"]
    search_fields = ["code", "name", "monitoring_name"]
    list_select_related = ["result__programme"]
    inlines = [IndicatorTargetInline, IndicatorValueInline, IndicatorCommentInline, StatedAchievementInline]

    @admin.display(description=_("name"))
    def short_name(self, obj: Indicator) -> str:
        return obj.name[:80]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyHistoryAdmin):
    list_display = ["indicator", "year", "quarter", "chain", "region", "sex", "value", "share", "no_data", "status"]
    list_filter = ["indicator__result__programme", "indicator__result__code", "status", "year", "quarter", "no_data"]
    search_fields = ["indicator__code", "indicator__name", "source_text", "comment"]
    list_select_related = ["indicator", "chain"]
    autocomplete_fields = ["indicator"]


@admin.register(StatedScore)
class StatedScoreAdmin(admin.ModelAdmin):
    list_display = ["result", "year", "quarter", "efficacy", "efficiency", "sustainability", "average_achievement"]
    list_filter = ["result__programme", "result__code", "year"]


class ActivityRatingInline(ReadOnlyAdmin, admin.TabularInline):
    """Shown here; edited in their own admin (reports), which locks an approved report's ratings, with history."""

    model = ActivityRating
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "result"]
    list_filter = ["result__programme", "result__code"]
    search_fields = ["code", "name"]
    inlines = [ActivityRatingInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "role", "all_scope", "regions"]
    list_filter = ["programme", "role"]
    search_fields = ["user__username"]
    filter_horizontal = ["results", "chains"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Task records: the inputs of efficacy, efficiency and sustainability (indicators.scores)."""

    list_display = [
        "name",
        "activity",
        "year",
        "quarter",
        "planned",
        "executed",
        "planned_cost",
        "actual_cost",
        "beneficiary_contribution",
        "partner_contribution",
        "assumable",
    ]
    list_filter = [
        "activity__result__programme",
        "activity__result__code",
        "year",
        "quarter",
        "planned",
        "executed",
        "assumable",
    ]
    search_fields = ["name", "activity__code", "activity__name"]
    list_select_related = ["activity", "activity__result"]
    autocomplete_fields = ["activity"]
    fieldsets = [
        (None, {"fields": ["activity", "name", ("year", "quarter")]}),
        (_("Execution"), {"fields": [("planned", "executed")]}),
        (_("Costs"), {"fields": [("planned_cost", "actual_cost")]}),
        (
            _("Sustainability"),
            {"fields": ["assumable", ("beneficiary_contribution", "partner_contribution")]},
        ),
    ]


# --- Quarterly entry ----------------------------------------------------------------------------


@admin.register(QuarterState)
class QuarterStateAdmin(ReadOnlyHistoryAdmin):
    """Quarter states, read-only: the opening date, submission, approval and reopening are set on the entry pages."""

    list_display = ["programme", "year", "quarter", "opens_on", "status", "reopened", "updated_by", "updated_at"]
    list_filter = ["programme", "status", "reopened", "year"]


@admin.register(ValueReview)
class ValueReviewAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["value", "action", "reviewer", "created_at"]
    list_filter = ["action"]
    readonly_fields = ["value", "reviewer", "action", "comment", "created_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["text", "user__username"]
