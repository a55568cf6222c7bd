from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from winnow.audit.services import audit_verify


class Command(BaseCommand):
    help = ("Check every shard of the audit trail against its keyed hash chain and the signed checkpoints outside "
            "the database, and the guard triggers; name every problem found (exit 1 if any).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"audit trail NOT intact: {problem}")
            raise CommandError(
                f"audit trail not intact: {len(report.problems)} problem(s); first: {report.problems[0]} "
                f"({report.checked} events verified in {len(report.shards)} shard(s), {report.checkpoints} "
                "checkpoint(s))"
            )
        self.stdout.write(
            f"audit trail intact: {report.checked} events verified in {len(report.shards)} shard(s) against "
            f"{report.checkpoints} checkpoint(s)"
        )
