"""Report pages: the annual report (HTML and PDF), its narratives editor, its approval and reopening. HTTP only.

A report exists for each year of the programme's life (``Programme.years``); any other year is
a 404 that lists the years there are. An approved report is read from its snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cse_monitor.lib.messages import translated, translated_messages
from indicators.models import Programme, Result
from indicators.permissions import Scope
from reports import access, services, snapshots
from reports.models import NarrativeSection, ReportPdf
from reports.rendering import report_body
from reports.selectors import annual_report

RETRY_AFTER_SECONDS = 3
MAX_CHANGES_SHOWN = 500


def _wants_html(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept


def year_not_found(request: HttpRequest, programme: Programme, year: int, *, json: bool = False) -> HttpResponse:
    """404 for a year outside the programme's life, naming (and linking) the years that have a report."""
    message = translated(services.year_outside_message(programme, year))
    years = list(programme.years)
    if json:
        body = {"error": {"status": 404, "code": "not_found", "message": message, "years": years}}
        return JsonResponse(body, status=404)
    context = {"programme": programme, "year": year, "years": years, "message": message}
    return render(request, "reports/year_not_found.html", context, status=404)


def report_view(view: Callable | None = None, *, json_404: bool = False) -> Callable:
    """The programme and the reader's scope for a report URL; 403 for non-members, 404 for a year without report.

    With ``json_404`` a client that does not ask for HTML gets the 404 as JSON (the PDF URL's polling clients).
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, year: int) -> HttpResponse:
            programme = get_object_or_404(Programme, code=code)
            scope = access.access_report(request.user, programme)
            if year not in programme.years:
                return year_not_found(request, programme, year, json=json_404 and not _wants_html(request))
            return view(request, programme, scope, year)

        return wrapper

    return decorate(view) if view is not None else decorate


class ApproveForm(forms.Form):
    session_date = forms.DateField(
        label=gettext_lazy("Date of the EMCL session"), widget=forms.DateInput({"type": "date"})
    )


class NarrativeForm(forms.Form):
    key = forms.ChoiceField(choices=NarrativeSection.Key.choices)
    result = forms.IntegerField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea, max_length=services.NARRATIVE_MAX_CHARS, strip=False)


class ReopenForm(forms.Form):
    # The service says what a reason must be (present, not too long): one rule, one message.
    reason = forms.CharField(
        label=gettext_lazy("Why is the approved report reopened?"),
        widget=forms.Textarea({"rows": 4}),
        required=False,
        strip=False,
    )


def _toolbar(programme: Programme, scope: Scope, year: int, approved: bool) -> dict:
    return {
        "programme": programme,
        "year": year,
        "approved": approved,
        "can_edit": access.can_edit_narratives(scope) and not approved,
        "can_approve": access.can_approve(scope) and not approved,
        "can_reopen": access.can_reopen(scope) and approved,
        "approve_form": ApproveForm(),
        "history": snapshots.approval_history(programme, year),
    }


@login_required
@require_GET
@report_view
def report_html(request: HttpRequest, programme: Programme, scope: Scope, year: int) -> HttpResponse:
    snapshot = snapshots.current_snapshot(programme, year)
    context = _toolbar(programme, scope, year, approved=snapshot is not None)
    if snapshot is not None:
        # The approved report as stored; the live data is built only to tell whether it moved on.
        context.update(
            snapshot=snapshot,
            body=snapshots.snapshot_body(snapshot),
            newer_data=snapshots.has_newer_data(snapshot),
            other_language=snapshot.language != (get_language() or snapshot.language),
        )
    else:
        report = annual_report(programme, year)
        context.update(r=report, body=report_body(report))
    return render(request, "reports/report_page.html", context)


@login_required
@require_GET
@report_view
def report_changes(request: HttpRequest, programme: Programme, scope: Scope, year: int) -> HttpResponse:
    """What differs between the approved report and the report the data gives today: visible lines, old → new."""
    snapshot = snapshots.current_snapshot(programme, year)
    changes = snapshots.snapshot_changes(snapshot) if snapshot is not None else []
    return render(
        request,
        "reports/changes.html",
        {
            "programme": programme,
            "year": year,
            "snapshot": snapshot,
            "changes": changes[:MAX_CHANGES_SHOWN],
            "more": max(0, len(changes) - MAX_CHANGES_SHOWN),
        },
    )


@login_required
@require_GET
@report_view(json_404=True)
def report_pdf(request: HttpRequest, programme: Programme, scope: Scope, year: int) -> HttpResponse:
    try:
        state = services.pdf_request(programme, year)
    except ValidationError as exc:
        return HttpResponse(" ".join(translated_messages(exc)), status=409, content_type="text/plain; charset=utf-8")
    if state.ready:
        response = HttpResponse(state.content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{programme.code}-{year}.pdf"'
        response["ETag"] = f'"{state.sha256}"'
        response["X-Content-SHA256"] = state.sha256
        response["Cache-Control"] = "private, no-cache"
        return response
    job = state.job
    if _wants_html(request):
        response = render(
            request,
            "reports/pdf_progress.html",
            {
                "programme": programme,
                "year": year,
                "job": job,
                "retry": RETRY_AFTER_SECONDS,
                "failed": job.status == ReportPdf.Status.FAILED,
            },
            status=202,
        )
    else:
        response = JsonResponse(
            {"status": job.status, "progress": job.progress, "retry_after": RETRY_AFTER_SECONDS}, status=202
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@report_view
def narratives(request: HttpRequest, programme: Programme, scope: Scope, year: int) -> HttpResponse:
    access.access_narrative_edit(scope)
    results = list(Result.objects.filter(programme=programme).order_by("order", "code"))
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            result = None
            if form.cleaned_data["result"]:
                result = next((r for r in results if r.pk == form.cleaned_data["result"]), None)
                if result is None:
                    form.add_error(None, translated(services.MSG_RESULT_NOT_IN_PROGRAMME))
            if not form.errors:
                try:
                    services.narrative_update(
                        programme=programme,
                        year=year,
                        key=form.cleaned_data["key"],
                        result=result,
                        text=form.cleaned_data["text"],
                        user=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, translated_messages(exc))
                else:
                    messages.success(request, _("Section saved."))
                    return redirect("reports:narratives", code=programme.code, year=year)
        status = 400
    else:
        form, status = None, 200
    sections = {(n.key, n.result_id): n for n in NarrativeSection.objects.filter(programme=programme, year=year)}
    rows = []
    for key, label in NarrativeSection.Key.choices:
        targets = results if key in services.PER_RESULT_KEYS else [None]
        for result in targets:
            section = sections.get((key, result.pk if result else None))
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "result": result,
                    "section": section,
                    "history": list(section.history.select_related("history_user").order_by("-history_date")[:5])
                    if section
                    else [],
                }
            )
    return render(
        request,
        "reports/narratives.html",
        {
            "programme": programme,
            "year": year,
            "rows": rows,
            "form": form,
            "locked": services.report_is_locked(programme, year),
        },
        status=status,
    )


@login_required
@require_POST
@report_view
def approve(request: HttpRequest, programme: Programme, scope: Scope, year: int) -> HttpResponse:
    access.access_approve(scope)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.report_approve(
                programme=programme, year=year, session_date=form.cleaned_data["session_date"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(translated_messages(exc)))
        else:
            messages.success(request, _("The report is approved: its page and its PDF are frozen as approved."))
    else:
        messages.error(request, _("Enter the date of the EMCL session."))
    return redirect("reports:report", code=programme.code, year=year)


@login_required
@require_http_methods(["GET", "POST"])
@report_view
def reopen(request: HttpRequest, programme: Programme, scope: Scope, year: int) -> HttpResponse:
    """Set an approved report back to draft: an act of its own, with a reason, recorded in the history."""
    access.access_reopen(scope)
    snapshot = snapshots.current_snapshot(programme, year)
    if snapshot is None:
        messages.info(request, translated(services.MSG_NOT_APPROVED))
        return redirect("reports:report", code=programme.code, year=year)
    status = 200
    if request.method == "POST":
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.report_reopen(
                    programme=programme, year=year, reason=form.cleaned_data["reason"], user=request.user
                )
            except ValidationError as exc:
                form.add_error("reason", translated_messages(exc))
            else:
                messages.success(request, _("The report is reopened: it shows the data as it is now."))
                return redirect("reports:report", code=programme.code, year=year)
        status = 400
    else:
        form = ReopenForm()
    return render(
        request,
        "reports/reopen.html",
        {"programme": programme, "year": year, "snapshot": snapshot, "form": form},
        status=status,
    )
