"""Writes: one value per (indicator, quarter, chain, region, sex) and the quarter actions.

Through the entry service the forms use: same validation, permissions, versions and history.
"""

from __future__ import annotations

from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cse_monitor.lib.api import (
    BaseApiView,
    as_id,
)
from cse_monitor.lib.api_errors import Ambiguous, ErrorSerializer, PreconditionFailed, PreconditionRequired
from cse_monitor.lib.messages import translated
from indicators.api.common import parse_period
from indicators.api.reads import IndicatorValueSerializer
from indicators.entry import rules
from indicators.entry.errors import (
    ConflictError,
    EntryError,
    EntryValidationError,
    QuarterNotOpen,
    SelfApprovalError,
    WorkflowError,
)
from indicators.entry.rows import RowKey, ValueInput
from indicators.entry.services import quarter_values_save
from indicators.entry.workflow import quarter_approve, quarter_reopen, quarter_submit, values_return
from indicators.models import MEASURE, SHARE, Indicator, IndicatorValue, Programme, Sex
from indicators.permissions import visible_programmes
from indicators.precision import Precision

# ---------------------------------------------------------------------------------------------
# Writes: one value per (indicator, quarter, chain, region, sex), through the entry service the forms use.


class QuarterNotOpenError(APIException):
    status_code = 409
    default_detail = gettext_lazy("This quarter does not accept entry.")
    default_code = "quarter_not_open"


class WorkflowConflict(APIException):
    status_code = 409
    default_detail = gettext_lazy("The action does not fit the values' state.")
    default_code = "workflow"


def _raise_for(exc: EntryError):
    """The entry service's typed errors as API errors (the same messages the forms show)."""
    if isinstance(exc, EntryValidationError):
        messages = [translated(message) for row in exc.errors.values() for message in row]
        raise ValidationError({"non_field_errors": messages}) from exc
    if isinstance(exc, ConflictError):
        raise PreconditionFailed() from exc
    if isinstance(exc, QuarterNotOpen):
        raise QuarterNotOpenError(translated(exc.message)) from exc
    if isinstance(exc, WorkflowError):
        raise WorkflowConflict(translated(exc.message)) from exc
    if isinstance(exc, SelfApprovalError):
        raise PermissionDenied(translated(exc.message)) from exc
    raise ValidationError({"non_field_errors": [translated(exc.message)]}) from exc


class HeldDecimalField(serializers.DecimalField):
    """A decimal the column holds exactly: more digits are refused with the entry service's message, never rounded."""

    def __init__(self, precision: Precision, **kwargs):
        self.precision = precision
        super().__init__(max_digits=precision.digits, decimal_places=precision.places, **kwargs)

    def validate_precision(self, value):
        errors = rules.precision_errors(value, self.precision)
        if errors:
            raise ValidationError([translated(message) for message in errors])
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
        return ind, when, RowKey(ind.pk, chain_id, sex, region), row

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
        item = ValueInput(
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
            result = quarter_values_save(user=request.user, programme=ind.result.programme, period=when, inputs=[item])
        except EntryError as exc:
            _raise_for(exc)
        saved = self._locate(request, indicator, period)[-1]
        if saved is None:  # an empty row that never existed: the service had nothing to save
            raise ValidationError(
                {"value": [_("Give a value, a share, a numerator and a denominator, or no_data with its reason.")]}
            )
        warnings = [translated(message) for messages in result.warnings.values() for message in messages]
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
                count = quarter_submit(user=request.user, programme=prog, period=when)
            elif self.action_name == "approve":
                try:
                    seen = {_required_id(key): version for key, version in data["seen"].items()}
                except ValueError as exc:
                    raise ValidationError({"seen": [_("Keys are value ids.")]}) from exc
                count = quarter_approve(user=request.user, programme=prog, period=when, seen=seen)
            elif self.action_name == "return":
                try:
                    comments = {_required_id(key): text for key, text in data["comments"].items()}
                except ValueError as exc:
                    raise ValidationError({"comments": [_("Keys are value ids.")]}) from exc
                count = values_return(user=request.user, programme=prog, period=when, comments=comments)
            else:
                quarter_reopen(user=request.user, programme=prog, period=when, reason=data["reason"])
        except EntryError as exc:
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
