"""One JSON shape for every API error, with a machine-readable code.

    {"error": {"status": 404, "code": "not_found", "message": "…", "fields": {"year": ["…"]}}}

``fields`` is present for validation errors only (code ``invalid``), one list of messages per
field (``non_field_errors`` for the object as a whole).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

from cse_monitor.lib.messages import translated

# Codes a client can rely on. DRF's own codes keep their names.
CODE_INVALID = "invalid"
CODE_NOT_FOUND = "not_found"
CODE_PRECONDITION_FAILED = "precondition_failed"
CODE_PRECONDITION_REQUIRED = "precondition_required"
CODE_AMBIGUOUS = "ambiguous_code"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = gettext_lazy("The resource changed since you read it: read it again and reapply your change.")
    default_code = CODE_PRECONDITION_FAILED


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "Send If-Match with the ETag you read, so that you cannot overwrite someone else's change."
    )
    default_code = CODE_PRECONDITION_REQUIRED


class Ambiguous(exceptions.APIException):
    status_code = 400
    default_detail = gettext_lazy("This code exists in several programmes; add ?programme=<code> or use the id.")
    default_code = CODE_AMBIGUOUS


def not_found(request, *args, **kwargs):
    """Any path under /api/ that no route matches: 404 in the API's error shape."""
    body = {"error": {"status": 404, "code": CODE_NOT_FOUND, "message": str(exceptions.NotFound.default_detail)}}
    return JsonResponse(body, status=404)


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def _code_of(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return CODE_INVALID
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # The reason an access_* guard gave (a message constant), in the reader's language.
        exc = exceptions.PermissionDenied(translated(exc.args[0]) if exc.args and exc.args[0] else None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling, logged
    body: dict = {"status": response.status_code, "code": _code_of(exc)}
    if isinstance(exc, exceptions.ValidationError):
        body["message"] = _("The request has invalid fields.")
        body["fields"] = _flatten(exc.detail)
    else:
        body["message"] = str(exc.detail) if not isinstance(exc.detail, list | dict) else _flatten(exc.detail)
    response.data = {"error": body}
    return response


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, not_authenticated, …")
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


_ERROR_DESCRIPTIONS = {
    "400": "Invalid request (code `invalid`, `ambiguous_code`, …)",
    "401": "Not authenticated (code `not_authenticated`, `authentication_failed`, `invalid_token`)",
    "403": "Authenticated but not allowed (code `permission_denied`)",
    "404": "No such object, or not visible to you (code `not_found`)",
    "406": "Unsupported Accept header or format (code `not_acceptable`)",
    "429": "Too many failed authentication attempts (code `throttled`)",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the one error shape on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    ref = {"$ref": "#/components/schemas/Error"}
    if "Error" not in components:
        components["Error"] = {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "code", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "code": {"type": "string"},
                        "message": {},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _ERROR_DESCRIPTIONS.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
