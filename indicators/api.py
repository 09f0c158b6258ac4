"""REST API for programmes, logframe levels, indicators, their values and series (issue 6)."""

from __future__ import annotations

from django.db.models import Max, Q
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cse_monitor.lib.api import (
    SPARSE_FIELDS,
    BaseApiView,
    ModelSerializer,
    Pagination,
    ReadViewSet,
    UpdatedSinceFilter,
    as_id,
)
from cse_monitor.lib.api_errors import Ambiguous, ErrorSerializer, PreconditionFailed, PreconditionRequired
from cse_monitor.lib.api_renderers import CSVRenderer, XLSXRenderer
from indicators import entry, entry_rules
from indicators import series as series_selector
from indicators.models import MEASURE, SHARE, Indicator, IndicatorValue, Programme, Result, Sex
from indicators.periods import InvalidPeriod, Period
from indicators.permissions import visible_programmes
from indicators.precision import Precision

# ---------------------------------------------------------------------------------------------
# Period range filtering (shared by the values list and the series)


def parse_period(value: str, name: str) -> Period:
    try:
        return Period.parse(value)
    except InvalidPeriod as exc:
        raise ValidationError({name: [str(exc)]}) from exc


def period_from_q(period: Period, prefix: str = "") -> Q:
    """Rows whose (year, quarter) is at or after ``period``; a year starts at its first quarter."""
    if period.is_year:
        return Q(**{f"{prefix}year__gte": period.year})
    return Q(**{f"{prefix}year__gt": period.year}) | Q(
        **{f"{prefix}year": period.year, f"{prefix}quarter__gte": period.quarter}
    )


def period_to_q(period: Period, prefix: str = "") -> Q:
    """Rows whose (year, quarter) is at or before ``period``; a year ends with its last quarter."""
    if period.is_year:
        return Q(**{f"{prefix}year__lte": period.year})
    return Q(**{f"{prefix}year__lt": period.year}) | Q(
        **{f"{prefix}year": period.year, f"{prefix}quarter__gte": 1, f"{prefix}quarter__lte": period.quarter}
    )


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


def series_query(params) -> series_selector.SeriesQuery:
    """The series parameters of a query string, validated (400 on a bad one)."""
    first = parse_period(params["from"], "from") if params.get("from") else None
    last = parse_period(params["to"], "to") if params.get("to") else None
    if first and last and last.quarters()[-1] < first.quarters()[0]:
        raise ValidationError({"to": [_("The last period comes before the first.")]})
    granularity = params.get("granularity") or series_selector.Granularity.ALL
    if granularity not in series_selector.Granularity.CHOICES:
        raise ValidationError({"granularity": [_("Use all, year or quarter.")]})
    disaggregate = tuple(part.strip() for part in params.get("disaggregate", "").split(",") if part.strip())
    unknown = set(disaggregate) - set(series_selector.Disaggregation.CHOICES)
    if unknown:
        raise ValidationError({"disaggregate": [_("Use sex, chain or both (sex,chain).")]})
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
        enum=list(series_selector.Granularity.CHOICES),
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
    def series(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the URL suffix as "format"
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


__all__ = [
    "BulkSeriesView",
    "IndicatorValueViewSet",
    "IndicatorViewSet",
    "ProgrammeViewSet",
    "ResultViewSet",
    "Sex",
]


# ---------------------------------------------------------------------------------------------
# Writes: one value per (indicator, quarter, chain, region, sex), through the entry service the forms use.


class QuarterNotOpenError(APIException):
    status_code = 409
    default_detail = "This quarter does not accept entry."
    default_code = "quarter_not_open"


class WorkflowConflict(APIException):
    status_code = 409
    default_detail = "The action does not fit the values' state."
    default_code = "workflow"


def _raise_for(exc: entry.EntryError):
    """The entry service's typed errors as API errors (the same messages the forms show)."""
    if isinstance(exc, entry.EntryValidationError):
        messages = [entry.translated(message) for row in exc.errors.values() for message in row]
        raise ValidationError({"non_field_errors": messages}) from exc
    if isinstance(exc, entry.ConflictError):
        raise PreconditionFailed() from exc
    if isinstance(exc, entry.QuarterNotOpen):
        raise QuarterNotOpenError(entry.translated(exc.message)) from exc
    if isinstance(exc, entry.WorkflowError):
        raise WorkflowConflict(entry.translated(exc.message)) from exc
    if isinstance(exc, entry.SelfApprovalError):
        raise PermissionDenied(entry.translated(exc.message)) from exc
    raise ValidationError({"non_field_errors": [entry.translated(exc.message)]}) from exc


class HeldDecimalField(serializers.DecimalField):
    """A decimal the column holds exactly: more digits are refused with the entry service's message, never rounded."""

    def __init__(self, precision: Precision, **kwargs):
        self.precision = precision
        super().__init__(max_digits=precision.digits, decimal_places=precision.places, **kwargs)

    def validate_precision(self, value):
        errors = entry_rules.precision_errors(value, self.precision)
        if errors:
            raise ValidationError([entry.translated(message) for message in errors])
        return value


class ValueWriteSerializer(serializers.Serializer):
    value = HeldDecimalField(
        MEASURE,
        allow_null=True,
        required=False,
        default=None,
        help_text=f"At most {MEASURE.largest} in absolute value, {MEASURE.places} decimals",
    )
    share = HeldDecimalField(SHARE, min_value=0, max_value=100, allow_null=True, required=False, default=None)
    numerator = HeldDecimalField(
        MEASURE,
        allow_null=True,
        required=False,
        default=None,
        help_text="Ratio indicators only, with denominator: the share is computed (Σnumerator ÷ Σdenominator)",
    )
    denominator = HeldDecimalField(MEASURE, allow_null=True, required=False, default=None, help_text="Greater than 0")
    no_data = serializers.BooleanField(required=False, default=False, help_text='"Sin dato": no number, give a reason')
    no_data_reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)
    follow_up = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=300, help_text="Why a submitted/approved value changes"
    )


def _value_etag(row: IndicatorValue) -> str:
    return f'"v{row.version}"'


def _version_from(if_match: str) -> int | None:
    tag = if_match.strip().removeprefix("W/").strip('"')
    if tag.startswith("v") and tag[1:].isdigit():
        return int(tag[1:])
    return None


ROW_PARAMETERS = [
    OpenApiParameter("indicator", OpenApiTypes.STR, OpenApiParameter.PATH, description="Indicator id or code (R2.3)"),
    OpenApiParameter("period", OpenApiTypes.STR, OpenApiParameter.PATH, description="A quarter: 2012Q1"),
    OpenApiParameter("programme", OpenApiTypes.STR, description="Programme code, when the indicator code is shared"),
    OpenApiParameter("chain", OpenApiTypes.STR, description="Value chain slug; omit for the indicator's total"),
    OpenApiParameter("sex", OpenApiTypes.STR, enum=["F", "M"], description="F or M; omit for the total"),
    OpenApiParameter(
        "region", OpenApiTypes.STR, description="Department code (05 = Ayacucho) of a region row; omit for the total"
    ),
]


class IndicatorValueEntryView(BaseApiView):
    """One value: GET it with its ETag; PUT it (create or replace) with ``If-Match: <ETag>``.

    PUT is idempotent on (indicator, quarter, chain, region, sex). It goes through the same service as the
    entry form: permissions by role and assignment, open quarter, validation, review states, history.
    A stale ``If-Match`` gets 412 and nothing is written; replacing an existing value without
    ``If-Match`` gets 428.
    """

    def _locate(self, request, indicator: str, period: str):
        params = request.query_params
        queryset = Indicator.objects.filter(result__programme__in=visible_programmes(request.user)).select_related(
            "result__programme"
        )
        if params.get("programme"):
            queryset = queryset.filter(result__programme__code=params["programme"])
        found = list(
            queryset.filter(
                **({"pk": as_id(indicator)} if indicator.isascii() and indicator.isdigit() else {"code": indicator})
            )[:2]
        )
        if not found:
            raise NotFound()
        if len(found) > 1:
            raise Ambiguous()
        ind = found[0]
        when = parse_period(period, "period")
        chain_id = None
        if params.get("chain"):
            chain_id = ind.result.programme.chains.filter(slug=params["chain"]).values_list("pk", flat=True).first()
            if chain_id is None:
                raise ValidationError({"chain": [_("No value chain %(slug)s.") % {"slug": params["chain"]}]})
        sex = params.get("sex", "")
        if sex not in (Sex.ALL, Sex.FEMALE, Sex.MALE):
            raise ValidationError({"sex": [_("Use F or M, or leave it out for the total.")]})
        region = params.get("region", "")
        if region and not (len(region) == 2 and region.isascii() and region.isdigit()):
            raise ValidationError({"region": [_("A region is a department code of two digits, e.g. 05.")]})
        row = (
            IndicatorValue.objects.filter(
                indicator=ind, year=when.year, quarter=when.quarter, chain_id=chain_id, sex=sex, region=region
            )
            .select_related("indicator__result__programme", "chain")
            .first()
        )
        return ind, when, entry.RowKey(ind.pk, chain_id, sex, region), row

    def _respond(self, row: IndicatorValue, status_code: int = 200, warnings=None) -> Response:
        data = IndicatorValueSerializer(row, context={"request": self.request}).data
        if warnings:
            data = {**data, "warnings": warnings}
        return Response(data, status=status_code, headers={"ETag": _value_etag(row)})

    def finalize_response(self, request, response, *args, **kwargs):
        # The ETag of a value is its version (what If-Match compares), not a digest of the body.
        response = APIView.finalize_response(self, request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and "ETag" in response.headers:
            return get_conditional_response(request, etag=response.headers["ETag"], response=response)
        return response

    @extend_schema(parameters=ROW_PARAMETERS, responses={200: IndicatorValueSerializer})
    def get(self, request, indicator: str, period: str):
        row = self._locate(request, indicator, period)[-1]
        if row is None:
            raise NotFound()
        return self._respond(row)

    @extend_schema(
        parameters=[
            *ROW_PARAMETERS,
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag you read (required to replace)",
            ),
        ],
        request=ValueWriteSerializer,
        responses={
            200: IndicatorValueSerializer,
            201: IndicatorValueSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Quarter not open (closed, approved) or workflow"),
            412: OpenApiResponse(ErrorSerializer, description="Stale If-Match: someone saved since you read"),
            428: OpenApiResponse(ErrorSerializer, description="If-Match missing for an existing value"),
        },
        examples=[OpenApiExample("a value", value={"value": "85", "comment": "ODEL creadas"}, request_only=True)],
    )
    def put(self, request, indicator: str, period: str):
        ind, when, key, row = self._locate(request, indicator, period)
        incoming = ValueWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if_match = request.headers.get("If-Match")
        if row is None:
            expected = None
            if if_match:
                raise PreconditionFailed()
        elif not if_match:
            raise PreconditionRequired()
        else:
            expected = row.version if if_match.strip() == "*" else _version_from(if_match)
            if expected is None:
                raise PreconditionFailed()
        item = entry.ValueInput(
            key=key,
            value=data["value"],
            share=data["share"],
            numerator=data["numerator"],
            denominator=data["denominator"],
            no_data=data["no_data"],
            no_data_reason=data["no_data_reason"],
            comment=data["comment"],
            follow_up=data["follow_up"],
            expected_version=expected,
            reason=data["reason"],
        )
        try:
            result = entry.save_quarter_values(
                user=request.user, programme=ind.result.programme, period=when, inputs=[item]
            )
        except entry.EntryError as exc:
            _raise_for(exc)
        saved = self._locate(request, indicator, period)[-1]
        if saved is None:  # an empty row that never existed: the service had nothing to save
            raise ValidationError(
                {"value": [_("Give a value, a share, a numerator and a denominator, or no_data with its reason.")]}
            )
        warnings = [entry.translated(message) for messages in result.warnings.values() for message in messages]
        return self._respond(saved, 201 if result.created else 200, warnings)


class QuarterActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)
    comments = serializers.DictField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=dict,
        help_text="For return: {value id: what to correct}",
    )
    seen = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        default=dict,
        help_text="For approve: {value id: the version you reviewed} for every submitted value (GET /values/ "
        "gives both); a value changed since, or missing, refuses the approval and nothing is approved",
    )


class QuarterResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    period = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)


class QuarterActionView(BaseApiView):
    """Review workflow of a programme's quarter: submit (staff), return / approve / reopen (reviewer)."""

    action_name = ""

    @extend_schema(
        request=QuarterActionSerializer,
        responses={
            200: QuarterResultSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Quarter locked or action out of order"),
        },
    )
    def post(self, request, programme: str, period: str):
        prog = Programme.objects.filter(pk__in=visible_programmes(request.user), code=programme).first()
        if prog is None:
            raise NotFound()
        when = parse_period(period, "period")
        incoming = QuarterActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        count = None
        try:
            if self.action_name == "submit":
                count = entry.submit_quarter(user=request.user, programme=prog, period=when)
            elif self.action_name == "approve":
                try:
                    seen = {_required_id(key): version for key, version in data["seen"].items()}
                except ValueError as exc:
                    raise ValidationError({"seen": [_("Keys are value ids.")]}) from exc
                count = entry.approve_quarter(user=request.user, programme=prog, period=when, seen=seen)
            elif self.action_name == "return":
                try:
                    comments = {_required_id(key): text for key, text in data["comments"].items()}
                except ValueError as exc:
                    raise ValidationError({"comments": [_("Keys are value ids.")]}) from exc
                count = entry.return_values(user=request.user, programme=prog, period=when, comments=comments)
            else:
                entry.reopen_quarter(user=request.user, programme=prog, period=when, reason=data["reason"])
        except entry.EntryError as exc:
            _raise_for(exc)
        return Response({"action": self.action_name, "period": str(when), "count": count})


def _required_id(key: str) -> int:
    number = as_id(key)
    if number is None:
        raise ValueError(key)
    return number


def quarter_action_view(name: str):
    view = type(f"Quarter{name.title()}View", (QuarterActionView,), {"action_name": name})
    return view.as_view()
