"""Pages of quarterly entry: the quarter form, review, value history, audit log, notifications.

Views handle HTTP only: they read through ``indicators.entry.selectors``, write through the
services of ``indicators.entry`` (those the REST API calls too), and turn their typed errors into
messages. Permissions are checked by the service and by ``indicators.permissions`` guards.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cse_monitor.lib.messages import translated
from cse_monitor.lib.spreadsheets import xlsx_response
from indicators import permissions
from indicators.entry.errors import (
    MSG_CONFLICT,
    MSG_INVALID,
    ConflictError,
    EntryError,
    EntryValidationError,
)
from indicators.entry.quarters import MSG_NOT_A_QUARTER, window_error
from indicators.entry.rows import RowKey, key_of, programme_regions
from indicators.entry.selectors import EntryPage, entry_page, review_queue
from indicators.entry.services import quarter_values_save
from indicators.entry.workflow import (
    notifications_mark_read,
    quarter_approve,
    quarter_opening_date_set,
    quarter_reopen,
    quarter_submit,
    value_follow_up_set,
    values_return,
)
from indicators.exports import indicator_tables_workbook
from indicators.forms import FollowUpForm, OpeningDateForm, ReasonForm, RowForm, initial_for
from indicators.models import IndicatorValue, Membership, Notification, Programme, QuarterState, ValueReview
from indicators.periods import InvalidPeriod, Period


@login_required
@require_GET
def entry_home(request: HttpRequest) -> HttpResponse:
    """ "My quarter": the user's programmes with their current and previous quarter."""
    programmes = list(permissions.visible_programmes(request.user))
    current = Period.containing(timezone.localdate())
    rows = [
        {"programme": p, "scope": permissions.scope_for(request.user, p), "periods": [current, current.previous()]}
        for p in programmes
    ]
    for row in rows:
        row["can_review"] = permissions.can_review(row["scope"])
    context = {"rows": rows, "can_audit": permissions.can_view_audit_log(request.user)}
    return render(request, "indicators/entry_home.html", context)


def _programme_and_period(code: str, period_text: str) -> tuple[Programme, Period]:
    programme = get_object_or_404(Programme, code=code)
    try:
        period = Period.parse(period_text)
    except InvalidPeriod as exc:
        raise Http404(str(exc)) from exc
    if period.is_year:
        raise Http404(MSG_NOT_A_QUARTER)
    return programme, period


def _entry_url(programme: Programme, period: Period) -> str:
    return reverse("indicators:entry", args=[programme.code, str(period)])


def _row_forms(page: EntryPage, data=None, files=None) -> dict[RowKey, RowForm]:
    forms = {}
    for row in page.rows:
        forms[row.key] = RowForm(data, files, key=row.key, initial=initial_for(row.value))
    return forms


def _render_entry(request, page: EntryPage, forms, *, conflicts=(), warnings=None, status=200) -> HttpResponse:
    conflict_by_key = {c.key: c for c in conflicts}
    returned = [row.value.pk for row in page.rows if row.value and row.value.status == IndicatorValue.Status.RETURNED]
    reviews: dict[int, list[ValueReview]] = {}
    for review in ValueReview.objects.filter(value_id__in=returned, action=ValueReview.Action.RETURNED):
        reviews.setdefault(review.value_id, []).append(review)
    for row in page.rows:
        row.form = forms[row.key]
        row.conflict = conflict_by_key.get(row.key)
        row.warnings = (warnings or {}).get(row.key, [])
        row.returned_reviews = reviews.get(row.value.pk, [])[-1:] if row.value else []
    context = {
        "page": page,
        "forms": forms,
        "conflicts": conflict_by_key,
        "warnings": warnings or {},
        "can_review": permissions.can_review(page.scope),
        "can_submit": permissions.can_submit(page.scope) and page.editable,
        "reason_form": ReasonForm(),
        "States": QuarterState.Status,
        "Statuses": IndicatorValue.Status,
    }
    return render(request, "indicators/entry.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def quarter_entry(request: HttpRequest, code: str, period: str) -> HttpResponse:
    programme, the_period = _programme_and_period(code, period)
    scope = permissions.access_programme(request.user, programme)
    page = entry_page(programme=programme, period=the_period, scope=scope)
    if request.method == "GET":
        return _render_entry(request, page, _row_forms(page))

    editable_rows = [row for row in page.rows if row.editable]
    if not editable_rows:
        if not page.is_open:
            messages.error(request, _window_message(page))
            return _render_entry(request, page, _row_forms(page), status=409)
        raise PermissionDenied(permissions.MSG_CANNOT_EDIT)
    forms = _row_forms(page, request.POST, request.FILES)
    bound = [forms[row.key] for row in editable_rows]
    if not all(form.is_valid() for form in bound):
        messages.error(request, translated(MSG_INVALID))
        return _render_entry(request, page, forms, status=400)
    try:
        result = quarter_values_save(
            user=request.user, programme=programme, period=the_period, inputs=[f.to_input() for f in bound]
        )
    except ConflictError as exc:
        for conflict in exc.conflicts:
            # Resubmitting deliberately overwrites the version now shown beside the user's own input.
            form = forms[conflict.key]
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = conflict.theirs.version if conflict.theirs else ""
        messages.error(request, translated(MSG_CONFLICT))
        return _render_entry(request, page, forms, conflicts=exc.conflicts, status=409)
    except EntryValidationError as exc:
        for key, row_errors in exc.errors.items():
            if key in forms:
                for message in row_errors:
                    forms[key].add_error(None, translated(message))
        messages.error(request, translated(MSG_INVALID))
        return _render_entry(request, page, forms, status=400)
    except EntryError as exc:
        messages.error(request, translated(exc.message))
        return _render_entry(request, page, forms, status=409)
    messages.success(
        request,
        _("Saved: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    labels = {
        row.key: f"{item.indicator.code} · {row.label}"
        for g in page.groups
        for item in g.indicators
        for row in item.rows
    }
    for key, row_warnings in result.warnings.items():
        for message in row_warnings:
            messages.warning(request, f"{labels.get(key, key)}: {translated(message)}")
    return redirect(_entry_url(programme, the_period))


def _window_message(page: EntryPage) -> str:
    """Why the quarter refuses entry, in the words the service uses when it refuses a save."""
    error = window_error(page.state, page.window)
    return translated(error.message) if error else ""


def _workflow(request, code: str, period: str, action) -> HttpResponse:
    programme, the_period = _programme_and_period(code, period)
    try:
        message = action(programme, the_period)
    except EntryError as exc:
        messages.error(request, translated(exc.message))
    else:
        messages.success(request, message)
    return redirect(request.POST.get("next") or _entry_url(programme, the_period))


@login_required
@require_POST
def submit(request: HttpRequest, code: str, period: str) -> HttpResponse:
    def action(programme, the_period):
        count = quarter_submit(user=request.user, programme=programme, period=the_period)
        return _("%(count)d value(s) submitted for review.") % {"count": count}

    return _workflow(request, code, period, action)


@login_required
@require_POST
def reopen(request: HttpRequest, code: str, period: str) -> HttpResponse:
    def action(programme, the_period):
        quarter_reopen(user=request.user, programme=programme, period=the_period, reason=request.POST.get("reason", ""))
        return _("The quarter is open again for corrections.")

    return _workflow(request, code, period, action)


@login_required
@require_POST
def opening_date(request: HttpRequest, code: str, period: str) -> HttpResponse:
    form = OpeningDateForm(request.POST)

    def action(programme, the_period):
        if not form.is_valid():
            raise EntryError(MSG_BAD_DATE)
        quarter_opening_date_set(
            user=request.user, programme=programme, period=the_period, opens_on=form.cleaned_data["opens_on"]
        )
        return _("Opening date saved.")

    return _workflow(request, code, period, action)


MSG_BAD_DATE = gettext_noop("Enter a date as YYYY-MM-DD.")


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, code: str, period: str) -> HttpResponse:
    programme, the_period = _programme_and_period(code, period)
    scope = permissions.access_programme(request.user, programme)
    permissions.access_review(scope)
    if request.method == "POST":
        if "approve" in request.POST:
            seen = _seen_versions(request.POST)
            return _workflow(
                request,
                code,
                period,
                lambda p, q: (
                    _("%(count)d value(s) approved; the quarter is locked.")
                    % {"count": quarter_approve(user=request.user, programme=p, period=q, seen=seen)}
                ),
            )
        comments = {}
        for name in request.POST:
            if name.startswith("return-"):
                try:
                    pk = int(name.removeprefix("return-"))
                except ValueError:
                    continue
                comments[pk] = request.POST.get(f"comment-{pk}", "")
        return _workflow(
            request,
            code,
            period,
            lambda p, q: (
                _("%(count)d value(s) returned.")
                % {"count": values_return(user=request.user, programme=p, period=q, comments=comments)}
            ),
        )
    page = entry_page(programme=programme, period=the_period, scope=scope)
    return render(request, "indicators/review.html", {"page": page, "Statuses": IndicatorValue.Status})


def _seen_versions(data) -> dict[int, int]:
    """Value id → the version the review page showed (its hidden ``seen-<id>`` fields); malformed ones are dropped."""
    seen = {}
    for name, version in data.items():
        pk = name.removeprefix("seen-")
        numbers = (pk, version)
        if name.startswith("seen-") and all(n.isascii() and n.isdigit() and len(n) <= 18 for n in numbers):
            seen[int(pk)] = int(version)
    return seen


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    programmes = permissions.visible_programmes(request.user, roles=[Membership.Role.REVIEWER, Membership.Role.ADMIN])
    if not programmes.exists():
        raise PermissionDenied(permissions.MSG_CANNOT_REVIEW)
    return render(request, "indicators/review_list.html", {"quarters": review_queue(programmes=programmes)})


def _region_name(value: IndicatorValue) -> str:
    if not value.region:
        return ""
    return programme_regions(value.indicator.result.programme).get(value.region, value.region)


@login_required
@require_GET
def value_history(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(IndicatorValue.objects.select_related("indicator__result__programme", "chain"), pk=pk)
    scope = permissions.access_programme(request.user, value.indicator.result.programme)
    records = list(value.history.select_related("history_user").order_by("-history_date", "-history_id"))
    steps = [(record, records[i + 1] if i + 1 < len(records) else None) for i, record in enumerate(records)]
    reviews = list(value.reviews.select_related("reviewer"))
    return render(
        request,
        "indicators/value_history.html",
        {
            "value": value,
            "steps": steps,
            "reviews": reviews,
            "can_flag": permissions.can_flag(scope),
            "programme": value.indicator.result.programme,
            "row_key": str(key_of(value)),
            "region_name": _region_name(value),
        },
    )


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The means of verification of a value, for members of its programme only."""
    value = get_object_or_404(IndicatorValue.objects.select_related("indicator__result__programme"), pk=pk)
    permissions.access_programme(request.user, value.indicator.result.programme)
    if not value.evidence:
        raise Http404(_("This value has no file."))
    try:
        handle = value.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing.")) from exc
    return FileResponse(handle, as_attachment=True, filename=value.evidence.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(IndicatorValue.objects.select_related("indicator__result__programme"), pk=pk)
    form = FollowUpForm(request.POST)
    form.is_valid()
    value_follow_up_set(user=request.user, value=value, flagged=form.cleaned_data.get("flagged", False))
    messages.success(request, _("Follow-up flag updated."))
    return redirect("indicators:value_history", pk=value.pk)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    permissions.access_audit_log(request.user)
    values = list(
        IndicatorValue.history.select_related("history_user", "indicator").order_by("-history_date", "-history_id")[
            :2000
        ]
    )
    # The old value of each change: the same value's record just before it (None when outside the window read).
    by_value: dict[int, list] = {}
    for record in reversed(values):
        record.before = by_value.get(record.id, [None])[-1]
        by_value.setdefault(record.id, []).append(record)
    states = QuarterState.history.select_related("history_user", "programme").order_by("-history_date")[:500]
    events = sorted(
        [{"kind": "value", "record": r, "date": r.history_date} for r in values]
        + [{"kind": "quarter", "record": r, "date": r.history_date} for r in states],
        key=lambda e: e["date"],
        reverse=True,
    )
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "indicators/audit_log.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("indicators:notifications")
    items = Notification.objects.filter(user=request.user)[:200]
    return render(request, "indicators/notifications.html", {"items": items})


@login_required
@require_GET
def indicator_tables_xlsx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The indicator tables of a year as a workbook (the rows the report prints)."""
    programme = permissions.access_programme_code(request.user, code)
    content = indicator_tables_workbook(programme, permissions.programme_year(programme, year))
    return xlsx_response(content, f"indicadores_{programme.code}_{year}.xlsx")
