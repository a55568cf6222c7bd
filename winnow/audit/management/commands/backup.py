from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from winnow.audit.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Back up the database, the stored files (scan results) and the audit checkpoints into a new directory, "
            "with a signed manifest of SHA-256s (winnow restore checks it).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", type=Path, help="a new or empty directory")

    def handle(self, *args: Any, dest: Path, **options: Any) -> None:
        try:
            result = backup_create(dest)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"backup written to {result.path}: {result.files} files, {result.bytes} bytes, "
                          "manifest.json lists their SHA-256s")
