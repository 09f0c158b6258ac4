"""Authentication: anonymous 401 everywhere, tokens (hashed, shown once, revocable), password exchange, throttling."""

import pytest
from django.urls import get_resolver
from rest_framework.test import APIClient

from cse_monitor.models import ApiToken
from cse_monitor.tokens import token_create
from tests.factories import TEST_PASSWORD

from .conftest import token_client


def _api_v1_paths():
    """Every route under /api/v1/ from the URL configuration, with sample arguments filled in."""
    resolver = get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) != "api/":
            continue
        for sub in pattern.url_patterns:
            if str(sub.pattern) != "v1/":
                continue
            for name in list(sub.reverse_dict):
                if not isinstance(name, str):
                    continue
                for possibility, _pattern, _defaults, _converters in sub.reverse_dict.getlist(name):
                    for template, params in possibility:
                        values = {p: "json" if p == "format" else "1" for p in params}
                        paths.append("/api/v1/" + template % values)
    return sorted(set(paths))


API_PATHS = _api_v1_paths()


def test_the_walk_finds_every_endpoint():
    assert "/api/v1/series/" in API_PATHS
    assert "/api/v1/indicators/1/series/" in API_PATHS
    assert len(API_PATHS) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in API_PATHS if not p.endswith("auth/token/")])
def test_anonymous_gets_401_with_the_error_shape(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_token_opens_the_api_and_is_stored_hashed(users):
    issued = token_create(user=users["staff"], name="dashboard")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in (stored.digest, stored.prefix, stored.name)
    assert len(stored.digest) == 64 and stored.prefix == issued.secret[:12]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.secret}")
    assert client.get("/api/v1/programmes/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_bearer_keyword_is_accepted(users):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=users['staff'], name='x').secret}")
    assert client.get("/api/v1/programmes/").status_code == 200


def test_revoked_token_is_refused(users):
    issued = token_create(user=users["staff"], name="old")
    ApiToken.objects.filter(pk=issued.token.pk).update(revoked_at="2011-12-31T00:00:00Z")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.secret}")
    response = client.get("/api/v1/programmes/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_token_failures_are_throttled_per_address(users, settings):
    settings.API_AUTH_FAILURE_LIMIT = 3
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token cse_not-a-real-token")
    codes = [bad.get("/api/v1/programmes/").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    throttled = bad.get("/api/v1/programmes/")
    assert throttled.json()["error"]["code"] == "throttled"
    # Even a good token from the same address waits until the window ends.
    assert token_client(users["staff"]).get("/api/v1/programmes/").status_code == 429


def test_password_exchange_issues_a_working_token(users):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "api-staff", "password": TEST_PASSWORD, "name": "R"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("cse_") and body["name"] == "R"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/programmes/PRG1/").status_code == 200


def test_password_exchange_refuses_bad_credentials_then_throttles(users, settings):
    settings.API_AUTH_FAILURE_LIMIT = 2
    client = APIClient()
    first = client.post("/api/v1/auth/token/", {"username": "api-staff", "password": "wrong"}, format="json")
    assert first.status_code == 401
    assert first.json()["error"]["code"] == "bad_credentials"
    second = client.post("/api/v1/auth/token/", {"username": "api-staff", "password": "wrong"}, format="json")
    assert second.status_code == 401
    third = client.post("/api/v1/auth/token/", {"username": "api-staff", "password": TEST_PASSWORD}, format="json")
    assert third.status_code == 429
    assert not ApiToken.objects.exists()


def test_password_exchange_with_missing_fields_is_a_400(db):
    response = APIClient().post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["password"]


def test_token_page_shows_the_secret_once_and_revokes(client, users):
    client.force_login(users["staff"])
    created = client.post("/api/tokens/", {"name": "donor dashboard"})
    assert created.status_code == 201
    secret = created.context["secret"]
    assert secret.encode() in created.content
    token = ApiToken.objects.get(user=users["staff"])
    listing = client.get("/api/tokens/")
    assert listing.status_code == 200
    assert secret.encode() not in listing.content and token.prefix.encode() in listing.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/programmes/").status_code == 200
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/programmes/").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(client, users):
    other = token_create(user=users["reviewer"], name="theirs")
    client.force_login(users["staff"])
    response = client.post(f"/api/tokens/{other.token.pk}/revoke/", follow=True)
    # Refused as if the token did not exist: back to the user's own token page, with the error.
    assert response.status_code == 200
    assert response.redirect_chain == [("/api/tokens/", 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    other.token.refresh_from_db()
    assert other.token.is_active


def test_token_page_needs_login(client, db):
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
