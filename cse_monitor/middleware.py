"""Cross-cutting middleware: request id + access log, the Content-Security-Policy header, markup refusal."""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import empty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cse_monitor.lib.messages import translated
from cse_monitor.logging import request_id_var

access_log = logging.getLogger("cse_monitor.access")

# An id handed in by a proxy is kept only if it is short and harmless in a log line.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives each request an id (X-Request-ID from a proxy, else a new uuid4), echoes it, logs one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # Only a user the view already loaded: the access log must not cost a session/user query itself.
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "_wrapped", None) is empty:
                user = None
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def build_policy(directives: dict[str, str]) -> str:
    """A Content-Security-Policy header value from {directive: sources}, in a stable order."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy on every response.

    settings.CONTENT_SECURITY_POLICY is the strict default; CONTENT_SECURITY_POLICY_PATH_OVERRIDES maps a
    path prefix to directives that replace the default ones for that prefix only (e.g. the API docs page).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.default = dict(settings.CONTENT_SECURITY_POLICY)
        self.overrides = [
            (prefix, build_policy({**self.default, **extra}))
            for prefix, extra in sorted(
                settings.CONTENT_SECURITY_POLICY_PATH_OVERRIDES.items(), key=lambda item: -len(item[0])
            )
        ]
        self.default_header = build_policy(self.default)
        self.header_name = (
            "Content-Security-Policy-Report-Only"
            if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def policy_for(self, path: str) -> str:
        for prefix, header in self.overrides:
            if path.startswith(prefix):
                return header
        return self.default_header

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header_name not in response:
            response[self.header_name] = self.policy_for(request.path)
        return response


# Something a browser would parse as markup: "<" followed by a tag name, "/", "!" (comments) or "?".
MARKUP = re.compile(r"<\s*[/!?]?\s*[a-zA-Z]|<\s*!--")
MSG_MARKUP = gettext_noop("HTML or script markup is not accepted in text fields. Remove the text between < and >.")


def _strings(value, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(str(key), f"{path}.{key}" if path else str(key))
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


class RejectMarkupMiddleware:
    """Refuses (400, nothing stored) any write whose text fields carry HTML/script markup.

    One check at the boundary covers every free-text field of every form, the admin and the API,
    including fields added later. Output is escaped as well (templates autoescape); refusing the
    markup keeps it out of the exports, the PDF and third-party API consumers too. Fields whose name
    contains one of MARKUP_CHECK_EXEMPT_FIELD_PARTS (passwords, the CSRF token) are not checked.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.exempt_parts = tuple(settings.MARKUP_CHECK_EXEMPT_FIELD_PARTS)

    def offending_fields(self, request: HttpRequest) -> list[str]:
        if request.method not in {"POST", "PUT", "PATCH"}:
            return []
        content_type = request.content_type or ""
        found: list[str] = []
        if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            for name, values in request.POST.lists():
                if any(part in name.lower() for part in self.exempt_parts):
                    continue
                if MARKUP.search(name) or any(MARKUP.search(value) for value in values):
                    found.append(name)
            for name, upload in request.FILES.items():
                if MARKUP.search(upload.name or ""):
                    found.append(name)
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                data = json.loads(request.body or b"null")
            except ValueError:
                return []  # malformed JSON: the API's own parser answers with its 400
            for path, text in _strings(data):
                if not any(part in path.lower() for part in self.exempt_parts) and MARKUP.search(text):
                    found.append(path or "body")
        return sorted(set(found))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = self.offending_fields(request)
        if not fields:
            return self.get_response(request)
        message = translated(MSG_MARKUP)
        logging.getLogger("cse_monitor.security").warning(
            "markup refused", extra={"event": "markup_refused", "path": request.path, "fields": fields}
        )
        if request.path.startswith("/api/") or "json" in (request.content_type or ""):
            body = {
                "error": {
                    "status": 400,
                    "code": "markup_not_allowed",
                    "message": str(message),
                    "fields": {name: [str(message)] for name in fields},
                }
            }
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"message": message, "fields": fields}, status=400)


FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class FormContentTypeMiddleware:
    """Pages take HTML forms only: a body of another type (JSON, XML, text) outside the API gets 415.

    Without this an HTML form view reads an empty request.POST and may treat the request as an
    empty submission. The API under /api/ negotiates its own media types (and answers 415 itself).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in {"POST", "PUT", "PATCH"}
            and not request.path.startswith("/api/")
            and int(request.headers.get("content-length") or 0) > 0
            and request.content_type not in FORM_CONTENT_TYPES
        ):
            message = _("This page accepts form submissions only; nothing was saved.")
            return render(request, "400.html", {"message": message, "status": 415}, status=415)
        return self.get_response(request)
