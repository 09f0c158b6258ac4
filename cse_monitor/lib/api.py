"""What every API view shares: authentication, errors, pagination, sparse fields, conditional GET, lookups.

Imports no app: which programmes a user may read is ``indicators.permissions.visible_programmes``.
"""

from __future__ import annotations

from datetime import UTC

from django.db.models import Max
from django.http import Http404
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import pagination, permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from cse_monitor.lib.api_errors import Ambiguous, api_exception_handler
from cse_monitor.lib.years import FIRST_YEAR, LAST_YEAR
from cse_monitor.tokens import TokenAuthentication

FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Sparse fieldset: comma-separated field names to return (unknown names are ignored).",
)

MAX_ID = 2**63 - 1  # the largest primary key a database column holds


def as_id(value: str) -> int | None:
    """An id from a URL or a body, or None when it is not one (so that the database never sees it)."""
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


SPARSE_FIELDS = extend_schema_view(
    list=extend_schema(parameters=[FIELDS_PARAMETER]), retrieve=extend_schema(parameters=[FIELDS_PARAMETER])
)


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "cse_monitor.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>`: create a token on /api/tokens/ or POST /api/v1/auth/token/",
        }


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ApiMixin:
    """Token first so that anonymous requests get 401 with ``WWW-Authenticate``; session for the browser."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pagination

    def get_exception_handler(self):
        return api_exception_handler

    def handle_exception(self, exc):
        # Errors are always JSON, even when the client asked for CSV or XLSX.
        response = super().handle_exception(exc)
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is not None and renderer.format not in ("json", "api"):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


class ConditionalGetMixin:
    """A strong ETag (digest of the body) on every successful GET, and 304 when If-None-Match matches.

    The ETag alone decides 304s: it changes with anything in the body, including figures whose
    rows carry no timestamp (targets, stated achievements). ``Last-Modified`` is sent where the
    rows have ``updated_at``, as information for clients, but If-Modified-Since is not honoured.
    """

    last_modified_field: str | None = "updated_at"

    def last_modified(self):
        if not self.last_modified_field or not hasattr(self, "filter_queryset"):
            return None
        queryset = self.filter_queryset(self.get_queryset())
        return queryset.aggregate(latest=Max(self.last_modified_field))["latest"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        set_response_etag(response)
        latest = self._latest_modified()
        if latest is not None:
            response.headers["Last-Modified"] = http_date(latest.timestamp())
        conditional = get_conditional_response(request, etag=response.headers["ETag"], response=response)
        return conditional

    def _latest_modified(self):
        try:
            return self.last_modified()
        except Exception:  # Last-Modified is informational: never fail a read for it
            return None


class SparseFieldsMixin:
    """``?fields=a,b`` keeps only those fields of each object (cheap: nothing is fetched differently)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        wanted = request.query_params.get("fields") if request is not None else None
        if wanted and not self.context.get("nested"):
            keep = {name.strip() for name in wanted.split(",") if name.strip()}
            if keep & set(self.fields):
                for name in list(self.fields):
                    if name not in keep:
                        self.fields.pop(name)


class CodeLookupMixin:
    """Detail URLs accept the id or the natural code; ``code_field`` names it, ``?programme=`` disambiguates."""

    code_field = "code"
    lookup_value_regex = "[^/]+"

    def is_id(self, value: str) -> bool:
        return True

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        value = self.kwargs[self.lookup_field]
        if value.isascii() and value.isdigit() and self.is_id(value):
            pk = as_id(value)
            matches = list(queryset.filter(pk=pk)[:2]) if pk is not None else []
        elif self.code_field:
            matches = list(queryset.filter(**{self.code_field: value})[:2])
        else:
            matches = []
        if not matches:
            raise Http404
        if len(matches) > 1:
            raise Ambiguous()
        obj = matches[0]
        self.check_object_permissions(self.request, obj)
        return obj


class ReadViewSet(ApiMixin, ConditionalGetMixin, CodeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only resource: filters from a declared FilterSet, fixed ordering fields, pagination."""

    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]


class BaseApiView(ApiMixin, ConditionalGetMixin, APIView):
    last_modified_field = None


class UpdatedSinceFilter(filters.IsoDateTimeFilter):
    """``updated_since=2011-12-31T00:00:00Z``: rows changed at or after that instant (incremental pulls)."""

    def __init__(self, field_name="updated_at", **kwargs):
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", "Changed at or after this ISO 8601 instant")
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        # In UTC before it reaches the database: PostgreSQL refuses offsets Python accepts (+17:10).
        try:
            value = value.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValidationError({"updated_since": [gettext("This instant is out of range.")]}) from exc
        return super().filter(qs, value)


def YearFilter(**kwargs):  # reads as a filter class where it is used
    """A year filter bounded to the years a period may have (``years.FIRST_YEAR``–``LAST_YEAR``): no overflow."""
    return filters.NumberFilter(min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs)


class ModelSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    pass
