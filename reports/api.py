"""REST API: the scores reports state (table 2.1, annex 7.2), the EMCL decisions (section 5), and the
annual reports of a programme: their years, approval state and the checksums of the approved snapshot."""

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cse_monitor.lib.api import (
    SPARSE_FIELDS,
    BaseApiView,
    ModelSerializer,
    ReadViewSet,
    UpdatedSinceFilter,
    YearFilter,
)
from cse_monitor.lib.api_errors import CODE_NOT_FOUND, ErrorSerializer
from cse_monitor.lib.messages import translated
from indicators.models import Programme, StatedScore
from indicators.periods import Period
from indicators.permissions import visible_programmes
from reports import services, snapshots
from reports.models import EmclDecision, Report


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
        return StatedScore.objects.filter(result__programme__in=visible_programmes(self.request.user)).select_related(
            "result__programme"
        )


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
        return EmclDecision.objects.filter(programme__in=visible_programmes(self.request.user)).select_related(
            "programme"
        )


# ---------------------------------------------------------------------------------------------
# Annual reports


class ReportEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["approved", "reopened"])
    at = serializers.DateTimeField()
    user = serializers.CharField()
    emcl_session_date = serializers.DateField(allow_null=True)
    reason = serializers.CharField(help_text="Why the report was reopened ('' for an approval)")


class ReportSnapshotSerializer(serializers.Serializer):
    emcl_session_date = serializers.DateField()
    approved_at = serializers.DateTimeField()
    html_sha256 = serializers.CharField(help_text="SHA-256 of the approved document HTML (UTF-8)")
    pdf_sha256 = serializers.CharField(help_text="SHA-256 of the approved PDF; '' while it is being printed")


class ReportSerializer(serializers.Serializer):
    programme = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Report.Status.choices)
    emcl_session_date = serializers.DateField(allow_null=True)
    html_url = serializers.CharField()
    pdf_url = serializers.CharField()
    snapshot = ReportSnapshotSerializer(allow_null=True, help_text="The approved report as stored; null for a draft")
    newer_data = serializers.BooleanField(
        allow_null=True, help_text="True when today's data gives a report that differs from the approved one"
    )
    history = ReportEventSerializer(many=True)


class ReportYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Report.Status.choices)
    emcl_session_date = serializers.DateField(allow_null=True)
    url = serializers.CharField()


def _programme(request, code: str) -> Programme:
    programme = Programme.objects.filter(pk__in=visible_programmes(request.user), code=code).first()
    if programme is None:
        raise NotFound()
    return programme


def _urls(programme: Programme, year: int) -> dict[str, str]:
    kwargs = {"code": programme.code, "year": year}
    return {
        "html_url": reverse("reports:report", kwargs=kwargs),
        "pdf_url": reverse("reports:report_pdf", kwargs=kwargs),
    }


class ReportYearsView(BaseApiView):
    """The annual reports of a programme: one per year of its life, with its approval state."""

    @extend_schema(responses={200: ReportYearSerializer(many=True)})
    def get(self, request, programme: str):
        prog = _programme(request, programme)
        reports = {report.year: report for report in Report.objects.filter(programme=prog)}
        rows = []
        for year in prog.years:
            report = reports.get(year)
            rows.append(
                {
                    "year": year,
                    "status": report.status if report else Report.Status.DRAFT,
                    "emcl_session_date": report.emcl_session_date if report else None,
                    "url": reverse("v1:api-report", kwargs={"programme": prog.code, "year": year}),
                }
            )
        return Response(rows)


class ReportView(BaseApiView):
    """One annual report: draft or approved, the checksums of its approved snapshot, and whether newer data exists.

    A year outside the programme's life is a 404 whose error also lists ``years``, the years with a report.
    """

    @extend_schema(
        responses={
            200: ReportSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Unknown programme, or no report for this year"),
        }
    )
    def get(self, request, programme: str, year: int):
        prog = _programme(request, programme)
        if year not in prog.years:
            message = translated(services.year_outside_message(prog, year))
            body = {"status": 404, "code": CODE_NOT_FOUND, "message": message, "years": list(prog.years)}
            return Response({"error": body}, status=404)
        snapshot = snapshots.current_snapshot(prog, year)
        history = [
            {
                "kind": "approved" if event.kind == Report.Status.APPROVED else "reopened",
                "at": event.at,
                "user": event.user,
                "emcl_session_date": event.session_date,
                "reason": event.reason,
            }
            for event in snapshots.approval_history(prog, year)
        ]
        data = {
            "programme": prog.code,
            "year": year,
            "status": Report.Status.APPROVED if snapshot else Report.Status.DRAFT,
            "emcl_session_date": snapshot.emcl_session_date if snapshot else None,
            **_urls(prog, year),
            "snapshot": None,
            "newer_data": None,
            "history": history,
        }
        if snapshot is not None:
            data["snapshot"] = {
                "emcl_session_date": snapshot.emcl_session_date,
                "approved_at": snapshot.approved_at,
                "html_sha256": snapshot.html_sha256,
                "pdf_sha256": snapshot.pdf_sha256,
            }
            data["newer_data"] = snapshots.has_newer_data(snapshot)
        return Response(ReportSerializer(data).data)
