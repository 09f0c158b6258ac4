from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import (
    EmclDecision,
    LessonLearned,
    NarrativeSection,
    QualityCriterion,
    Recommendation,
    Report,
    Risk,
)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["programme", "year", "status", "emcl_session_date", "frozen_pdf_sha256"]
    list_filter = ["programme", "status", "year"]
    readonly_fields = ["frozen_pdf", "frozen_pdf_sha256", "approved_by", "approved_at"]


@admin.register(NarrativeSection)
class NarrativeSectionAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "year", "key", "result", "updated_at"]
    list_filter = ["programme", "year", "key"]
    search_fields = ["text"]


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
