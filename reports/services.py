"""Writes of the reports app: narratives and the rest of a report's content (with history), approval
by the EMCL, PDF rendering jobs.

PDF rendering runs outside the request. A job is a ``ReportPdf`` row keyed by the fingerprint
of the report's HTML; a worker claims queued jobs one at a time (``manage.py render_pdfs``,
or a daemon thread the web process starts when ``REPORTS_PDF_WORKER = "thread"``). Chosen over
a task-queue package because it needs no broker and no new dependency, survives restarts (the
queue is a table), and tests stay deterministic: with ``REPORTS_PDF_WORKER = "off"`` a test
runs ``run_pending_pdf_jobs()`` itself, in its own thread, when it wants.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import close_old_connections, models, transaction
from django.utils import timezone

from cse_monitor.lib.messages import Message, gettext_noop, translated
from indicators.models import ActivityRating, Programme, Result
from reports import pdf as pdf_engine
from reports.models import (
    EmclDecision,
    LessonLearned,
    NarrativeSection,
    QualityCriterion,
    Recommendation,
    Report,
    ReportPdf,
    ReportSnapshot,
    Risk,
)
from reports.rendering import fingerprint, report_document
from reports.selectors import annual_report
from reports.snapshots import current_snapshot, live_document, sha256_text, snapshot_language

logger = logging.getLogger(__name__)

MSG_APPROVED_LOCKED = gettext_noop("This report was approved by the EMCL: its content can no longer be edited.")
MSG_ALREADY_APPROVED = gettext_noop("This report is already approved.")
MSG_NOT_APPROVED = gettext_noop("This report is not approved: there is nothing to reopen.")
MSG_REASON_REQUIRED = gettext_noop("Say why the approved report is reopened.")
MSG_REASON_TOO_LONG = gettext_noop("The reason is too long ({length} characters, at most {limit}).")
MSG_YEAR_OUTSIDE = gettext_noop("{year} is not a year of the programme {code}, which runs from {first} to {last}.")
MSG_NO_YEARS = gettext_noop("The programme {code} has no start date recorded: it has no annual report yet.")
MSG_PDF_CHECKSUM = gettext_noop("The approved PDF on file does not match its checksum.")
MSG_NO_SNAPSHOT_PDF = gettext_noop(
    "This report was approved before approved reports were stored whole, and no PDF was frozen then: "
    "reopen it and approve it again."
)
MSG_FUTURE_SESSION = gettext_noop("The EMCL session date cannot be in the future.")
MSG_UNKNOWN_SECTION = gettext_noop("Unknown narrative section.")
MSG_RESULT_NOT_IN_PROGRAMME = gettext_noop("This result does not belong to the programme.")
MSG_RESULT_REQUIRED = gettext_noop("This section is written per result: choose the result.")
MSG_TEXT_TOO_LONG = gettext_noop("The text is too long ({length} characters, at most {limit}).")
MSG_CHANGE_REASON_TOO_LONG = gettext_noop(
    "The reason for the change is too long ({length} characters, at most {limit})."
)

NARRATIVE_MAX_CHARS = 50_000
REOPEN_REASON_MAX_CHARS = 2_000
CHANGE_REASON_MAX_CHARS = 2_000
PER_RESULT_KEYS = {NarrativeSection.Key.RESULT_ANALYSIS}
STALE_AFTER = timedelta(minutes=10)


# ---------------------------------------------------------------------------------------------
# Narratives


def year_outside_message(programme: Programme, year: int) -> Message:
    """Why ``year`` has no report: the programme's years, or that it has none (``translated()`` where shown)."""
    years = programme.years
    if not years:
        return Message(MSG_NO_YEARS, code=programme.code)
    return Message(MSG_YEAR_OUTSIDE, year=year, code=programme.code, first=years[0], last=years[-1])


def check_report_year(programme: Programme, year: int) -> None:
    """ValidationError unless ``year`` is a year of the programme's life (``Programme.years``)."""
    if year not in programme.years:
        raise ValidationError(year_outside_message(programme, year), code="year_outside_programme")


def report_is_locked(programme: Programme, year: int) -> bool:
    return Report.objects.filter(programme=programme, year=year, status=Report.Status.APPROVED).exists()


@transaction.atomic
def narrative_update(
    *, programme: Programme, year: int, key: str, text: str, user, result: Result | None = None
) -> NarrativeSection:
    """Create or change one narrative section; every change is a history record with its author."""
    if key not in NarrativeSection.Key.values:
        raise ValidationError(MSG_UNKNOWN_SECTION)
    if result is not None and result.programme_id != programme.pk:
        raise ValidationError(MSG_RESULT_NOT_IN_PROGRAMME)
    if key in PER_RESULT_KEYS and result is None:
        raise ValidationError(MSG_RESULT_REQUIRED)
    if key not in PER_RESULT_KEYS:
        result = None
    if len(text) > NARRATIVE_MAX_CHARS:
        raise ValidationError(Message(MSG_TEXT_TOO_LONG, length=len(text), limit=NARRATIVE_MAX_CHARS))
    check_report_year(programme, year)
    if report_is_locked(programme, year):
        raise ValidationError(MSG_APPROVED_LOCKED)
    section = (
        NarrativeSection.objects.select_for_update()
        .filter(programme=programme, year=year, key=key, result=result)
        .first()
    )
    if section is None:
        section = NarrativeSection(programme=programme, year=year, key=key, result=result)
    elif section.text == text:
        return section
    section.text = text.replace("\r\n", "\n")
    section._history_user = user
    section.save()
    return section


# ---------------------------------------------------------------------------------------------
# The rest of the report's content: risks, quality criteria, recommendations, EMCL decisions,
# lessons learned and activity ratings (3.3.2). Each row belongs to the report of one programme
# and year, reached through this path to its programme.

REPORT_CONTENT_PROGRAMME = {
    Risk: "result__programme",
    QualityCriterion: "result__programme",
    Recommendation: "result__programme",
    EmclDecision: "programme",
    LessonLearned: "programme",
    ActivityRating: "activity__result__programme",
}


def _content_path(model: type[models.Model]) -> str:
    try:
        return REPORT_CONTENT_PROGRAMME[model]
    except KeyError:
        raise TypeError(f"{model.__name__} is not report content") from None


def _content_programme_id(instance: models.Model) -> int | None:
    """The programme of the item's report; None when the row it hangs from no longer exists (a past version)."""
    first, _, rest = _content_path(type(instance)).partition("__")
    field = instance._meta.get_field(first)
    related_id = getattr(instance, field.attname)
    if not rest:
        return related_id
    return field.related_model._default_manager.filter(pk=related_id).values_list(f"{rest}_id", flat=True).first()


def _content_scopes(instance: models.Model) -> set[tuple[int, int]]:
    """The (programme id, year) of the reports showing ``instance``: as it is now, and as stored."""
    scopes = {(_content_programme_id(instance), instance.year)}
    if instance.pk is not None:
        path = _content_path(type(instance))
        scopes.update(type(instance)._default_manager.filter(pk=instance.pk).values_list(f"{path}_id", "year"))
    return scopes


def _approved(scopes: set[tuple[int, int]], *, lock: bool = False) -> bool:
    matches = models.Q()
    for programme_id, year in scopes:
        matches |= models.Q(programme_id=programme_id, year=year)
    reports = Report.objects.filter(matches)
    if lock:
        # Waits for an approval under way (report_approve locks the row too): a change lands
        # before the snapshot is taken, or is refused.
        reports = reports.select_for_update()
    return any(status == Report.Status.APPROVED for status in reports.values_list("status", flat=True))


def report_content_is_locked(instance: models.Model) -> bool:
    """True when the report of the item's programme and year (as it is, or as stored) is approved."""
    return _approved(_content_scopes(instance))


def check_report_content_unlocked(instance: models.Model, *, lock: bool = False) -> None:
    """ValidationError (the narratives' message) when the item, as it is or as stored, is an approved report's."""
    if _approved(_content_scopes(instance), lock=lock):
        raise ValidationError(MSG_APPROVED_LOCKED, code="approved_locked")


def check_report_content_save(instance: models.Model, *, lock: bool = False) -> None:
    """ValidationError unless the item may be saved: a year of its programme, and no approved report's."""
    programme = Programme.objects.filter(pk=_content_programme_id(instance)).first()
    if programme is not None:  # otherwise the item's own foreign key is the error (full_clean, the form)
        check_report_year(programme, instance.year)
    check_report_content_unlocked(instance, lock=lock)


def _change_reason(reason: str) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > CHANGE_REASON_MAX_CHARS:
        raise ValidationError(
            Message(MSG_CHANGE_REASON_TOO_LONG, length=len(reason), limit=CHANGE_REASON_MAX_CHARS),
            code="max_length",
        )
    return reason or None


def _unchanged(instance: models.Model) -> bool:
    if instance.pk is None:
        return False
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return False
    fields = [f.attname for f in instance._meta.concrete_fields if not getattr(f, "auto_now", False)]
    return all(getattr(stored, name) == getattr(instance, name) for name in fields)


@transaction.atomic
def report_content_save(*, instance: models.Model, user, reason: str = "") -> models.Model:
    """Create or change one item of a report's content; refused while its report is approved.

    The item is checked as it is and as stored, so it cannot be moved into or out of an approved
    year either. Every change is a history record with its author and ``reason``; saving an item
    unchanged writes nothing.
    """
    _content_path(type(instance))
    change_reason = _change_reason(reason)
    instance.full_clean()
    check_report_content_save(instance, lock=True)
    if _unchanged(instance):
        return instance
    instance._history_user = user
    instance._change_reason = change_reason
    instance.save()
    return instance


@transaction.atomic
def report_content_delete(*, instance: models.Model, user, reason: str = "") -> None:
    """Delete one item of a report's content; refused while its report is approved. The history keeps it."""
    _content_path(type(instance))
    change_reason = _change_reason(reason)
    check_report_content_unlocked(instance, lock=True)
    instance._history_user = user
    instance._change_reason = change_reason
    instance.delete()


@transaction.atomic
def report_content_delete_many(*, instances, user, reason: str = "") -> int:
    """Delete several items of report content, all or none: one of an approved report refuses them all."""
    deleted = 0
    for instance in instances:
        report_content_delete(instance=instance, user=user, reason=reason)
        deleted += 1
    return deleted


# ---------------------------------------------------------------------------------------------
# PDF jobs


@dataclass(frozen=True)
class PdfState:
    """What the PDF URL answers: a file to send (``content``) or a job still running."""

    job: ReportPdf | None
    content: bytes | None = None
    sha256: str = ""
    frozen: bool = False

    @property
    def ready(self) -> bool:
        return self.content is not None


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def current_document(programme: Programme, year: int) -> tuple[str, str]:
    """The report's document HTML for the current data and its fingerprint."""
    html = report_document(annual_report(programme, year))
    return html, fingerprint(html)


def _enqueue(programme: Programme, year: int, html: str, digest: str, *, freeze: bool = False) -> ReportPdf:
    check_report_year(programme, year)
    job, created = ReportPdf.objects.get_or_create(
        programme=programme, year=year, fingerprint=digest, defaults={"html": html, "freeze": freeze}
    )
    updates: dict = {}
    if freeze and not job.freeze:
        updates["freeze"] = True
    if job.status == ReportPdf.Status.FAILED:
        updates.update(status=ReportPdf.Status.QUEUED, progress=0)
    if updates:
        ReportPdf.objects.filter(pk=job.pk).update(**updates)
        job.refresh_from_db()
    return job


def pdf_request(programme: Programme, year: int) -> PdfState:
    """The PDF of a report: the approved snapshot's, a cached one for the current data, or a queued job.

    An approved report's PDF is printed from its snapshot, never from the data as it is now.
    """
    check_report_year(programme, year)
    snapshot = current_snapshot(programme, year)
    if snapshot is not None:
        return _snapshot_pdf(snapshot)
    # While a rendering is under way, polling the progress costs one query, not a report build.
    in_flight = (
        ReportPdf.objects.filter(
            programme=programme,
            year=year,
            status__in=[ReportPdf.Status.QUEUED, ReportPdf.Status.RENDERING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if in_flight is not None:
        start_worker()
        return PdfState(in_flight)
    html, digest = current_document(programme, year)
    job = _enqueue(programme, year, html, digest)
    if job.status == ReportPdf.Status.DONE and job.file:
        with job.file.open("rb") as handle:
            content = handle.read()
        return PdfState(job, content, job.sha256)
    start_worker()
    return PdfState(job)


def _claim_next() -> ReportPdf | None:
    """Atomically take the oldest queued job (or a job stuck rendering for too long)."""
    stale = timezone.now() - STALE_AFTER
    ReportPdf.objects.filter(status=ReportPdf.Status.RENDERING, started_at__lt=stale).update(
        status=ReportPdf.Status.QUEUED
    )
    for job_id in (
        ReportPdf.objects.filter(status=ReportPdf.Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:10]
    ):
        claimed = ReportPdf.objects.filter(pk=job_id, status=ReportPdf.Status.QUEUED).update(
            status=ReportPdf.Status.RENDERING, started_at=timezone.now(), progress=5, error=""
        )
        if claimed:
            return ReportPdf.objects.get(pk=job_id)
    return None


def _snapshot_pdf(snapshot: ReportSnapshot) -> PdfState:
    """The approved PDF: the snapshot's file, checked against its checksum, or the job printing it."""
    report = snapshot.report
    if snapshot.pdf:
        with snapshot.pdf.open("rb") as handle:
            content = handle.read()
        if _sha256(content) != snapshot.pdf_sha256:
            logger.error("Approved PDF of %s %s does not match its SHA-256", report.programme.code, report.year)
            raise ValidationError(MSG_PDF_CHECKSUM)
        return PdfState(None, content, snapshot.pdf_sha256, frozen=True)
    if not snapshot.html:
        raise ValidationError(MSG_NO_SNAPSHOT_PDF)
    job = _enqueue(report.programme, report.year, snapshot.html, snapshot.fingerprint, freeze=True)
    if job.status == ReportPdf.Status.DONE and job.file:
        _attach_pdf(job)
        snapshot.refresh_from_db()
        return _snapshot_pdf(snapshot)
    start_worker()
    return PdfState(job)


def _attach_pdf(job: ReportPdf) -> None:
    """Give the job's PDF to every snapshot printed from the same document that has none yet (a copy each)."""
    snapshots = ReportSnapshot.objects.filter(
        report__programme_id=job.programme_id, report__year=job.year, fingerprint=job.fingerprint, pdf=""
    ).select_related("report__programme")
    for snapshot in snapshots:
        with job.file.open("rb") as handle:
            content = handle.read()
        name = f"{snapshot.report.programme.code}-{snapshot.report.year}-approved-{snapshot.pk}.pdf"
        snapshot.pdf.save(name, ContentFile(content), save=False)
        snapshot.pdf_sha256 = _sha256(content)
        snapshot.save(update_fields=["pdf", "pdf_sha256"])


def run_pdf_job(job: ReportPdf) -> ReportPdf:
    """Render one claimed job; records progress, the file, its SHA-256 and page count, or the error."""

    def progress(value: int) -> None:
        ReportPdf.objects.filter(pk=job.pk).update(progress=min(value, 99))

    if job.year not in job.programme.years:
        # Queued before the year check existed, or the programme's dates changed since: no report.
        ReportPdf.objects.filter(pk=job.pk).update(
            status=ReportPdf.Status.FAILED,
            error=translated(year_outside_message(job.programme, job.year)),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    try:
        rendered = pdf_engine.render_pdf(job.html, progress)
    except Exception as exc:  # any rendering failure is recorded on the job, not raised in a thread
        logger.exception("PDF rendering failed for job %s", job.pk)
        ReportPdf.objects.filter(pk=job.pk).update(
            status=ReportPdf.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    job.file.save(f"{job.programme.code}-{job.year}-{job.fingerprint[:16]}.pdf", ContentFile(rendered.content), False)
    job.sha256 = _sha256(rendered.content)
    job.pages = rendered.pages
    job.status = ReportPdf.Status.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "sha256", "pages", "status", "progress", "finished_at"])
    if job.freeze:
        _attach_pdf(job)
    return job


def run_pending_pdf_jobs(limit: int | None = None) -> int:
    """Render queued jobs until none is left (or ``limit``); returns how many were rendered."""
    done = 0
    while limit is None or done < limit:
        job = _claim_next()
        if job is None:
            break
        run_pdf_job(job)
        done += 1
    return done


_worker_lock = threading.Lock()


def start_worker() -> bool:
    """Start the in-process worker thread unless one runs or ``REPORTS_PDF_WORKER`` is not "thread"."""
    if getattr(settings, "REPORTS_PDF_WORKER", "thread") != "thread":
        return False
    if not _worker_lock.acquire(blocking=False):
        return False

    def work() -> None:
        try:
            run_pending_pdf_jobs()
        finally:
            close_old_connections()
            _worker_lock.release()

    threading.Thread(target=work, name="report-pdf-worker", daemon=True).start()
    return True


# ---------------------------------------------------------------------------------------------
# Approval


@transaction.atomic
def report_approve(*, programme: Programme, year: int, session_date: date, user) -> Report:
    """Approve the report in the EMCL session of ``session_date`` and freeze it whole.

    The document HTML of the approved report (cover included) is stored as its snapshot with its
    SHA-256; the PDF is printed from that HTML, now if an identical document was printed before,
    otherwise by the PDF worker. The web page and the PDF of the report come from the snapshot
    from then on, whatever the data does.
    """
    check_report_year(programme, year)
    if session_date > timezone.localdate():
        raise ValidationError(MSG_FUTURE_SESSION)
    report, _created = Report.objects.select_for_update().get_or_create(programme=programme, year=year)
    if report.status == Report.Status.APPROVED:
        raise ValidationError(MSG_ALREADY_APPROVED)
    report.status = Report.Status.APPROVED
    report.emcl_session_date = session_date
    report.approved_by = user
    report.approved_at = timezone.now()
    report._history_user = user
    report.save()
    # Built after the save: the approved state and the session's date print on the cover.
    language = snapshot_language()
    html = live_document(programme, year, language)
    snapshot = ReportSnapshot.objects.create(
        report=report,
        html=html,
        html_sha256=sha256_text(html),
        fingerprint=fingerprint(html),
        language=language,
        emcl_session_date=session_date,
        approved_by=user,
        approved_at=report.approved_at,
    )
    job = _enqueue(programme, year, snapshot.html, snapshot.fingerprint, freeze=True)
    if job.status == ReportPdf.Status.DONE and job.file:
        _attach_pdf(job)
    else:
        transaction.on_commit(start_worker)
    return report


@transaction.atomic
def report_reopen(*, programme: Programme, year: int, reason: str, user) -> Report:
    """Set an approved report back to draft, for ``reason``; the history records who, when and why.

    The snapshot of the approval is kept, marked superseded, for audit. A later approval makes a
    new snapshot (and PDF) carrying its own session date.
    """
    check_report_year(programme, year)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(MSG_REASON_REQUIRED, code="required")
    if len(reason) > REOPEN_REASON_MAX_CHARS:
        raise ValidationError(
            Message(MSG_REASON_TOO_LONG, length=len(reason), limit=REOPEN_REASON_MAX_CHARS), code="max_length"
        )
    report = Report.objects.select_for_update().filter(programme=programme, year=year).first()
    if report is None or report.status != Report.Status.APPROVED:
        raise ValidationError(MSG_NOT_APPROVED, code="not_approved")
    now = timezone.now()
    ReportSnapshot.objects.filter(report=report, superseded_at__isnull=True).update(
        superseded_at=now, superseded_by=user, superseded_reason=reason
    )
    report.status = Report.Status.DRAFT
    report.emcl_session_date = None
    report.approved_by = None
    report.approved_at = None
    report._history_user = user
    report._change_reason = reason
    report.save()
    return report
