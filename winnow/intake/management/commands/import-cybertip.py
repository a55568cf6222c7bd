from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.core.cybertipline import CyberTiplineError
from winnow.intake.commands import recorder_and_unit
from winnow.intake.cybertip import cybertipline_import, parse_upload, read_paths


class Command(BaseCommand):
    help = ("Import one NCMEC CyberTipline package (one zip, or a report XML and its fileDetails XML files) as a "
            "referral: all of it or nothing; importing the same package again creates nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="the zip, or the report XML and fileDetails XML files")
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--user", required=True, help="username recorded as the importer")
        parser.add_argument("--report-id", type=int, default=None, help="the CyberTipline report number")
        parser.add_argument("--immediate-danger", required=True, choices=["yes", "no"],
                            help="is a child believed to be in immediate danger? (required; an escalated report "
                                 "is recorded as yes)")

    def handle(self, *args: Any, paths: list[str], unit: str, user: str, report_id: int | None,
               immediate_danger: str, **options: Any) -> None:
        importer, target = recorder_and_unit(user, unit)
        try:
            package, zip_content, zip_name = parse_upload(read_paths(paths), report_id=report_id)
            result = cybertipline_import(actor=importer, unit=target, package=package, zip_content=zip_content,
                                         zip_name=zip_name, immediate_danger=immediate_danger == "yes")
        except CyberTiplineError as exc:
            where = exc.document + (f", element {exc.element_path}" if exc.element_path else "")
            raise CommandError(f"{where}: {exc.reason}\nNothing was imported.") from None
        referral = result.referral
        if result.created:
            self.stdout.write(f"imported as referral {referral.reference} ({referral.subjects.count()} people, "
                              f"{referral.reported_files.count()} files).")
        else:
            self.stdout.write(f"already imported as referral {referral.reference}; nothing new was created.")
