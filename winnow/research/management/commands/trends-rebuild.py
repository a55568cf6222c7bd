"""`winnow trends-rebuild [--unit CODE]`: recompute the derived trend counts and re-referral events from the case
facts and linkage's memberships, e.g. after a bulk load that wrote facts or merges with SQL. Derived rows only:
no record is changed."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit
from winnow.research.services import trends_rebuild


class Command(BaseCommand):
    help = "Recompute the derived trend counts and re-referral events from the facts (one unit, or all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="the unit's code (default: every unit)")

    def handle(self, *args: Any, unit: str | None, **options: Any) -> None:
        unit_id = None
        if unit is not None:
            found = Unit.objects.filter(code=unit).first()
            if found is None:
                raise CommandError(f"no unit with code {unit!r}", returncode=2)
            unit_id = found.pk
        started = time.perf_counter()
        rows = trends_rebuild(unit_id=unit_id)
        self.stdout.write(f"{rows:,} derived rows written in {time.perf_counter() - started:.1f} s.")
