"""Reads of the approved report: its snapshot in force, the body the web page shows, and what changed since.

An approved report is read from its snapshot only. The live document is built here for one
purpose: to tell the reader that newer data exists and to list the difference.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import translation

from indicators.models import Programme
from reports.models import Report, ReportSnapshot
from reports.rendering import report_document
from reports.selectors import annual_report
from reports.textdiff import Change, changed_lines

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)


def snapshot_language() -> str:
    """The language an approved report is frozen in: the application's first language (Spanish)."""
    return settings.LANGUAGE_CODE


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def live_document(programme: Programme, year: int, language: str | None = None) -> str:
    """The report's document HTML from the data as it is now, in ``language`` (default: the snapshot's)."""
    with translation.override(language or snapshot_language()):
        return report_document(annual_report(programme, year))


def current_snapshot(programme: Programme, year: int) -> ReportSnapshot | None:
    """The snapshot of the report's approval in force; None for a draft."""
    return (
        ReportSnapshot.objects.filter(
            report__programme=programme,
            report__year=year,
            report__status=Report.Status.APPROVED,
            superseded_at__isnull=True,
        )
        .select_related("report", "approved_by")
        .first()
    )


def snapshot_body(snapshot: ReportSnapshot) -> str:
    """The body of the snapshot's document, byte for byte as stored ("" for an approval without HTML)."""
    match = _BODY.search(snapshot.html)
    return match.group(1) if match else ""


def has_newer_data(snapshot: ReportSnapshot) -> bool:
    """True when the report built from today's data differs from the approved one."""
    if not snapshot.html:
        return False
    report = snapshot.report
    return sha256_text(live_document(report.programme, report.year, snapshot.language)) != snapshot.html_sha256


def snapshot_changes(snapshot: ReportSnapshot) -> list[Change]:
    """The lines of visible text that differ between the approved document and today's, old → new."""
    if not snapshot.html:
        return []
    report = snapshot.report
    return changed_lines(snapshot.html, live_document(report.programme, report.year, snapshot.language))


@dataclass(frozen=True)
class ApprovalEvent:
    """An approval or a reopening of the report, from its history."""

    kind: str  # Report.Status.APPROVED ("approved") or Report.Status.DRAFT (reopened)
    at: datetime
    user: str
    session_date: date | None = None
    reason: str = ""


def approval_history(programme: Programme, year: int) -> list[ApprovalEvent]:
    """The report's approvals and reopenings, newest first (each history record whose status changed)."""
    report = Report.objects.filter(programme=programme, year=year).first()
    if report is None:
        return []
    events = []
    previous = Report.Status.DRAFT
    for record in report.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.status != previous:
            user = record.history_user.get_username() if record.history_user else ""
            if record.status == Report.Status.APPROVED:
                events.append(ApprovalEvent(record.status, record.history_date, user, record.emcl_session_date))
            else:
                events.append(
                    ApprovalEvent(record.status, record.history_date, user, None, record.history_change_reason or "")
                )
        previous = record.status
    return events[::-1]
