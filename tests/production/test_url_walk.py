"""Walks EVERY pattern of the URL configuration as anonymous, as an outsider (signed in, no membership)
and as each role (issue 8).

For each URL (built from its pattern with sample kwargs) and each of GET and an empty POST:
  * no role ever gets a 5xx;
  * anonymous users and outsiders are refused (401/403/404/405, or a redirect to a login page) on
    everything but the short allowlists below, so a new view without a permission check fails here;
  * every HTML page served satisfies the Content-Security-Policy: no inline script, no style
    attribute or element, no on* handler, no javascript: URL.
Sample kwargs are the only per-view knowledge: the programme code, a period, a year, and for a
primary key the first row of the model the view serves (read from the admin's or the API's view).
"""

import io
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

from indicators.models import IndicatorValue

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = "PER0601011"

# Anyone may use these (by URL name, or by route prefix for unnamed patterns).
PUBLIC_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "readyz",
    "api-obtain-token",  # exchanges a username and password for a token: public by nature
    "logout",  # ending a session one does not have changes nothing
    "api-schema",  # the API's description (no data), so that clients can be generated
    "api-docs",
    "api-redoc",
}
PUBLIC_PREFIXES = ("static/", "media/")  # media/ is only routed with DEBUG on (development)
# Any signed-in user, member of a programme or not: their own account and their own things.
SIGNED_IN_NAMES = {
    "home",
    "password_change",
    "password_change_done",
    "api-tokens",
    "api-token-revoke",
    "notifications",
    "entry_home",
}
# Reference data every signed-in user may read: the national INEI district register.
REFERENCE_DATA_NAMES = {"district-list", "district-detail"}
# Known defects, each tracked by a strict xfail below: when fixed, that test fails and the entry must go.
KNOWN_5XX: dict[str, str] = {}
# Defects that were in KNOWN_5XX and are fixed: kept as regression checks.
FIXED_5XX = {
    # IndicatorViewSet.series() did not accept the format-suffix kwarg (fixed with issue 6).
    "v1:indicator-series": "/api/v1/indicators/<pk>/series.json",
}
# Third-party pages that break the CSP (the page still works; the blocked parts are cosmetic).
KNOWN_CSP_EXCEPTIONS = {
    # django-import-export's admin export form: inline styles and a select-all onchange handler.
    "_export": "django-import-export admin export form",
}
# Views whose <pk> is not visible from the view object: the model to take a sample row from.
SAMPLE_MODELS = {"value_history": IndicatorValue, "evidence": IndicatorValue, "follow_up": IndicatorValue}
SAMPLES = {
    "code": PROGRAMME,
    "period": "2011Q2",
    "year": "2011",
    "format": "json",
    "uidb64": "MQ",
    "token": "set-password",
    "path": "evidence/2011/none.pdf",
}
ROLES = ["anonymous", "outsider", "emcl", "staff", "reviewer", "admin"]


@dataclass(frozen=True)
class Route:
    regex: str
    name: str | None
    callback: object


def all_routes() -> list[Route]:
    def walk(patterns, prefix: str, namespace: str) -> list[Route]:
        found = []
        for pattern in patterns:
            regex = prefix + pattern.pattern.regex.pattern.lstrip("^").removesuffix(r"\Z").removesuffix("$")
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                found += walk(pattern.url_patterns, regex, ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else None
                found.append(Route(regex=regex, name=name, callback=pattern.callback))
        return found

    return walk(get_resolver().url_patterns, "", "")


def view_model(route: Route):
    callback = route.callback
    if getattr(callback, "model_admin", None) is not None:
        return callback.model_admin.model
    cls = getattr(callback, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    if serializer is not None and hasattr(serializer, "Meta"):
        return serializer.Meta.model
    short = (route.name or "").rsplit(":", 1)[-1]
    return SAMPLE_MODELS.get(short)


def sample_pk(route: Route, param: str) -> str:
    model = view_model(route)
    if model is None:
        return "1"
    row = model._base_manager.order_by("pk").first()
    if row is None:
        return "999999"
    lookup = getattr(getattr(route.callback, "cls", None), "lookup_field", "pk")
    return str(getattr(row, lookup if lookup != "pk" else "pk"))


def sample_url(route: Route) -> str:
    try:
        fmt, params = normalize(route.regex)[0]
    except ValueError:  # a non-reversible catch-all: any path it swallows will do
        fmt, params = re.sub(r"\^?\[\\s\\S\]\*|\(\?s\)\^?\.\*", "zz-no-such-thing/", route.regex), []
    values = {}
    for param in params:
        if param in SAMPLES:
            values[param] = SAMPLES[param]
        elif param in {"pk", "id", "object_id"} or param.endswith("_id") or re.fullmatch(r"_\d+", param):
            values[param] = sample_pk(route, param)
        else:
            values[param] = "sample"
    return "/" + (fmt % values if params else fmt).replace("\\", "")


def is_public(route: Route, url: str) -> bool:
    short = (route.name or "").rsplit(":", 1)[-1]
    return short in PUBLIC_NAMES or url.lstrip("/").startswith(PUBLIC_PREFIXES)


def is_signed_in_only(route: Route) -> bool:
    return (route.name or "").rsplit(":", 1)[-1] in SIGNED_IN_NAMES


def empty_json(response) -> bool:
    """A 200 JSON answer that shows nothing: the API filters lists down to the user's programmes."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    data = response.json()
    if isinstance(data, dict) and "results" in data:
        return data["results"] == []
    return data in ([], {})


def refused(response) -> bool:
    if response.status_code in {401, 403, 404, 405}:
        return True
    if response.status_code in {301, 302, 303, 307, 308}:
        return "login" in response.get("Location", "")
    return False


class InlineFinder(HTMLParser):
    """What a strict CSP (script-src/style-src 'self') would block in a page."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src") and a.get("type", "text/javascript") in {"text/javascript", "module"}:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for key, value in attrs:
            if key == "style":
                self.problems.append(f"style= attribute on <{tag}>")
            elif key.startswith("on"):
                self.problems.append(f"{key}= handler on <{tag}>")
            elif key in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_programme", str(ROOT / "fixtures" / "per0601011" / "programme.json"), stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())
    get_user_model().objects.create_user("outsider", password="Outsider-2011-x")


def client_for(role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    return client


def test_the_walk_sees_every_kind_of_route(world):
    routes = all_routes()
    names = {r.name for r in routes}
    assert len(routes) > 50
    assert {"login", "healthz", "readyz", "home"} <= names
    urls = [sample_url(r) for r in routes]
    assert f"/reports/{PROGRAMME}/2011/" in urls
    assert all(url.startswith("/") and "%(" not in url for url in urls)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_url_refuses_outsiders_never_errors_and_serves_csp_clean_pages(world, role):
    client = client_for(role)
    user = None if role == "anonymous" else get_user_model().objects.get(username=role)
    failures: list[str] = []
    for route in all_routes():
        url = sample_url(route)
        admin_site = url.startswith("/admin/")
        methods = ["GET"] if (admin_site and role == "admin") else ["GET", "POST"]
        for method in methods:
            response = client.get(url) if method == "GET" else client.post(url, {})
            where = f"{method} {url} ({route.name or route.regex})"
            if response.status_code >= 500:
                if not (route.name in KNOWN_5XX and url.endswith(".json")):
                    failures.append(f"{where}: {response.status_code}")
                continue
            if role in {"anonymous", "outsider"} and not is_public(route, url):
                short = (route.name or "").rsplit(":", 1)[-1]
                if role == "outsider" and (is_signed_in_only(route) or short in REFERENCE_DATA_NAMES):
                    pass
                elif role == "outsider" and response.status_code == 200 and empty_json(response):
                    pass
                elif not refused(response):
                    failures.append(f"{where}: not refused to {role} ({response.status_code})")
            content_type = response.get("Content-Type", "")
            if method == "GET" and response.status_code == 200 and content_type.startswith("text/html"):
                if "Content-Security-Policy" not in response:
                    failures.append(f"{where}: no CSP header")
                finder = InlineFinder()
                finder.feed(
                    b"".join(response).decode(errors="replace") if response.streaming else response.content.decode()
                )
                if not any((route.name or "").endswith(suffix) for suffix in KNOWN_CSP_EXCEPTIONS):
                    failures += [f"{where}: {problem}" for problem in sorted(set(finder.problems))]
            if user is not None and "_auth_user_id" not in client.session:
                client.force_login(user)  # the walk just hit logout
    assert not failures, f"{len(failures)} problems as {role}:\n" + "\n".join(failures)


def test_debug_media_route_is_absent_in_production_settings():
    # /media/ is served without a permission check only by the development server (DEBUG on).
    # The URLconf is read once per process, so it is inspected in a fresh one under production settings.
    from tests.production.test_security import production_env

    script = (
        "import django; django.setup();"
        "from tests.production.test_url_walk import all_routes;"
        "print('\\n'.join(route.regex for route in all_routes()))"
    )
    result = subprocess.run(  # noqa: S603 - this project's own python with fixed arguments
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    routes = result.stdout.splitlines()
    assert "healthz" in routes
    assert not [route for route in routes if route.startswith("media/")]


def test_formerly_known_5xx_stay_fixed(world):
    client = client_for("admin")
    routes = [r for r in all_routes() if r.name in FIXED_5XX]
    assert routes
    assert all(client.get(sample_url(route)).status_code < 500 for route in routes)
