"""Reads of the API: programmes, logframe levels, indicators (with their series action) and stored values."""

from __future__ import annotations

from django.db.models import Max
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from cse_monitor.lib.api import (
    SPARSE_FIELDS,
    ModelSerializer,
    ReadViewSet,
    UpdatedSinceFilter,
)
from cse_monitor.lib.api_renderers import XLSXRenderer
from indicators import series as series_selector
from indicators.api.common import parse_period, period_from_q, period_to_q
from indicators.api.series import SERIES_PARAMETERS, IndicatorSeriesSerializer, SeriesRenderingMixin, flat_rows
from indicators.models import Indicator, IndicatorValue, Programme, Result
from indicators.permissions import visible_programmes

# ---------------------------------------------------------------------------------------------
# Serializers


class ProgrammeSerializer(ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "country",
            "zone",
            "currency",
            "belgian_contribution",
            "partner_contribution",
            "start_planned",
            "start_effective",
            "end_planned",
            "end_effective",
            "duration_months",
            "specific_objective",
            "global_objective",
            "updated_at",
        ]


class ResultSerializer(ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "programme", "code", "kind", "order", "statement", "targets", "weight"]


class IndicatorSerializer(ModelSerializer):
    programme = serializers.CharField(source="result.programme.code", read_only=True)
    level = serializers.CharField(source="result.code", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "programme",
            "level",
            "code",
            "order",
            "name",
            "monitoring_name",
            "unit_kind",
            "unit",
            "direction",
            "aggregation",
            "baseline",
            "baseline_share",
            "final_target",
            "final_target_share",
            "has_data",
            "disaggregated_by_chain",
            "disaggregated_by_sex",
            "disaggregated_by_region",
            "updated_at",
        ]


class IndicatorValueSerializer(ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_id = serializers.IntegerField(read_only=True)
    programme = serializers.CharField(source="indicator.result.programme.code", read_only=True)
    period = serializers.SerializerMethodField()
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "programme",
            "indicator_id",
            "indicator",
            "period",
            "year",
            "quarter",
            "chain",
            "region",
            "sex",
            "value",
            "share",
            "numerator",
            "denominator",
            "no_data",
            "no_data_reason",
            "source_text",
            "is_stated",
            "comment",
            "status",
            "version",
            "updated_at",
        ]

    def get_period(self, obj) -> str:
        return str(obj.period)


# ---------------------------------------------------------------------------------------------
# Filters: a fixed, declared list; nothing else from the query string reaches the ORM.


class ProgrammeFilter(filters.FilterSet):
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Programme
        fields = []


class ResultFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code", label="Programme code")
    kind = filters.ChoiceFilter(choices=Result.Kind.choices)

    class Meta:
        model = Result
        fields = []


class IndicatorFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="result__programme__code", label="Programme code")
    level = filters.CharFilter(field_name="result__code", label="Logframe level: OE, R1 … R4")
    chain = filters.CharFilter(method="filter_chain", label="Value chain slug: indicators with values for it")
    has_data = filters.BooleanFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Indicator
        fields = []

    def filter_chain(self, queryset, name, value):
        return queryset.filter(values__chain__slug=value).distinct()


class IndicatorValueFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="indicator__result__programme__code", label="Programme code")
    level = filters.CharFilter(field_name="indicator__result__code", label="Logframe level: OE, R1 … R4")
    indicator = filters.CharFilter(field_name="indicator__code", label="Indicator code, e.g. R2.3")
    chain = filters.CharFilter(field_name="chain__slug", label="Value chain slug")
    region = filters.CharFilter(label="Department code (2 digits of the ubigeo); empty string = all regions")
    sex = filters.ChoiceFilter(choices=[("", "all"), ("F", "women"), ("M", "men")], null_value=None)
    status = filters.ChoiceFilter(choices=IndicatorValue.Status.choices)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = IndicatorValue
        fields = []

    def filter_from(self, queryset, name, value):
        return queryset.filter(period_from_q(parse_period(value, "from")))

    def filter_to(self, queryset, name, value):
        return queryset.filter(period_to_q(parse_period(value, "to")))


# ``from`` is a Python keyword: declare these two after the class body.
for _name, _method, _label in (
    ("from", "filter_from", "First period, e.g. 2010 or 2011Q3"),
    ("to", "filter_to", "Last period, e.g. 2012 or 2012Q4"),
):
    IndicatorValueFilter.base_filters[_name] = filters.CharFilter(method=_method, label=_label)


# ---------------------------------------------------------------------------------------------
# Read endpoints


@SPARSE_FIELDS
class ProgrammeViewSet(ReadViewSet):
    """Programmes, addressable by id or code (``PER0601011``)."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["code", "updated_at"]
    ordering = ["code"]

    def get_queryset(self):
        return Programme.objects.filter(pk__in=visible_programmes(self.request.user))


@SPARSE_FIELDS
class ResultViewSet(ReadViewSet):
    """Logframe levels (OE, R1–R4); by id, or by code with ``?programme=``."""

    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    ordering_fields = ["order", "code"]
    ordering = ["programme__code", "order"]
    last_modified_field = None

    def get_queryset(self):
        return Result.objects.filter(programme__in=visible_programmes(self.request.user)).select_related("programme")


@SPARSE_FIELDS
class IndicatorViewSet(SeriesRenderingMixin, ReadViewSet):
    """Indicators, by id or by code (``R2.3``; add ``?programme=`` when several programmes use the code)."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "order", "updated_at"]
    ordering = ["result__programme__code", "result__order", "order"]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    def get_queryset(self):
        return Indicator.objects.filter(result__programme__in=visible_programmes(self.request.user)).select_related(
            "result__programme"
        )

    def filter_queryset(self, queryset):
        if self.action == "series":
            programme = self.request.query_params.get("programme")
            return queryset.filter(result__programme__code=programme) if programme else queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        parameters=SERIES_PARAMETERS,
        responses={
            200: IndicatorSeriesSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
        },
        description="One indicator's figures per period with target, achievement, status and source. "
        "CSV/XLSX columns: " + ", ".join(series_selector.COLUMNS),
    )
    @action(detail=True, methods=["get"], renderer_classes=SeriesRenderingMixin.renderer_classes, pagination_class=None)
    def series(self, request, pk=None, format=None):  # DRF passes the URL suffix as "format"
        indicator = self.get_object()
        data = self.build_series([indicator])
        if self.is_table_format():
            return Response(flat_rows(data))
        return Response(data[0])

    def last_modified(self):
        if self.action == "series":
            indicator = self.get_object()
            return max(
                filter(None, [indicator.updated_at, indicator.values.aggregate(latest=Max("updated_at"))["latest"]])
            )
        return super().last_modified()


# ---------------------------------------------------------------------------------------------
# Indicator values (read; writes go through the entry service)


@SPARSE_FIELDS
class IndicatorValueViewSet(ReadViewSet):
    """Indicator values as stored, one per (indicator, period, chain, region, sex)."""

    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    ordering_fields = ["year", "quarter", "updated_at", "id"]
    ordering = ["indicator_id", "year", "quarter", "id"]

    code_field = None

    def get_queryset(self):
        return IndicatorValue.objects.filter(
            indicator__result__programme__in=visible_programmes(self.request.user)
        ).select_related("indicator__result__programme", "chain")
