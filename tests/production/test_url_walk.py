"""Walks EVERY pattern of the URL configuration as anonymous, as an outsider (signed in, no membership)
and as each role.

For each URL (built from its pattern with sample kwargs) and each of GET and an empty POST:
  * no role ever gets a 5xx;
  * anonymous users and outsiders are refused (401/403/404/405, or a redirect to a login page) on
    everything but the short allowlists below, so a new view without a permission check fails here;
  * every HTML page served satisfies the Content-Security-Policy: no inline script, no style
    attribute or element, no on* handler, no javascript: URL.
Sample kwargs are the only per-view knowledge: the programme code, an indicator code, a period, a
year, and for a primary key the first row of the model the view serves (read from the admin's or
the API's view). Every sample names something that exists (the world below creates a row of each
model a route needs), so each view gets as far as its permission check: a route that answers 404
to every role (or only refuses before the view) has a wrong sample or is dead, and fails here.
"""

import io
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

from cse_monitor.lib.api_errors import not_found
from cse_monitor.models import ApiToken
from cse_monitor.tokens import token_create
from indicators.models import Activity, Indicator, IndicatorValue, Notification, Programme, QuarterState, ValueReview
from municipalities.services import beneficiaries_import
from municipalities.tests.factories import workbook_bytes
from municipalities.tests.seed_annex_74 import HEADER
from tests.factories import IndicatorValueFactory, TaskFactory
from tests.waits import run_to_end

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = "PER0601011"
INDICATOR = "R2.1"  # of PER0601011; the world gives it a value in the sample quarter

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
    # IndicatorViewSet.series() did not accept the format-suffix kwarg.
    "v1:indicator-series": "/api/v1/indicators/<pk>/series.json",
}
# Third-party pages that break the CSP (the page still works; the blocked parts are cosmetic).
KNOWN_CSP_EXCEPTIONS = {
    # django-import-export's admin export form: inline styles and a select-all onchange handler.
    "_export": "django-import-export admin export form",
}
# Routes whose only answer is 404, by design: the JSON 404 of unknown API paths, the admin's catch-all
# of unknown admin paths, and the admin's "view on site" redirect (no model here has a public page,
# get_absolute_url, so it has nowhere to go). And /media/ of development: routed only when the URLconf
# was first read with DEBUG on, it serves the MEDIA_ROOT of that moment, not the test's.
NOT_FOUND_BY_DESIGN_VIEWS = {not_found}
NOT_FOUND_BY_DESIGN_NAMES = {"admin:view_on_site"}
NOT_FOUND_BY_DESIGN_REGEX = {r"admin/(?P<url>.*)", r"media/(?P<path>.*)"}
# Views whose <pk> is not visible from the view object: the model to take a sample row from.
SAMPLE_MODELS = {
    "value_history": IndicatorValue,
    "evidence": IndicatorValue,
    "follow_up": IndicatorValue,
    "view_on_site": Programme,
}
# Which row of the model, when the view needs more than any row (the value that has a file).
SAMPLE_ROWS = {"evidence": {"evidence__gt": ""}}
# A <something_id> that names another model than the view's.
PARAM_MODELS = {"programme_id": Programme, "token_id": ApiToken, "content_type_id": ContentType}
SAMPLES = {
    "code": PROGRAMME,
    "programme": PROGRAMME,
    "indicator": INDICATOR,
    "period": "2011Q2",
    "year": "2011",
    "format": "json",
    "app_label": "indicators",
    "url": "zz-no-such-page/",
    "uidb64": "MQ",
    "token": "set-password",
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


def short_name(route: Route) -> str:
    return (route.name or "").rsplit(":", 1)[-1]


def view_model(route: Route):
    callback = route.callback
    model_admin = getattr(callback, "model_admin", None)
    # A ModelAdmin's own extra views (admin_view(self.some_view)): the admin is the bound method's self.
    model_admin = model_admin or getattr(getattr(callback, "__wrapped__", None), "__self__", None)
    if getattr(model_admin, "model", None) is not None:
        return model_admin.model
    cls = getattr(callback, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    if serializer is not None and hasattr(serializer, "Meta"):
        return serializer.Meta.model
    return SAMPLE_MODELS.get(short_name(route))


def sample_pk(route: Route, param: str) -> str:
    """A key of a row that exists: never a made-up number, which would test only the 404."""
    if param == "content_type_id":
        return str(ContentType.objects.get_for_model(SAMPLE_MODELS[short_name(route)]).pk)
    model = PARAM_MODELS.get(param) or view_model(route)
    if model is None:
        raise LookupError(f"no model to sample <{param}> of {route.name or route.regex} from: add it to SAMPLE_MODELS")
    if param in {"_0", "_1"} and hasattr(model, "history"):
        # simple-history's page of one past version: <object id>/history/<history id>.
        record = history_of_present_rows(model).order_by("history_id").first()
        if record is None:
            raise LookupError(f"no history of {model.__name__} for {route.name}: the world must change one")
        return str(getattr(record, model._meta.pk.attname) if param == "_0" else record.history_id)
    row = model._base_manager.filter(**SAMPLE_ROWS.get(short_name(route), {})).order_by("pk").first()
    if row is None:
        raise LookupError(f"no {model.__name__} for {route.name or route.regex}: the world must create one")
    lookup = getattr(getattr(route.callback, "cls", None), "lookup_field", "pk")
    return str(getattr(row, lookup if lookup != "pk" else "pk"))


def history_of_present_rows(model):
    """The past versions of rows that still exist: rows other tests deleted leave their history behind."""
    return model.history.filter(**{f"{model._meta.pk.attname}__in": model._base_manager.values("pk")})


def sample_url(route: Route) -> str:
    try:
        fmt, params = normalize(route.regex)[0]
    except ValueError:  # a non-reversible catch-all: any path it swallows will do
        fmt, params = re.sub(r"\^?\[\\s\\S\]\*|\(\?s\)\^?\.\*", "zz-no-such-thing/", route.regex), []
    values = {}
    for param in params:
        if param in SAMPLES:
            values[param] = SAMPLES[param]
        elif param == "path":  # a file under MEDIA_ROOT (served by /media/ in development only)
            values[param] = IndicatorValue.objects.exclude(evidence="").order_by("pk").first().evidence.name
        elif param in {"pk", "id", "object_id"} or param.endswith("_id") or re.fullmatch(r"_\d+", param):
            values[param] = sample_pk(route, param)
        else:
            raise LookupError(f"no sample for <{param}> of {route.name or route.regex}: add a real one to SAMPLES")
    return "/" + (fmt % values if params else fmt).replace("\\", "")


def not_found_by_design(route: Route) -> bool:
    return (
        route.callback in NOT_FOUND_BY_DESIGN_VIEWS
        or route.name in NOT_FOUND_BY_DESIGN_NAMES
        or route.regex in NOT_FOUND_BY_DESIGN_REGEX
    )


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
    # The PDF is queued, not rendered by a thread that would outlive the test (and hold the database).
    settings.REPORTS_PDF_WORKER = "off"
    call_command("load_programme", str(ROOT / "fixtures" / "per0601011" / "programme.json"), stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())
    get_user_model().objects.create_user("outsider", password="Outsider-2011-x")
    add_samples()


def add_samples() -> None:
    """A row of every model a route of the walk names, where the seed has none: a value of the sample
    quarter with a file and a review, the quarter's state, past versions of the loaded rows, a
    notification, a task, a group, an import log with a refused row, an API token."""
    users = {user.username: user for user in get_user_model().objects.all()}
    programme = Programme.objects.get(code=PROGRAMME)
    value = IndicatorValueFactory(
        indicator=Indicator.objects.get(result__programme=programme, code=INDICATOR),
        year=2011,
        quarter=2,
        value=Decimal("5"),
        status=IndicatorValue.Status.SUBMITTED,
        entered_by=users["staff"],
        evidence=ContentFile(b"%PDF-1.4 acta de la mesa", name="acta.pdf"),
    )
    ValueReview.objects.create(value=value, reviewer=users["reviewer"], action=ValueReview.Action.RETURNED)
    state = QuarterState.objects.create(programme=programme, year=2011, quarter=2)
    state.status = QuarterState.Status.SUBMITTED
    state.save()  # a second version, so that its history has a past one
    # The loader writes without history: one more save of a row leaves a past version for the admin's pages.
    for model in admin.site._registry:
        if hasattr(model, "history") and not history_of_present_rows(model).exists():
            row = model._base_manager.order_by("pk").first()
            if row is not None:
                row.save()
    Notification.objects.create(user=users["staff"], text="2011Q2 devuelto", link="/entry/")
    TaskFactory(activity=Activity.objects.filter(result__programme=programme).order_by("pk").first())
    Group.objects.create(name="Monitores")
    unknown_district = ("999999", "Perú", "Ayacucho", "HUAMANGA", "X", "", 10, "", "")
    beneficiaries_import(
        programme=programme,
        content=workbook_bytes([HEADER, unknown_district]),
        file_name="beneficiarios.xlsx",
        user=users["admin"],
        dry_run=True,
    )
    token_create(user=users["staff"], name="walk")


def client_for(role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    return client


def methods_for(url: str, role: str) -> list[str]:
    if url.startswith("/admin/") and role == "admin":
        return ["GET"]  # an empty POST as a superuser would delete and change through the admin
    # The API's writes are PUTs too (a value): walked so that their permission check is reached.
    return ["GET", "POST", "PUT"] if url.startswith("/api/") else ["GET", "POST"]


def send(client: Client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, {})
    return client.put(url, "{}", content_type="application/json")


@dataclass(frozen=True)
class Answer:
    role: str
    route: Route
    method: str
    status: int
    location: str


def walk(role: str) -> tuple[list[str], list[Answer]]:
    """Every route as ``role``: the problems found, and each answer's status."""
    client = client_for(role)
    user = None if role == "anonymous" else get_user_model().objects.get(username=role)
    failures: list[str] = []
    answers: list[Answer] = []
    for route in all_routes():
        url = sample_url(route)
        methods = methods_for(url, role)
        for method in methods:
            response = send(client, method, url)
            if method == "GET" and response.status_code == 405 and "POST" not in methods:
                methods.append("POST")  # a POST-only admin view: its empty POST is what there is to walk
            answers.append(Answer(role, route, method, response.status_code, response.get("Location", "")))
            where = f"{method} {url} ({route.name or route.regex})"
            if response.status_code >= 500:
                if not (route.name in KNOWN_5XX and url.endswith(".json")):
                    failures.append(f"{where}: {response.status_code}")
                continue
            if role in {"anonymous", "outsider"} and not is_public(route, url):
                short = short_name(route)
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
    return failures, answers


# The answers of each role's walk, kept for the check across roles below: the walk is the slowest test
# here, and each role's is the same whichever test runs it first (the world is built the same way).
_WALKS: dict[str, tuple[list[str], list[Answer]]] = {}


def walked(role: str) -> tuple[list[str], list[Answer]]:
    if role not in _WALKS:
        _WALKS[role] = walk(role)
    return _WALKS[role]


def test_the_walk_sees_every_kind_of_route(world):
    routes = all_routes()
    names = {r.name for r in routes}
    assert len(routes) > 50
    assert {"login", "healthz", "readyz", "home"} <= names
    urls = [sample_url(r) for r in routes]
    assert f"/reports/{PROGRAMME}/2011/" in urls
    assert f"/api/v1/indicators/{INDICATOR}/values/2011Q2/" in urls
    assert f"/api/v1/programmes/{PROGRAMME}/quarters/2011Q2/submit/" in urls
    assert all(url.startswith("/") and "%(" not in url for url in urls)


def test_a_route_without_a_real_sample_is_refused_to_the_walk():
    route = Route(regex=r"things/(?P<thing>[^/]+)/", name="things", callback=lambda request: None)
    with pytest.raises(LookupError, match="no sample for <thing>"):
        sample_url(route)
    row = Route(regex=r"things/(?P<pk>[0-9]+)/", name="things", callback=lambda request: None)
    with pytest.raises(LookupError, match="no model to sample <pk>"):
        sample_url(row)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_url_refuses_outsiders_never_errors_and_serves_csp_clean_pages(world, role):
    failures, _ = walked(role)
    assert not failures, f"{len(failures)} problems as {role}:\n" + "\n".join(failures)


def reached(answer: Answer) -> bool:
    """The view itself answered: not a 404, nor a refusal before it (401, 405, off to log in first). A 403
    counts: it is the view's permission check speaking. Logging out ends on the login page, with no ?next=."""
    if answer.status in {401, 404, 405}:
        return False
    return not (300 <= answer.status < 400 and "login" in answer.location and "next=" in answer.location)


@pytest.mark.slow
def test_no_route_answers_404_to_every_role(world):
    """Otherwise its sample is wrong (the view stops at its lookup, the permission check is never reached)
    or the route is dead."""
    answers = [answer for role in ROLES for answer in walked(role)[1]]
    by_route: dict[Route, list[Answer]] = {}
    for answer in answers:
        by_route.setdefault(answer.route, []).append(answer)
    never_reached = sorted(
        f"{route.name or route.regex}: " + ", ".join(f"{a.role} {a.method} {a.status}" for a in its)
        for route, its in by_route.items()
        if not not_found_by_design(route) and not any(reached(a) for a in its)
    )
    assert not never_reached, "routes no role reaches:\n" + "\n".join(never_reached)
    # The routes allowed to answer only 404 do so, so that the allowance hides nothing else.
    by_design = [its for route, its in by_route.items() if not_found_by_design(route)]
    assert by_design and not any(reached(a) for its in by_design for a in its)


def test_debug_media_route_is_absent_in_production_settings():
    # /media/ is served without a permission check only by the development server (DEBUG on).
    # The URLconf is read once per process, so it is inspected in a fresh one under production settings.
    from tests.production.test_security import production_env

    script = (
        "import django; django.setup();"
        "from tests.production.test_url_walk import all_routes;"
        "print('\\n'.join(route.regex for route in all_routes()))"
    )
    result = run_to_end([sys.executable, "-c", script], cwd=ROOT, env=production_env())
    assert result.returncode == 0, result.stderr
    routes = result.stdout.splitlines()
    assert "healthz" in routes
    assert not [route for route in routes if route.startswith("media/")]


def test_formerly_known_5xx_stay_fixed(world):
    client = client_for("admin")
    routes = [r for r in all_routes() if r.name in FIXED_5XX]
    assert routes
    assert all(client.get(sample_url(route)).status_code < 500 for route in routes)
