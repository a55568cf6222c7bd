from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from winnow.audit.backup import BackupError, backup_create, backup_default_dest


class Command(BaseCommand):
    help = ("Back up the database, the stored files (scan results) and the audit checkpoints into a new directory "
            "(by default WINNOW_BACKUP_DIR/<UTC time>), with a signed manifest of SHA-256s (winnow restore checks it).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", type=Path, nargs="?", default=None,
                            help="a new or empty directory (default: a new one under WINNOW_BACKUP_DIR)")

    def handle(self, *args: Any, dest: Path | None, **options: Any) -> None:
        try:
            result = backup_create(dest if dest is not None else backup_default_dest())
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"backup written to {result.path}: {result.files} files, {result.bytes} bytes, "
                          "manifest.json lists their SHA-256s")
