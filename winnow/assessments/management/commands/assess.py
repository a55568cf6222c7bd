"""`winnow assess INSTRUMENT.yaml ANSWERS.csv`: score a CSV of answers offline and print band and explanation.

Needs no database: a force tests an instrument file (and a set of hand-worked cases, via `_expected`) before
loading it. Exit status 0 when every row scored as expected, 1 when a row failed or did not match, 2 when the
instrument file or the CSV cannot be used at all.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.core.instruments import CsvError, InstrumentError, assess_files


class Command(BaseCommand):
    help = "Score a CSV of answers against an instrument file, offline; print band and explanation per row."
    requires_system_checks: list[str] = []  # works without a database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument", help="instrument YAML file")
        parser.add_argument("answers", help="CSV: a header of item ids, one row per case")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text, code = assess_files(options["instrument"], options["answers"])
        except (InstrumentError, CsvError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(text)
        if code:
            sys.exit(code)
