"""Import a beneficiary district list (annex 7.4 layout) from an .xlsx file, for large files and scripts."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from indicators.models import Programme
from municipalities.exports import refused_rows_workbook
from municipalities.models import BeneficiaryImport
from municipalities.services import Action, beneficiaries_import


class ProgressBar:
    """A one-line text progress bar on the command's stderr (an OutputWrapper), redrawn at most every 1% of the rows."""

    def __init__(self, stream, width: int = 40):
        self.stream, self.width, self.last = stream, width, -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent == self.last and done != total:
            return
        self.last = percent
        filled = self.width * percent // 100
        bar = f"\rChecking rows [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        self.stream.write(bar, ending="\n" if done == total else "")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import beneficiary districts from an .xlsx workbook: all or nothing, logged, re-runnable."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--programme", required=True, help="programme code, e.g. PER0601011")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument(
            "--codes",
            choices=[c.value for c in BeneficiaryImport.Codes],
            default=None,
            help="code system of the list (default: what the ubigeo header declares, else inei)",
        )
        parser.add_argument("--partial", action="store_true", help="import the good rows even when some are refused")
        parser.add_argument("--refused-out", help="write the refused rows to this .xlsx (with an error column)")
        parser.add_argument("--user", help="username recorded in the import log")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            programme = Programme.objects.get(code=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError(f"No programme with code {options['programme']!r}.") from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        progress = None if options["no_progress"] else ProgressBar(self.stderr)
        report = beneficiaries_import(
            programme=programme,
            content=content,
            file_name=path.name,
            user=user,
            codes=options["codes"],
            dry_run=options["dry_run"],
            all_or_nothing=not options["partial"],
            progress=progress,
        )
        if report.file_error:
            raise CommandError(f"{path.name}: {report.file_error} Nothing was imported.")
        for row in report.rows:
            for error in row.errors:
                self.stdout.write(f"row {row.line} ({row.ubigeo or '?'}): REFUSED: {error}")
            for note in row.notes:
                self.stdout.write(f"row {row.line} ({row.ubigeo}): note: {note}")
        counts = report.counts
        summary = (
            f"{len(report.rows)} rows: {counts[Action.CREATE]} to create, {counts[Action.UPDATE]} to update, "
            f"{counts[Action.UNCHANGED]} unchanged, {counts[Action.REFUSED]} refused."
        )
        if report.skipped_header_lines:
            summary += (
                f" Repeated header rows skipped, at workbook row: {', '.join(map(str, report.skipped_header_lines))}."
            )
        if options["refused_out"] and report.refused_rows:
            Path(options["refused_out"]).write_bytes(refused_rows_workbook(report.log))
            summary += f" Refused rows written to {options['refused_out']}."
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported. {summary}"))
        elif options["dry_run"] and not (report.refused_rows and not options["partial"]):
            self.stdout.write(f"Dry run, nothing written. {summary}")
        else:
            raise CommandError(f"{summary} {report.log.message}")
