from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from winnow.workload.integrity import referrals_verify


class Command(BaseCommand):
    help = ("Check every referral's status, deadline, band, assignment and closure against its append-only "
            "history and its last audited change; name each referral edited in place (exit 1 if any).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = referrals_verify()
        for problem in report.problems:
            self.stderr.write(f"referral state NOT consistent: {problem}")
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problem(s) in {report.checked} referrals; first: "
                               f"{report.problems[0]}")
        note = (f" ({report.without_snapshot} recorded before state snapshots: checked against their history "
                "only)") if report.without_snapshot else ""
        self.stdout.write(f"referral state consistent: {report.checked} referrals checked{note}")
