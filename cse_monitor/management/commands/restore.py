"""manage.py restore ARCHIVE: restores a `backup` archive into an EMPTY database and upload storage."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from cse_monitor.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database (migrations are applied first). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A .tar.gz written by `manage.py backup`.")

    def handle(self, *args, **options):
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"No such archive: {path}")
        try:
            summary = restore_backup(path)
        except (BackupError, DatabaseError, OSError) as exc:
            raise CommandError(f"Restore refused, nothing was changed: {exc}") from exc
        self.stdout.write(f"Restored {summary.rows} rows and {summary.files} uploaded files from {path}")
