"""Render the queued annual-report PDFs: once (default) or as a long-running worker (--loop)."""

import time

from django.core.management.base import BaseCommand

from reports.services import run_pending_pdf_jobs


class Command(BaseCommand):
    help = "Render queued annual-report PDFs (run with --loop as the PDF worker process)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep polling for new jobs.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls with --loop.")

    def handle(self, *args, loop: bool, interval: float, **options):
        while True:
            done = run_pending_pdf_jobs()
            if done:
                self.stdout.write(f"Rendered {done} PDF(s).")
            if not loop:
                break
            time.sleep(interval)
