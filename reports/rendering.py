"""The report's HTML: one body rendered once, wrapped as a web page or as the document WeasyPrint prints.

The PDF is printed from the very HTML the fingerprint is taken of, so a cached PDF whose
fingerprint matches the current HTML is, by construction, the PDF of the current data.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext

from reports.charts import report_charts
from reports.selectors import AnnualReport

REPORT_CSS = "css/report.css"


def charts_of(report: AnnualReport) -> dict:
    return {chart.id.removeprefix("chart-"): chart for chart in report_charts(report, gettext)}


def report_body(report: AnnualReport) -> str:
    """The report's HTML fragment (no page chrome, no user-dependent content)."""
    return render_to_string("reports/_report_body.html", {"r": report, "charts": charts_of(report)})


def report_document(report: AnnualReport, body: str | None = None) -> str:
    """The standalone HTML document WeasyPrint turns into the PDF."""
    return render_to_string(
        "reports/report_document.html",
        {"r": report, "body": report_body(report) if body is None else body, "lang": get_language() or "es"},
    )


def css_path() -> Path:
    found = finders.find(REPORT_CSS)
    if not found:
        return Path(settings.BASE_DIR) / "static" / REPORT_CSS
    return Path(found)


@cache
def _css_digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fingerprint(document_html: str) -> str:
    """SHA-256 of the document HTML and of the stylesheet that lays it out (hex)."""
    path = css_path()
    digest = hashlib.sha256(document_html.encode("utf-8"))
    if path.exists():
        digest.update(_css_digest(str(path), path.stat().st_mtime).encode())
    return digest.hexdigest()
