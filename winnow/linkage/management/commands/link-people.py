from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit
from winnow.core.linkage import DEFAULT_THRESHOLD
from winnow.linkage.services import people_link


class Command(BaseCommand):
    help = ("Run person linkage (splink, DuckDB) over a unit's subjects and store new proposals for handlers to "
            "decide. Pairs already proposed, rejected or merged are never proposed again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                            help=f"lowest match probability proposed (default {DEFAULT_THRESHOLD})")

    def handle(self, *args: Any, unit: str, threshold: float, **options: Any) -> None:
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"no unit {unit!r}")
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be above 0 and at most 1")
        run = people_link(unit=target, threshold=threshold)
        self.stdout.write(f"{target.name}: {run.subjects} people compared in {run.seconds:.1f} s; "
                          f"{run.pairs_scored} pairs at or above {threshold}; {run.proposals_created} new proposals.")
