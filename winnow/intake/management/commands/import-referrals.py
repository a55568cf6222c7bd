from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.core.intake import IntakeError
from winnow.intake.commands import recorder_and_unit
from winnow.intake.services import referrals_import


class Command(BaseCommand):
    help = "Import referrals from a CSV or JSON file: all of it or none of it; re-importing a file creates nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="unit code, e.g. nwrocu")
        parser.add_argument("--user", required=True, help="username recorded as the importer (must record referrals in the unit)")

    def handle(self, *args: Any, file: Path, unit: str, user: str, **options: Any) -> None:
        importer, target = recorder_and_unit(user, unit)
        limit = settings.WINNOW_IMPORT_MAX_BYTES
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        if size > limit:
            raise CommandError(f"{file}: the file is {size:,} bytes; the limit is {limit:,} bytes. Nothing was imported.")
        try:
            result = referrals_import(
                actor=importer, unit=target, filename=file.name, content=file.read_bytes(), max_bytes=limit,
            )
        except IntakeError as exc:
            lines = [f"{file}: {error}" for error in exc.errors]
            raise CommandError("\n".join([*lines, "Nothing was imported."])) from None
        if result.created:
            self.stdout.write(f"{file}: imported {result.referral_count} referrals (batch {result.batch.pk}).")
        else:
            self.stdout.write(
                f"{file}: already imported on {result.batch.created_at:%Y-%m-%d %H:%M} UTC "
                f"({result.referral_count} referrals, batch {result.batch.pk}); nothing new was created."
            )
