"""`winnow research-export`: disclosure-controlled tables (and optionally a pseudonymised extract) for researchers.

    winnow research-export --unit CODE --out DIR [--record-level]

writes the export a supervisor of the unit has approved, with its purpose and recipient, on the research exports
page (/research/exports/): the oldest approval not yet used whose scope matches (`--record-level` needs an approval
that covers the extract). With no such approval it writes nothing and says what is missing. The approval may also
be given here, recorded and used at once:

    winnow research-export --unit CODE --out DIR --approved-by SUPERVISOR --purpose TEXT --recipient TEXT
                           [--record-level]

The approver must hold approve_research_export in the unit. The export, its approval, purpose, recipient, approver
and the SHA-256 of every file are recorded in the audit trail. Exit status 2, with the reason and nothing written,
when the export is refused (no approval, a record-level extract below k, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit, User
from winnow.context import acting, new_request_id
from winnow.permissions import Capability, command_require
from winnow.research.export import ExportRefused, approval_for, export_approve, research_export


class Command(BaseCommand):
    help = "Write a disclosure-controlled research export for one unit, as a supervisor approved it; audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--out", required=True, type=Path, help="an empty or new directory")
        parser.add_argument("--record-level", action="store_true", help="add the pseudonymised extract")
        given = parser.add_argument_group("approving here instead (all three together)")
        given.add_argument("--approved-by", help="username of the approving supervisor")
        given.add_argument("--purpose", help="what the research is for")
        given.add_argument("--recipient", help="who receives the export")

    def handle(self, *args: Any, unit: str, out: Path, record_level: bool, approved_by: str | None,
               purpose: str | None, recipient: str | None, **options: Any) -> None:
        found = Unit.objects.filter(code=unit).first()
        if found is None:
            raise CommandError(f"no unit with code {unit!r}", returncode=2)
        inline = {"--approved-by": approved_by, "--purpose": purpose, "--recipient": recipient}
        missing = [flag for flag, value in inline.items() if not (value or "").strip()]
        if 0 < len(missing) < len(inline):
            raise CommandError(f"approving here needs --approved-by, --purpose and --recipient together: "
                               f"{', '.join(missing)} missing", returncode=2)
        with acting(request_id=new_request_id("research-export-"), via="command"):
            try:
                if not missing:
                    approver = User.objects.filter(username=approved_by, is_active=True).first()
                    if approver is None:
                        raise CommandError(f"no active user {approved_by!r}", returncode=2)
                    command_require(approver, Capability.APPROVE_RESEARCH_EXPORT, found.pk)
                    approval = export_approve(actor=approver, unit=found, purpose=purpose or "",
                                              recipient=recipient or "", record_level=record_level)
                else:
                    approval = approval_for(found, record_level=record_level)
                written = research_export(approval=approval, out=out)
            except ExportRefused as exc:
                raise CommandError(f"Export refused: {exc}", returncode=2) from None
        self.stdout.write(f"Research export {written.export.pk} written to {out}: {len(written.files)} files, "
                          f"approved by {approval.approved_by.get_username()} on "
                          f"{approval.approved_at:%Y-%m-%d} (approval {approval.pk}) for {written.export.recipient}.")
        for name, sha in written.files.items():
            self.stdout.write(f"  {sha}  {name}")
