"""REST API: the scores reports state (table 2.1, annex 7.2) and the EMCL decisions (section 5)."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from cse_monitor.api import (
    SPARSE_FIELDS,
    ModelSerializer,
    ReadViewSet,
    UpdatedSinceFilter,
    YearFilter,
    visible_programme_ids,
)
from indicators.models import StatedScore
from indicators.periods import Period
from reports.models import EmclDecision


class StatedScoreSerializer(ModelSerializer):
    programme = serializers.CharField(source="result.programme.code", read_only=True)
    level = serializers.CharField(source="result.code", read_only=True)
    period = serializers.SerializerMethodField()
    origin = serializers.SerializerMethodField(help_text="Always 'stated': figures of record, never computed")

    class Meta:
        model = StatedScore
        fields = [
            "id",
            "programme",
            "level",
            "period",
            "year",
            "quarter",
            "efficacy",
            "efficiency",
            "sustainability",
            "average_achievement",
            "source",
            "origin",
        ]

    def get_period(self, obj) -> str:
        return str(Period(obj.year, obj.quarter))

    def get_origin(self, obj) -> str:
        return "stated"


class StatedScoreFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="result__programme__code", label="Programme code")
    level = filters.CharFilter(field_name="result__code", label="Logframe level: OE, R1 … R4")
    year = YearFilter()
    year_from = YearFilter(field_name="year", lookup_expr="gte")
    year_to = YearFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = StatedScore
        fields = []


@SPARSE_FIELDS
class StatedScoreViewSet(ReadViewSet):
    """Efficacy, efficiency, sustainability and average achievement as the reports state them (ratios)."""

    serializer_class = StatedScoreSerializer
    filterset_class = StatedScoreFilter
    ordering_fields = ["year", "quarter"]
    ordering = ["result__programme__code", "result__order", "year", "quarter"]
    last_modified_field = None

    code_field = None

    def get_queryset(self):
        return StatedScore.objects.filter(
            result__programme__in=visible_programme_ids(self.request.user)
        ).select_related("result__programme")


class EmclDecisionSerializer(ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = EmclDecision
        fields = [
            "id",
            "programme",
            "year",
            "order",
            "decision",
            "source",
            "minutes_date",
            "actor",
            "moment",
            "status",
            "updated_at",
        ]


class EmclDecisionFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code", label="Programme code")
    year = YearFilter()
    status = filters.ChoiceFilter(choices=EmclDecision.Status.choices)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = EmclDecision
        fields = []


@SPARSE_FIELDS
class EmclDecisionViewSet(ReadViewSet):
    """Decisions of the steering committee (EMCL) and their follow-up status."""

    serializer_class = EmclDecisionSerializer
    filterset_class = EmclDecisionFilter
    ordering_fields = ["year", "order", "minutes_date", "updated_at"]
    ordering = ["programme__code", "year", "order"]

    code_field = None

    def get_queryset(self):
        return EmclDecision.objects.filter(programme__in=visible_programme_ids(self.request.user)).select_related(
            "programme"
        )
