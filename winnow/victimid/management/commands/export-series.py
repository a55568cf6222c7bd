from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import Unit, User
from winnow.permissions import Capability, command_require
from winnow.victimid.models import Series, SeriesMember
from winnow.victimid.services import SeriesError, family, series_export


class Command(BaseCommand):
    help = ("Write a series' unknown hashes (MD5, SHA-1, PDQ) held by a unit as a VICS 2.0 JSON file, and record "
            "what was sent, when and to whom.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="the series id (as `winnow series` lists it)")
        parser.add_argument("--out", required=True, type=Path, help="the file to write (not overwritten)")
        parser.add_argument("--user", required=True, help="a forensic officer or supervisor of the unit")
        parser.add_argument("--to", required=True, help="who the file is for, e.g. 'CAID victim identification'")
        parser.add_argument("--unit", help="the unit's code (needed only when the user works series in several)")

    def handle(self, *args: Any, id: int, out: Path, user: str, to: str, unit: str | None,  # noqa: A002
               **options: Any) -> None:
        out = Path(out)
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        series = Series.objects.filter(pk=id).first()
        if series is None or not Series.objects.visible_to(actor).filter(pk=id).exists():
            raise CommandError(f"no series {id} among {user}'s units")
        units = Unit.objects.for_user(actor, Capability.WORK_SERIES)
        if unit:
            units = units.filter(code=unit)
        ids = family(series)
        holding = [u for u in units if SeriesMember.objects.filter(series_id__in=ids, unit=u).exists()]
        if len(holding) != 1:
            raise CommandError("--unit: name the one unit whose members to export" if holding else
                               f"{user} works series in no unit holding members of series {id}")
        command_require(actor, Capability.WORK_SERIES, holding[0].pk)
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
