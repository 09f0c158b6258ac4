"""API tokens: issue, revoke, authenticate; failed attempts are rate-limited per client address.

A token is ``cse_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256
digest is stored: a high-entropy secret needs no slow hash, and a database leak reveals no
usable token. The secret is returned once, when the token is created.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from cse_monitor.models import ApiToken

TOKEN_PREFIX = "cse_"  # noqa: S105 - a public marker, not a secret
DISPLAY_CHARS = 12
KEYWORDS = ("token", "bearer")
LAST_USED_RESOLUTION = timedelta(minutes=1)
ERROR_INVALID_TOKEN = "Invalid or revoked token."  # noqa: S105 - a message
ERROR_BAD_CREDENTIALS = "Unable to log in with the given username and password."
ERROR_TOO_MANY_FAILURES = "Too many failed authentication attempts; try again later."


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_create(*, user, name: str) -> IssuedToken:
    """Create a token for ``user``; the returned secret is the only copy."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:100], prefix=raw[:DISPLAY_CHARS], digest=_digest(raw))
    return IssuedToken(token=token, secret=raw)


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False when there is no such active token."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return updated == 1


def tokens_of(user):
    return ApiToken.objects.filter(user=user)


# ---------------------------------------------------------------------------------------------
# Rate limiting of failures


def _failure_limit() -> int:
    return getattr(settings, "API_AUTH_FAILURE_LIMIT", 10)


def _failure_window() -> int:
    return getattr(settings, "API_AUTH_FAILURE_WINDOW", 300)


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _failure_key(request) -> str:
    return f"api-auth-failures:{client_address(request)}"


def check_not_locked_out(request) -> None:
    """Raise 429 when this client address has failed authentication too often in the window."""
    if cache.get(_failure_key(request), 0) >= _failure_limit():
        raise exceptions.Throttled(wait=_failure_window(), detail=_(ERROR_TOO_MANY_FAILURES))


def record_failure(request) -> None:
    key = _failure_key(request)
    cache.add(key, 0, _failure_window())
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _failure_window())


# ---------------------------------------------------------------------------------------------
# Authentication


def user_for_token(raw: str):
    """The active user owning the active token ``raw``, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


def user_for_credentials(request, *, username: str, password: str):
    """The user for a username and password (counting a failure), or raise 400/429."""
    check_not_locked_out(request)
    user = authenticate(request=getattr(request, "_request", request), username=username, password=password)
    if user is None or not user.is_active:
        record_failure(request)
        raise exceptions.AuthenticationFailed(_(ERROR_BAD_CREDENTIALS), code="bad_credentials")
    return user


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <secret>`` (or ``Bearer <secret>``)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        check_not_locked_out(request)
        if len(header) != 2:
            record_failure(request)
            raise exceptions.AuthenticationFailed(_(ERROR_INVALID_TOKEN), code="invalid_token")
        found = user_for_token(header[1].decode(errors="replace"))
        if found is None:
            record_failure(request)
            raise exceptions.AuthenticationFailed(_(ERROR_INVALID_TOKEN), code="invalid_token")
        return found

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'
