from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit, User
from winnow.core.intake import IntakeError
from winnow.permissions import Capability, command_require
from winnow.transfers.packages import PackageError, package_import


class Command(BaseCommand):
    help = ("Import a referral package from another installation: its signature and every file's SHA-256 are "
            "verified, and a package that fails any check is refused, naming the file and the reason.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="the receiving unit's code")
        parser.add_argument("--user", required=True, help="username recorded as the importer (a supervisor)")

    def handle(self, *args: Any, file: Path, unit: str, user: str, **options: Any) -> None:
        importer = User.objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"no active user {user!r}")
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"no unit {unit!r}")
        command_require(importer, Capability.TRANSFER_REFERRALS, target.pk)
        limit = settings.WINNOW_IMPORT_MAX_BYTES
        try:
            if file.stat().st_size > limit:
                raise CommandError(f"{file}: more than the limit of {limit:,} bytes. Nothing was imported.")
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            result = package_import(actor=importer, unit=target, data=data)
        except PackageError as exc:
            raise CommandError(f"{file}: {exc.member}: {exc.reason}. Nothing was imported.") from None
        except IntakeError as exc:
            lines = [f"{file}: manifest: {error}" for error in exc.errors]
            raise CommandError("\n".join([*lines, "Nothing was imported."])) from None
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        record = result.record
        if not result.created:
            self.stdout.write(f"{file}: already imported on {record.imported_at:%Y-%m-%d %H:%M} UTC as "
                              f"{record.referral.reference}; nothing new was created.")
            return
        self.stdout.write(f"{file}: verified (signed with {record.key_id!r}); {record.origin_reference} from "
                          f"{record.origin_unit} recorded as {record.referral.reference} in {target.name}.")
