"""manage.py backup [--output FILE]: the database and the uploaded files in one .tar.gz archive."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cse_monitor.backups import BackupError, create_backup


class Command(BaseCommand):
    help = "Write the whole database and every uploaded file into one archive (restore it with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Archive path (default: backups/cse-monitor-<UTC time>.tar.gz under the project directory).",
        )

    def handle(self, *args, **options):
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        output = Path(options["output"] or Path(settings.BASE_DIR) / "backups" / f"cse-monitor-{stamp}.tar.gz")
        try:
            summary = create_backup(output)
        except (BackupError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(f"Backup written: {summary.path} ({summary.rows} rows, {summary.files} uploaded files)")
