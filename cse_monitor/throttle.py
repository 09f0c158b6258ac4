"""Login throttling: a small counter in Django's cache, no extra dependency.

Why not django-axes: its backend insists on a request in authenticate(), which
breaks `Client.login()` across everyone's tests, and it brings its own models and
admin. What we need is small: after LOGIN_THROTTLE_FAILURES failed logins for one
username from one address (or LOGIN_THROTTLE_IP_FAILURES from one address, against
password spraying) within LOGIN_THROTTLE_WINDOW seconds, refuse further attempts
until the window ends. The counters live in the configured cache; production uses
the database cache so every gunicorn worker and instance sees the same counts.

The check runs in an authentication backend placed first, so it guards every
login path (the login page, the admin login, the API's session login), and again
in the login form so the user is told plainly why they are refused (HTTP 429).
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import user_logged_in, user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy, gettext_noop

audit_log = logging.getLogger("cse_monitor.audit")

LOCKED_MESSAGE = gettext_noop("Too many failed login attempts. Please wait %(minutes)d minutes and try again.")


def client_ip(request: HttpRequest | None) -> str:
    """The client address: REMOTE_ADDR, or the right entry of X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies."""
    if request is None:
        return "-"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "-")


def _user_key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"login-fail:u:{digest}"


def _ip_key(ip: str) -> str:
    return f"login-fail:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"


def _bump(key: str) -> int:
    if cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW)
        return 1


def is_locked(username: str, request: HttpRequest | None) -> bool:
    ip = client_ip(request)
    return (cache.get(_user_key(username or "", ip)) or 0) >= settings.LOGIN_THROTTLE_FAILURES or (
        cache.get(_ip_key(ip)) or 0
    ) >= settings.LOGIN_THROTTLE_IP_FAILURES


def record_failure(username: str, request: HttpRequest | None) -> None:
    ip = client_ip(request)
    count = _bump(_user_key(username or "", ip))
    _bump(_ip_key(ip))
    audit_log.warning("login failed", extra={"event": "login_failed", "username": username, "ip": ip, "count": count})


def clear_failures(username: str, request: HttpRequest | None) -> None:
    cache.delete(_user_key(username or "", client_ip(request)))


def locked_message() -> str:
    return gettext(LOCKED_MESSAGE) % {"minutes": max(1, settings.LOGIN_THROTTLE_WINDOW // 60)}


class LoginThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses (PermissionDenied stops the chain) while a lock holds."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials):
        if username is not None and is_locked(username, request):
            raise PermissionDenied(locked_message())
        return None

    # No get_user(): the backend never logs anyone in, and without it force_login() and the session
    # machinery skip it and use the ModelBackend.


@receiver(user_login_failed)
def _on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    record_failure(credentials.get("username", ""), request)


@receiver(user_logged_in)
def _on_logged_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    clear_failures(user.get_username(), request)
    audit_log.info(
        "login", extra={"event": "login", "username": user.get_username(), "ip": client_ip(request), "user_id": user.pk}
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "throttled": gettext_lazy(LOCKED_MESSAGE)}

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and is_locked(username, self.request):
            # Counted as a failure too, so hammering a locked account keeps it locked.
            record_failure(username, self.request)
            raise ValidationError(locked_message(), code="throttled")
        return super().clean()


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if any(error.code == "throttled" for error in form.errors.as_data().get("__all__", [])):
            response.status_code = 429
        return response
