"""Writes of the reports app: narratives (with history), approval by the EMCL, PDF rendering jobs.

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
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Programme, Result
from reports import pdf as pdf_engine
from reports.models import NarrativeSection, Report, ReportPdf
from reports.rendering import fingerprint, report_document
from reports.selectors import annual_report

logger = logging.getLogger(__name__)

MSG_APPROVED_LOCKED = gettext_lazy("This report was approved by the EMCL: its content can no longer be edited.")
MSG_ALREADY_APPROVED = gettext_lazy("This report is already approved.")
MSG_FUTURE_SESSION = gettext_lazy("The EMCL session date cannot be in the future.")
MSG_UNKNOWN_SECTION = gettext_lazy("Unknown narrative section.")
MSG_RESULT_NOT_IN_PROGRAMME = gettext_lazy("This result does not belong to the programme.")
MSG_RESULT_REQUIRED = gettext_lazy("This section is written per result: choose the result.")
MSG_TEXT_TOO_LONG = gettext_lazy("The text is too long ({length} characters, at most {limit}).")

NARRATIVE_MAX_CHARS = 50_000
PER_RESULT_KEYS = {NarrativeSection.Key.RESULT_ANALYSIS}
STALE_AFTER = timedelta(minutes=10)


# ---------------------------------------------------------------------------------------------
# Narratives


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
        raise ValidationError(str(MSG_TEXT_TOO_LONG).format(length=len(text), limit=NARRATIVE_MAX_CHARS))
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
    """The PDF of a report: the frozen one if approved, a cached one for the current data, or a queued job."""
    report = Report.objects.filter(programme=programme, year=year).first()
    if report and report.status == Report.Status.APPROVED and report.frozen_pdf:
        with report.frozen_pdf.open("rb") as handle:
            content = handle.read()
        if _sha256(content) != report.frozen_pdf_sha256:
            logger.error("Frozen PDF of %s %s does not match its SHA-256", programme.code, year)
            raise ValidationError(_("The approved PDF on file does not match its checksum."))
        return PdfState(None, content, report.frozen_pdf_sha256, frozen=True)
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
    freeze = bool(report and report.status == Report.Status.APPROVED)
    job = _enqueue(programme, year, html, digest, freeze=freeze)
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


def _freeze(report: Report, job: ReportPdf) -> None:
    """Store the job's PDF as the approved PDF, with its checksum; never overwrites a frozen PDF."""
    if report.frozen_pdf:
        return
    with job.file.open("rb") as handle:
        content = handle.read()
    report.frozen_pdf.save(f"{report.programme.code}-{report.year}-approved.pdf", ContentFile(content), save=False)
    report.frozen_pdf_sha256 = _sha256(content)
    report.save(update_fields=["frozen_pdf", "frozen_pdf_sha256"])


def run_pdf_job(job: ReportPdf) -> ReportPdf:
    """Render one claimed job; records progress, the file, its SHA-256 and page count, or the error."""

    def progress(value: int) -> None:
        ReportPdf.objects.filter(pk=job.pk).update(progress=min(value, 99))

    try:
        rendered = pdf_engine.render_pdf(job.html, progress)
    except Exception as exc:  # noqa: BLE001 - any rendering failure is recorded on the job, not raised in a thread
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
        report = Report.objects.filter(
            programme_id=job.programme_id, year=job.year, status=Report.Status.APPROVED
        ).first()
        if report:
            _freeze(report, job)
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
    """Mark the report approved by the EMCL in the session of ``session_date`` and freeze its PDF.

    The PDF frozen is the one of the data at approval: if it is already rendered it is stored
    now, otherwise the queued job stores it when done. Later data changes do not change it.
    """
    if session_date > timezone.localdate():
        raise ValidationError(MSG_FUTURE_SESSION)
    report, _created = Report.objects.select_for_update().get_or_create(programme=programme, year=year)
    if report.status == Report.Status.APPROVED:
        raise ValidationError(MSG_ALREADY_APPROVED)
    report.status = Report.Status.APPROVED
    report.emcl_session_date = session_date
    report.approved_by = user
    report.approved_at = timezone.now()
    report.save()
    # The approved state shows on the cover: fingerprint the HTML as it reads once approved.
    html, digest = current_document(programme, year)
    job = _enqueue(programme, year, html, digest, freeze=True)
    if job.status == ReportPdf.Status.DONE and job.file:
        _freeze(report, job)
    else:
        transaction.on_commit(start_worker)
    return report
