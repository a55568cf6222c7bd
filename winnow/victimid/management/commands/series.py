from __future__ import annotations

import json as jsonlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.commands import command_origin, operator_or_user
from winnow.accounts.models import Unit
from winnow.audit.services import AuditAction, audit_record
from winnow.permissions import Capability, command_require
from winnow.victimid.models import Series, SeriesMember
from winnow.victimid.services import SeriesError, queue_for, series_sync, series_view


class Command(BaseCommand):
    help = ("List a unit's victim-identification series (id, members, exhibits, referrals, other units that also "
            "hold members, status), after taking in any scan summarised and any hash set loaded since.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--user", help="act as this forensic officer or supervisor of the unit (checked); without "
                                           "it the command acts as the server's operator, recorded as such")
        parser.add_argument("--json", action="store_true", help="one JSON document instead of a table")
        parser.add_argument("--all", action="store_true", help="include closed series (safeguarded, referred, ...)")

    def handle(self, *args: Any, unit: str, user: str | None, json: bool, all: bool,  # noqa: A002
               **options: Any) -> None:
        actor = operator_or_user(user)
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"--unit: no unit with code {unit!r}")
        if actor is not None:
            command_require(actor, Capability.WORK_SERIES, target.pk)
        try:
            series_sync(actor=actor)
        except SeriesError as exc:
            raise CommandError(str(exc)) from None
        if all:
            ids = sorted(set(SeriesMember.objects.filter(unit=target, series__merged_into__isnull=True)
                             .values_list("series_id", flat=True)))
            views = [series_view(Series.objects.get(pk=i), target.pk) for i in ids]
        else:
            views = queue_for(actor, {target.pk})
        rows: list[dict[str, Any]] = [{
            "id": v.series.pk, "name": v.series.name, "members": len(v.items),
            "exhibits": [f"{e.referral.reference} {e.label}" for e in v.exhibits],
            "referrals": [r.reference for r in v.referrals],
            "also_seen_by": [{"unit": name, "members": n} for name, n in v.also_seen_by],
            "status": v.status.value, "known_members": v.known_members,
        } for v in views]
        audit_record(actor=actor, action=AuditAction.SERIES_LIST, unit_id=None,
                     detail={"unit": target.code, "series": len(rows), **command_origin(actor)})
        if json:
            self.stdout.write(jsonlib.dumps({"unit": target.code, "series": rows}, indent=1))
            return
        if not rows:
            self.stdout.write(f"No open series in {target.name}.")
            return
        self.stdout.write(f"{'id':>6}  {'members':>7}  {'exhibits':>8}  {'referrals':<30}  {'status':<18}  also seen by")
        for r in rows:
            others = ", ".join(f"{o['unit']} ({o['members']})" for o in r["also_seen_by"]) or "-"
            self.stdout.write(f"{r['id']:>6}  {r['members']:>7}  {len(r['exhibits']):>8}  "
                              f"{', '.join(r['referrals']):<30}  {r['status']:<18}  {others}")


