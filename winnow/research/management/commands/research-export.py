"""`winnow research-export`: disclosure-controlled tables (and optionally a pseudonymised extract) for researchers.

    winnow research-export --unit CODE --out DIR --approved-by SUPERVISOR --purpose TEXT --recipient TEXT
                           [--record-level]

The approving supervisor must hold approve_research_export in the unit. The export, its purpose, recipient,
approver and the SHA-256 of every file are recorded in the audit trail. Exit status 2, with the reason and nothing
written, when the export is refused (e.g. a record-level extract below k).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit, User
from winnow.context import acting, new_request_id
from winnow.permissions import Capability, command_require
from winnow.research.export import ExportRefused, research_export


class Command(BaseCommand):
    help = "Write a disclosure-controlled research export for one unit, approved by a supervisor and audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--out", required=True, type=Path, help="an empty or new directory")
        parser.add_argument("--approved-by", required=True, help="username of the approving supervisor")
        parser.add_argument("--purpose", required=True, help="what the research is for")
        parser.add_argument("--recipient", required=True, help="who receives the export")
        parser.add_argument("--record-level", action="store_true", help="add the pseudonymised extract")

    def handle(self, *args: Any, unit: str, out: Path, approved_by: str, purpose: str, recipient: str,
               record_level: bool, **options: Any) -> None:
        found = Unit.objects.filter(code=unit).first()
        if found is None:
            raise CommandError(f"no unit with code {unit!r}", returncode=2)
        approver = User.objects.filter(username=approved_by, is_active=True).first()
        if approver is None:
            raise CommandError(f"no active user {approved_by!r}", returncode=2)
        command_require(approver, Capability.APPROVE_RESEARCH_EXPORT, found.pk)
        with acting(request_id=new_request_id("research-export-"), via="command"):
            try:
                written = research_export(approver=approver, unit=found, out=out, purpose=purpose,
                                          recipient=recipient, record_level=record_level)
            except ExportRefused as exc:
                raise CommandError(f"Export refused: {exc}", returncode=2) from None
        self.stdout.write(f"Research export {written.export.pk} written to {out}: {len(written.files)} files, "
                          f"approved by {approver.get_username()} for {written.export.recipient}.")
        for name, sha in written.files.items():
            self.stdout.write(f"  {sha}  {name}")
