"""Cross-cutting middleware: request id + access log, and the Content-Security-Policy header."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
            user = getattr(request, "user", None)
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
