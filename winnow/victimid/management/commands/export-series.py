from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.commands import command_origin, operator_or_user
from winnow.accounts.models import Unit
from winnow.permissions import Capability, command_require
from winnow.victimid.models import Series, SeriesMember
from winnow.victimid.services import SeriesError, family, series_export


class Command(BaseCommand):
    help = ("Write a series' unknown hashes (MD5, SHA-1, PDQ) held by a unit as a VICS 2.0 JSON file, and record "
            "what was sent, when and to whom.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="the series id (as `winnow series` lists it)")
        parser.add_argument("--out", required=True, type=Path, help="the file to write (not overwritten)")
        parser.add_argument("--user", help="act as this forensic officer or supervisor of the unit (checked); without "
                                           "it the command acts as the server's operator, recorded as such")
        parser.add_argument("--to", help="who the file is for, e.g. 'CAID victim identification' (recorded; without it "
                                         "the record says the recipient was not stated)")
        parser.add_argument("--unit", help="the unit's code (needed only when the user works series in several)")

    def handle(self, *args: Any, id: int, out: Path, user: str | None, to: str | None,  # noqa: A002
               unit: str | None, **options: Any) -> None:
        out = Path(out)
        actor = operator_or_user(user)
        series = Series.objects.filter(pk=id).first()
        if series is None or (actor is not None and not Series.objects.visible_to(actor).filter(pk=id).exists()):
            raise CommandError(f"no series {id}" + (f" among {user}'s units" if actor is not None else ""))
        units = Unit.objects.for_user(actor, Capability.WORK_SERIES) if actor is not None else Unit.objects.all()
        if unit:
            units = units.filter(code=unit)
        ids = family(series)
        holding = [u for u in units if SeriesMember.objects.filter(series_id__in=ids, unit=u).exists()]
        if len(holding) > 1:
            raise CommandError(f"--unit: series {id} has members in {', '.join(u.code for u in holding)}; name the "
                               "one unit whose members to export")
        if not holding:
            who = f"{user} works series in no unit" if actor is not None else "no unit"
            raise CommandError(f"--unit: {who}{f' {unit!r}' if unit else ''} holding members of series {id}")
        if actor is not None:
            command_require(actor, Capability.WORK_SERIES, holding[0].pk)
        to = to or f"not stated (winnow export-series run without --to by {command_origin(actor)['operator']})"
        if out.exists():
            raise CommandError(f"--out: {out} already exists; nothing was written")
        if not out.parent.is_dir():
            raise CommandError(f"--out: no directory {out.parent}")
        try:
            done = series_export(actor=actor, series=series, unit_id=holding[0].pk, recipient=to)
        except SeriesError as exc:
            raise CommandError(f"{exc}; nothing was written") from None
        with open(out, "xb") as fh:
            fh.write(done.data)
        e = done.export
        self.stdout.write(f"{out}: VICS 2.0, {e.media} media ({e.md5} MD5, {e.sha1} SHA-1, {e.pdq} PDQ) from "
                          f"{', '.join(e.cases)}, for {e.recipient}; SHA-256 {e.sha256}; recorded as export {e.pk}.")
