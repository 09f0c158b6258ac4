"""Benchmark of the annual report: HTML and PDF, each as a ratio to the bare engine on the same output.

    .venv/bin/python bench/bench_report.py            # own SQLite file in /tmp: migrate, load, make the 10x copy
    .venv/bin/python bench/bench_report.py --no-pdf   # HTML and queries only (seconds, not minutes)

For each programme (PER0601011 and its 10x synthetic copy, see make_synthetic_programme.py):

- SQL queries of ``reports.selectors.annual_report`` (must not grow with the number of indicators);
- HTML: our path (selector + charts + templates) against the bare engine: the same templates
  rendered from the report already in memory. Median of ``--runs``;
- PDF: our path (selector + templates + WeasyPrint + SHA-256, as the worker does) against bare
  WeasyPrint on the final HTML saved to a file, with the same stylesheet. Each in a fresh child
  process, which also gives WeasyPrint's peak memory (ru_maxrss), next to the RSS of a child that
  imports everything and renders nothing.

Every figure is measured in the same run; ratios are printed against that run's baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse_monitor.settings")
PYTHON = sys.executable
YEAR = 2011


def _django():
    import django

    django.setup()
    from django.utils import translation

    translation.activate("es")


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# Child processes (one measurement each, fresh memory)


def child_idle() -> dict:
    _django()
    import weasyprint  # noqa: F401

    from reports import pdf, rendering, selectors  # noqa: F401

    return {"maxrss_mb": _maxrss_mb()}


def child_pdf_bare(html_file: str) -> dict:
    _django()
    from weasyprint import CSS, HTML

    from reports.rendering import css_path

    start = time.perf_counter()
    document = HTML(filename=html_file, base_url=str(ROOT)).render(stylesheets=[CSS(filename=str(css_path()))])
    content = document.write_pdf()
    return {
        "seconds": time.perf_counter() - start,
        "maxrss_mb": _maxrss_mb(),
        "pages": len(document.pages),
        "bytes": len(content),
    }


def child_pdf_full(code: str) -> dict:
    _django()
    import hashlib

    from indicators.models import Programme
    from reports.pdf import render_pdf
    from reports.services import current_document

    programme = Programme.objects.get(code=code)
    start = time.perf_counter()
    html, _digest = current_document(programme, YEAR)
    rendered = render_pdf(html)
    hashlib.sha256(rendered.content).hexdigest()
    return {
        "seconds": time.perf_counter() - start,
        "maxrss_mb": _maxrss_mb(),
        "pages": rendered.pages,
        "bytes": len(rendered.content),
    }


def _child(*args: str) -> dict:
    out = subprocess.run([PYTHON, __file__, *args], capture_output=True, text=True, check=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# In-process measurements


def html_and_queries(code: str, runs: int, html_out: Path) -> dict:
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    from indicators.models import Indicator, Programme
    from reports.rendering import charts_of, report_document
    from reports.selectors import annual_report

    programme = Programme.objects.get(code=code)
    with CaptureQueriesContext(connection) as queries:
        report = annual_report(programme, YEAR)
    charts = charts_of(report)

    def ours() -> str:
        return report_document(annual_report(programme, YEAR))

    def bare() -> str:
        body = render_to_string("reports/_report_body.html", {"r": report, "charts": charts})
        return render_to_string("reports/report_document.html", {"r": report, "body": body, "lang": "es"})

    ours(), bare()  # warm the template cache for both
    ours_times, bare_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        html = ours()
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        bare()
        bare_times.append(time.perf_counter() - start)
    html_out.write_text(html, encoding="utf-8")
    return {
        "indicators": Indicator.objects.filter(result__programme=programme).count(),
        "queries": len(queries.captured_queries),
        "html_ours": statistics.median(ours_times),
        "html_bare": statistics.median(bare_times),
        "html_kb": len(html.encode()) / 1024,
    }


def setup_database(path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    for args in (
        ["manage.py", "migrate", "-v0"],
        ["manage.py", "load_programme", "fixtures/per0601011/programme.json", "--replace"],
        ["bench/make_synthetic_programme.py", "--factor", "10"],
    ):
        subprocess.run([PYTHON, *args], cwd=ROOT, env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Annual report benchmark")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--keep-db", help="SQLite file to (re)use instead of a fresh one")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        result = {"idle": child_idle, "bare": child_pdf_bare, "full": child_pdf_full}[kind](*rest)
        print(json.dumps(result))
        return

    db = Path(args.keep_db) if args.keep_db else Path(tempfile.mkdtemp(prefix="cse-bench-")) / "bench.sqlite3"
    if not db.exists():
        print(f"Preparing {db} (migrate, load PER0601011, make SYNx10) …", flush=True)
        setup_database(db)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _django()

    rows = {}
    for code in ("PER0601011", "SYNx10"):
        html_file = db.parent / f"{code}-{YEAR}.html"
        rows[code] = html_and_queries(code, args.runs, html_file)
        if not args.no_pdf:
            rows[code]["pdf_bare"] = _child("--child", "bare", str(html_file))
            rows[code]["pdf_ours"] = _child("--child", "full", code)
    idle = None if args.no_pdf else _child("--child", "idle")

    print(f"\nAnnual report {YEAR} benchmark (SQLite, median of {args.runs} HTML runs; PDF one run each)")
    for code, r in rows.items():
        print(f"\n{code}: {r['indicators']} indicators, {r['html_kb']:.0f} KiB of HTML")
        print(f"  SQL queries of annual_report: {r['queries']}")
        print(
            f"  HTML: ours {r['html_ours'] * 1000:.0f} ms, bare template render {r['html_bare'] * 1000:.0f} ms, "
            f"ratio {r['html_ours'] / r['html_bare']:.2f}"
        )
        if "pdf_ours" in r:
            ours, bare = r["pdf_ours"], r["pdf_bare"]
            print(
                f"  PDF: ours {ours['seconds']:.1f} s, bare WeasyPrint on the saved HTML {bare['seconds']:.1f} s, "
                f"ratio {ours['seconds'] / bare['seconds']:.2f}; {bare['pages']} pages"
            )
            print(
                f"  Peak RSS: WeasyPrint child {bare['maxrss_mb']:.0f} MiB, "
                f"our worker child {ours['maxrss_mb']:.0f} MiB "
                f"(idle child with everything imported: {idle['maxrss_mb']:.0f} MiB)"
            )
    small, large = rows["PER0601011"], rows["SYNx10"]
    print(
        f"\nQueries 1x -> 10x: {small['queries']} -> {large['queries']} "
        f"({large['indicators'] / small['indicators']:.0f}x the indicators)"
    )
    if not args.no_pdf:
        print(
            f"PDF time 1x -> 10x: {small['pdf_ours']['seconds']:.1f} s -> {large['pdf_ours']['seconds']:.1f} s; "
            f"WeasyPrint peak RSS {small['pdf_bare']['maxrss_mb']:.0f} -> {large['pdf_bare']['maxrss_mb']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
