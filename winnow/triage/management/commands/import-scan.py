from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import User
from winnow.permissions import Capability, command_require
from winnow.referrals.models import Referral
from winnow.triage.models import Exhibit, ScanResult
from winnow.triage.services import TriageError, exhibit_create, file_chunks, scan_result_store


class Command(BaseCommand):
    help = "Import a scan result file (written by `winnow scan`) onto a referral's exhibit and summarise it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("result", type=Path)
        parser.add_argument("--referral", required=True, help="the referral's reference, e.g. NORTH-2026-00001")
        parser.add_argument("--exhibit", required=True, help="exhibit label (created when the referral lacks it)")
        parser.add_argument("--user", required=True, help="forensic officer or supervisor in the referral's unit")

    def handle(self, *args: Any, result: Path, referral: str, exhibit: str, user: str, **options: Any) -> None:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        ref = Referral.objects.filter(reference=referral).first()
        if ref is None:
            raise CommandError(f"no referral {referral!r}")
        command_require(actor, Capability.WORK_EXHIBITS, ref.unit_id,
                        f"{user} does not work exhibits on a referral {referral!r}")
        if not result.is_file():
            raise CommandError(f"{result}: no such file")
        try:
            target = Exhibit.objects.filter(referral=ref, label=exhibit.strip()).first() or exhibit_create(
                actor=actor, referral=ref, label=exhibit)
            done = scan_result_store(actor=actor, exhibit=target, chunks=file_chunks(result), filename=result.name,
                                     via=ScanResult.Via.SERVER, background=False)  # no request to time out
        except TriageError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        if not done.created:
            self.stdout.write(f"{result}: already imported on exhibit {target.label} of {ref.reference}; nothing new.")
            return
        totals = done.summary.data["totals"] if done.summary else {}
        self.stdout.write(f"{result}: stored (SHA-256 {done.scan_result.sha256}) on exhibit {target.label} of "
                          f"{ref.reference}: {totals.get('files', 0)} files, {totals.get('unknown_images', 0)} "
                          f"unknown images.")
