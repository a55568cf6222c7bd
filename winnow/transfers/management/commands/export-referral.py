from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.commands import operator_or_user
from winnow.permissions import Capability, command_require
from winnow.referrals.models import Referral
from winnow.transfers.packages import referral_export


class Command(BaseCommand):
    help = ("Export a referral as a signed package for another installation: a JSON manifest, every raw package "
            "verbatim and the SHA-256 of each, signed with WINNOW_PACKAGE_SIGNING_KEY (Ed25519). Audited.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the referral's reference, e.g. NORTH-2026-00001")
        parser.add_argument("--out", required=True, type=Path, help="the package file to write (must not exist)")
        parser.add_argument("--user", help="export as this supervisor (checked); without it the server's operator "
                                           "exports, recorded as such")

    def handle(self, *args: Any, reference: str, out: Path, user: str | None, **options: Any) -> None:
        exporter = operator_or_user(user)
        referrals = Referral.objects.visible_to(exporter) if exporter is not None else Referral.objects.all()
        referral = referrals.filter(reference=reference).first()
        if referral is None:
            raise CommandError(f"no referral {reference!r}" + (f" in {user}'s units" if exporter is not None else ""))
        if exporter is not None:
            command_require(exporter, Capability.TRANSFER_REFERRALS, referral.unit_id)
        if out.exists():
            raise CommandError(f"{out}: already exists; nothing was exported")
        try:
            data, export = referral_export(actor=exporter, referral=referral)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        try:
            with out.open("xb") as handle:
                handle.write(data)
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror}") from None
        self.stdout.write(f"{out}: {reference} exported ({len(export.files)} files, {export.size:,} bytes, "
                          f"SHA-256 {export.sha256}, signed with key {export.key_id!r}).")
