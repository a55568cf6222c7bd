from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit, User
from winnow.core.cybertipline import CyberTiplineError
from winnow.intake.cybertip import cybertipline_import, parse_upload, read_paths
from winnow.permissions import Capability, command_require


class Command(BaseCommand):
    help = ("Import one NCMEC CyberTipline package (one zip, or a report XML and its fileDetails XML files) as a "
            "referral: all of it or nothing; importing the same package again creates nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="the zip, or the report XML and fileDetails XML files")
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--user", required=True, help="username recorded as the importer")
        parser.add_argument("--report-id", type=int, default=None, help="the CyberTipline report number")

    def handle(self, *args: Any, paths: list[str], unit: str, user: str, report_id: int | None,
               **options: Any) -> None:
        try:
            importer = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {user!r}") from None
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"no unit {unit!r}")
        command_require(importer, Capability.RECORD_REFERRALS, target.pk)
        try:
            package, zip_content, zip_name = parse_upload(read_paths(paths), report_id=report_id)
            result = cybertipline_import(actor=importer, unit=target, package=package, zip_content=zip_content,
                                         zip_name=zip_name)
        except CyberTiplineError as exc:
            where = exc.document + (f", element {exc.element_path}" if exc.element_path else "")
            raise CommandError(f"{where}: {exc.reason}\nNothing was imported.") from None
        referral = result.referral
        if result.created:
            self.stdout.write(f"imported as referral {referral.reference} ({referral.subjects.count()} people, "
                              f"{referral.reported_files.count()} files).")
        else:
            self.stdout.write(f"already imported as referral {referral.reference}; nothing new was created.")
