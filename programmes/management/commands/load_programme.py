"""Load a programme (logframe, indicators, budget, report content) from its JSON file, all or nothing."""

import time

from django.core.management.base import BaseCommand, CommandError

from programmes.loading import ProgrammeLoadError, programme_load, read_programme_file


class Command(BaseCommand):
    help = "Load a programme from a domain-shaped JSON file (e.g. fixtures/per0601011/programme.json)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to programme.json")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--if-absent", action="store_true", help="Do nothing when the programme code exists.")
        mode.add_argument("--replace", action="store_true", help="Delete the existing programme, then load.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            data = read_programme_file(options["path"])
            outcome = programme_load(data=data, if_absent=options["if_absent"], replace=options["replace"])
        except ProgrammeLoadError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{outcome.summary()} ({elapsed:.2f} s)")
