from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from winnow.audit.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a `winnow backup` directory into an empty database and an empty data directory, after "
            "checking every file against the manifest (a missing or changed file is named; nothing is written).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", type=Path, help="the backup directory")

    def handle(self, *args: Any, source: Path, **options: Any) -> None:
        try:
            manifest = backup_restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {len(manifest['files'])} files from the backup of {manifest['created_at']}; "
                          "now run `winnow audit-verify` (and on PostgreSQL `winnow db-roles --apply`)")
