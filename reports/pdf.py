"""WeasyPrint on the report's document HTML: A4, cover, TOC with page numbers, running header, landscape annexes.

The page model lives in ``static/css/report.css`` (print rules) and in the document template's
``@page`` margin boxes. ``render_pdf`` reports progress through a callback so that the job
record can feed the progress page: layout is the long part, writing the file the short one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from reports.rendering import css_path


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def render_pdf(document_html: str, progress: Callable[[int], None] | None = None) -> RenderedPdf:
    """PDF bytes of ``document_html``; ``progress`` gets 10 (layout starts), 80 (laid out), 100 (written)."""
    from weasyprint import CSS, HTML  # imported here: WeasyPrint loads Pango and fonts, the web pages need neither

    report = progress or (lambda _p: None)
    report(10)
    stylesheets = [CSS(filename=str(css_path()))]
    document = HTML(string=document_html, base_url=str(settings.BASE_DIR)).render(stylesheets=stylesheets)
    report(80)
    content = document.write_pdf()
    report(100)
    return RenderedPdf(content, len(document.pages))
