"""Error views in the application's look (no stack trace reaches a user)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page has inline styles, which our CSP forbids."""
    message = _(
        "Your form could not be sent because its security token was missing or expired. Reload the page and try again."
    )
    return render(request, "403.html", {"message": message}, status=403)
