"""The real URL configuration plus views that fail on purpose (error-page tests only)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from cse_monitor.urls import urlpatterns as real_patterns


def boom(request):
    raise RuntimeError("secret-internal-detail: this must never reach the user")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), *real_patterns]
