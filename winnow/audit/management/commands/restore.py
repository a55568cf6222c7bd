from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from winnow.audit.backup import BackupError, backup_restore, backup_source, backups_available


class Command(BaseCommand):
    help = ("Restore a `winnow backup` (the newest under WINNOW_BACKUP_DIR, or the one named) into an empty database "
            "and an empty data directory, after checking every file against the manifest (a missing or changed file "
            "is named; nothing is written).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", nargs="?", default=None,
                            help="a backup's name under WINNOW_BACKUP_DIR, as `winnow backup` printed it, or a backup "
                                 "directory (default: the newest under WINNOW_BACKUP_DIR)")
        parser.add_argument("--list", action="store_true", help="list the backups under WINNOW_BACKUP_DIR; restore nothing")

    def handle(self, *args: Any, source: str | None, list: bool, **options: Any) -> None:  # noqa: A002
        if list:
            found = backups_available()
            for path in found:
                self.stdout.write(path.name)
            self.stdout.write(f"{len(found)} backup(s) in {settings.WINNOW_BACKUP_DIR}")
            return
        try:
            path = backup_source(source)
            self.stdout.write(f"restoring {path}")
            manifest = backup_restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {len(manifest['files'])} files from the backup of {manifest['created_at']}; "
                          "now run `winnow audit-verify` (and on PostgreSQL `winnow db-roles --apply`)")
