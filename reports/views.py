"""Report pages: the annual report (HTML and PDF), its narratives editor and its approval. HTTP only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.models import Programme, Result
from reports import access, services
from reports.models import NarrativeSection, ReportPdf
from reports.rendering import report_body
from reports.selectors import annual_report

RETRY_AFTER_SECONDS = 3
MIN_YEAR, MAX_YEAR = 1990, 2100


def _programme_year(code: str, year: int) -> Programme:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("No report for this year."))
    return get_object_or_404(Programme, code=code)


def _wants_html(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept


class ApproveForm(forms.Form):
    session_date = forms.DateField(
        label=gettext_lazy("Date of the EMCL session"), widget=forms.DateInput({"type": "date"})
    )


class NarrativeForm(forms.Form):
    key = forms.ChoiceField(choices=NarrativeSection.Key.choices)
    result = forms.IntegerField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea, max_length=services.NARRATIVE_MAX_CHARS, strip=False)


@login_required
@require_GET
def report_html(request: HttpRequest, code: str, year: int) -> HttpResponse:
    programme = _programme_year(code, year)
    scope = access.access_report(request.user, programme)
    report = annual_report(programme, year)
    return render(
        request,
        "reports/report_page.html",
        {
            "r": report,
            "body": report_body(report),
            "can_edit": access.can_edit_narratives(scope),
            "can_approve": access.can_approve(scope) and not report.is_approved,
            "approve_form": ApproveForm(),
        },
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest, code: str, year: int) -> HttpResponse:
    programme = _programme_year(code, year)
    access.access_report(request.user, programme)
    try:
        state = services.pdf_request(programme, year)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")
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
def narratives(request: HttpRequest, code: str, year: int) -> HttpResponse:
    programme = _programme_year(code, year)
    scope = access.access_report(request.user, programme)
    access.access_narrative_edit(scope)
    results = list(Result.objects.filter(programme=programme).order_by("order", "code"))
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            result = None
            if form.cleaned_data["result"]:
                result = next((r for r in results if r.pk == form.cleaned_data["result"]), None)
                if result is None:
                    form.add_error(None, services.MSG_RESULT_NOT_IN_PROGRAMME)
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
                    form.add_error(None, exc)
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
def approve(request: HttpRequest, code: str, year: int) -> HttpResponse:
    programme = _programme_year(code, year)
    scope = access.access_report(request.user, programme)
    access.access_approve(scope)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.report_approve(
                programme=programme, year=year, session_date=form.cleaned_data["session_date"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report is approved; its PDF is frozen."))
    else:
        messages.error(request, _("Enter the date of the EMCL session."))
    return redirect("reports:report", code=programme.code, year=year)
