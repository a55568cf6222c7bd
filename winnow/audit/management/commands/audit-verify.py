from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from winnow.audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and name the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events before it verified)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events verified")
