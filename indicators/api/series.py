"""The series endpoints: an indicator's figures per period from the figure read model, as JSON, CSV and XLSX."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from cse_monitor.lib.api import (
    BaseApiView,
    Pagination,
)
from cse_monitor.lib.api_renderers import CSVRenderer, XLSXRenderer
from indicators import series as series_selector
from indicators.api.common import parse_period
from indicators.models import Indicator, IndicatorValue
from indicators.permissions import visible_programmes


def series_query(params) -> series_selector.SeriesQuery:
    """The series parameters of a query string, validated (400 on a bad one)."""
    first = parse_period(params["from"], "from") if params.get("from") else None
    last = parse_period(params["to"], "to") if params.get("to") else None
    if first and last and last.quarters()[-1] < first.quarters()[0]:
        raise ValidationError({"to": [_("The last period comes before the first.")]})
    try:
        granularity = series_selector.Granularity(params.get("granularity") or series_selector.Granularity.ALL)
    except ValueError as exc:
        raise ValidationError({"granularity": [_("Use all, year or quarter.")]}) from exc
    parts = [part.strip() for part in params.get("disaggregate", "").split(",") if part.strip()]
    try:
        disaggregate = tuple(series_selector.Disaggregation(part) for part in parts)
    except ValueError as exc:
        raise ValidationError({"disaggregate": [_("Use sex, chain or both (sex,chain).")]}) from exc
    region = params.get("region", "")
    if region and not (len(region) == 2 and region.isdigit()):
        raise ValidationError({"region": [_("A region is a department code of two digits, e.g. 05.")]})
    return series_selector.SeriesQuery(
        first=first,
        last=last,
        granularity=granularity,
        chain=params.get("chain") or None,
        disaggregate=disaggregate,
        region=region,
    )


SERIES_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.STR,
        description="First period: 2010 or 2011Q3",
        examples=[OpenApiExample("year", value="2010")],
    ),
    OpenApiParameter("to", OpenApiTypes.STR, description="Last period: 2012 or 2012Q4"),
    OpenApiParameter(
        "granularity",
        OpenApiTypes.STR,
        enum=[g.value for g in series_selector.Granularity],
        description="Quarters, whole years, or both (default: all; each year follows its quarters)",
    ),
    OpenApiParameter("chain", OpenApiTypes.STR, description="A value chain slug: that chain's series"),
    OpenApiParameter(
        "disaggregate",
        OpenApiTypes.STR,
        description="sex, chain or sex,chain: one series per sex / chain for indicators disaggregated that way",
    ),
    OpenApiParameter("region", OpenApiTypes.STR, description="Department code (05 = Ayacucho); default all regions"),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "csv", "xlsx"],
        description="Or send Accept: text/csv / the XLSX media type. CSV and XLSX columns, in this order: "
        + ", ".join(series_selector.COLUMNS),
    ),
]


class SeriesPointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2011 (whole year) or 2011Q3")
    chain = serializers.CharField(allow_null=True, help_text="Value chain slug; null = all chains")
    sex = serializers.ChoiceField(choices=["", "F", "M"], help_text="Empty = all")
    region = serializers.CharField(allow_blank=True, help_text="Department code; empty = all regions")
    value = serializers.DecimalField(
        max_digits=30, decimal_places=4, allow_null=True, help_text="The period's figure in the indicator's unit"
    )
    value_source = serializers.ChoiceField(choices=["entered", "stated", "computed"], allow_null=True)
    stored_value = serializers.DecimalField(
        max_digits=30, decimal_places=4, allow_null=True, help_text="The row stored for exactly this period"
    )
    share = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    numerator = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True, help_text="Ratios")
    denominator = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True, help_text="Ratios")
    year_to_date = serializers.DecimalField(
        max_digits=30,
        decimal_places=4,
        allow_null=True,
        help_text="A quarter: the figure from the year's start to the quarter's end; a year: its value",
    )
    no_data_reason = serializers.ChoiceField(
        choices=["reported_no_data", "not_entered", "not_computable"], allow_null=True
    )
    no_data_note = serializers.CharField(allow_blank=True)
    target = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    target_share = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    target_period = serializers.CharField(
        allow_null=True,
        help_text="The period the target belongs to: the point's own, or its year's when carried down to a "
        "quarter (the achievement then measures year_to_date); null for the whole programme's final target",
    )
    achievement = serializers.DecimalField(
        max_digits=30, decimal_places=6, allow_null=True, help_text="Ratio: 1.06 = 106 %, uncapped"
    )
    achievement_source = serializers.ChoiceField(choices=["stated", "computed"], allow_null=True)
    status = serializers.ChoiceField(choices=IndicatorValue.Status.values, allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    value_id = serializers.IntegerField(allow_null=True)


class SeriesIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    programme = serializers.CharField(source="result.programme.code")
    level = serializers.CharField(source="result.code")
    code = serializers.CharField()
    name = serializers.CharField()
    unit_kind = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    direction = serializers.CharField()
    aggregation = serializers.CharField()


class IndicatorSeriesSerializer(serializers.Serializer):
    indicator = SeriesIndicatorSerializer()
    points = SeriesPointSerializer(many=True)


def _fixed(value, places: int) -> str | None:
    """A Decimal as a fixed-point string, as DecimalField(decimal_places=places) writes it."""
    return None if value is None else f"{value:.{places}f}"


def series_json(item: series_selector.IndicatorSeries) -> dict:
    """One indicator's series as ``IndicatorSeriesSerializer`` documents it.

    Built directly rather than through the serializer: DRF spends ~100 µs per point on field
    introspection, which dominated the bulk endpoint (see bench/bench_series.py).
    """
    ind = item.indicator
    return {
        "indicator": {
            "id": ind.pk,
            "programme": ind.result.programme.code,
            "level": ind.result.code,
            "code": ind.code,
            "name": ind.name,
            "unit_kind": ind.unit_kind,
            "unit": ind.unit,
            "direction": ind.direction,
            "aggregation": ind.aggregation,
        },
        "points": [
            {
                "period": p.period,
                "chain": p.chain,
                "sex": p.sex,
                "region": p.region,
                "value": _fixed(p.value, 4),
                "value_source": p.value_source,
                "stored_value": _fixed(p.stored_value, 4),
                "share": _fixed(p.share, 4),
                "numerator": _fixed(p.numerator, 4),
                "denominator": _fixed(p.denominator, 4),
                "year_to_date": _fixed(p.year_to_date, 4),
                "no_data_reason": p.no_data_reason,
                "no_data_note": p.no_data_note,
                "target": _fixed(p.target, 4),
                "target_share": _fixed(p.target_share, 4),
                "target_period": p.target_period,
                "achievement": _fixed(p.achievement, 6),
                "achievement_source": p.achievement_source,
                "status": p.status,
                "version": p.version,
                "value_id": p.value_id,
            }
            for p in item.points
        ],
    }


NUMERIC_COLUMNS = (
    "indicator_id",
    "value",
    "stored_value",
    "share",
    "numerator",
    "denominator",
    "year_to_date",
    "target",
    "target_share",
    "achievement",
    "version",
    "value_id",
)


def flat_rows(serialized: list[dict]) -> list[dict]:
    """Serialized series as flat rows in ``series.COLUMNS`` order (the CSV/XLSX form of the same data)."""
    out = []
    for item in serialized:
        ind = item["indicator"]
        head = {
            "programme": ind["programme"],
            "level": ind["level"],
            "indicator_id": ind["id"],
            "indicator": ind["code"],
            "unit": ind["unit"],
        }
        out.extend({**head, **point} for point in item["points"])
    return out


class SeriesRenderingMixin:
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer, XLSXRenderer]

    def get_renderer_context(self):
        context = super().get_renderer_context()
        context["columns"] = series_selector.COLUMNS
        context["numeric_columns"] = NUMERIC_COLUMNS
        return context

    def is_table_format(self) -> bool:
        return getattr(
            self.request, "accepted_renderer", None
        ) is not None and self.request.accepted_renderer.format in ("csv", "xlsx")

    def build_series(self, indicators) -> list[dict]:
        query = series_query(self.request.query_params)
        try:
            found = series_selector.series_for(indicators, query)
        except series_selector.UnknownChain as exc:
            raise ValidationError({"chain": [_("No value chain %(slug)s.") % {"slug": exc}]}) from exc
        return [series_json(item) for item in found]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200 and self.is_table_format():
            extension = request.accepted_renderer.format
            response.headers["Content-Disposition"] = f'attachment; filename="series.{extension}"'
        return response


class BulkSeriesFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="result__programme__code", label="Programme code")
    level = filters.CharFilter(field_name="result__code", label="Logframe level: OE, R1 … R4")
    indicator = filters.CharFilter(method="filter_codes", label="Indicator codes, comma-separated (R2.1,R2.3)")
    has_data = filters.BooleanFilter()

    class Meta:
        model = Indicator
        fields = []

    def filter_codes(self, queryset, name, value):
        return queryset.filter(code__in=[code.strip() for code in value.split(",") if code.strip()])


class BulkSeriesView(SeriesRenderingMixin, BaseApiView):
    """Series of many indicators at once, paginated by indicator (``page_size`` up to 500)."""

    filterset_class = BulkSeriesFilter

    def get_queryset(self):
        return (
            Indicator.objects.filter(result__programme__in=visible_programmes(self.request.user))
            .select_related("result__programme")
            .order_by("result__programme__code", "result__order", "order", "pk")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("programme", OpenApiTypes.STR, description="Programme code, e.g. PER0601011"),
            OpenApiParameter("level", OpenApiTypes.STR, description="Logframe level: OE, R1 … R4"),
            OpenApiParameter("indicator", OpenApiTypes.STR, description="Indicator codes, comma-separated"),
            OpenApiParameter("has_data", OpenApiTypes.BOOL),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
            *SERIES_PARAMETERS,
        ],
        responses={
            200: IndicatorSeriesSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
        },
        description="Series of many indicators (same points as /indicators/{id}/series/). "
        "CSV/XLSX columns: " + ", ".join(series_selector.COLUMNS),
    )
    def get(self, request):
        filterset = BulkSeriesFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = Pagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        data = self.build_series(page)
        if self.is_table_format():
            return Response(flat_rows(data))
        return paginator.get_paginated_response(data)
