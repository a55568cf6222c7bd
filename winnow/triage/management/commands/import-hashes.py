from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from winnow.accounts.models import User
from winnow.core.hashsets import BUILTIN_SCHEMES, FORMATS
from winnow.permissions import Capability, command_require
from winnow.triage.services import TriageError, hash_set_import


class Command(BaseCommand):
    help = ("Import a hash set (VICS JSON, CSV or text list, X-Ways export, hashdeep, md5deep/md5sum, NSRL RDS v2 "
            "text or zip, NSRL RDS v3; UTF-8 or UTF-16): all of it or nothing; re-importing the same file (same "
            "SHA-256) creates nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True)
        parser.add_argument("--format", choices=sorted(FORMATS), help="default: detected from the content")
        parser.add_argument("--scheme", help=f"category scheme: one of {', '.join(BUILTIN_SCHEMES)}, or a scheme JSON file")
        parser.add_argument("--user", help="administrator recorded as the importer (default: system)")
        parser.add_argument("--known-files", action="store_true",
                            help="a plain list of known software files: filter its hits as NSRL's are (known "
                                 "non-pertinent), do not count them as known material")

    def handle(self, *args: Any, file: Path, name: str, format: str | None, scheme: str | None,  # noqa: A002
               user: str | None, known_files: bool = False, **options: Any) -> None:
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
            command_require(actor, Capability.IMPORT_HASH_SETS, None, f"no active administrator {user!r}")
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = hash_set_import(actor=actor, path=file, name=name, format=format, scheme=scheme,
                                     known_files=known_files)
        except TriageError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        s = result.hash_set
        if result.created:
            self.stdout.write(f"{file}: imported {s.entries:,} entries as hash set {s.pk} {s.name!r} "
                              f"({s.format}, {s.get_kind_display().lower()}, scheme {s.scheme}, "
                              f"SHA-256 {s.sha256}).")
            conflicts = s.conflicts_found
            if conflicts is not None and conflicts.total:
                self.stdout.write(f"category conflict: {conflicts.within:,} hash(es) under two categories in this "
                                  f"set, {conflicts.between:,} categorised differently from an earlier set "
                                  "(both categories kept):")
                for e in conflicts.examples[:20]:
                    said = "; ".join(f"{k['label']} ({k['set']})" for k in e["categories"])
                    self.stdout.write(f"  {e['kind'].upper()} {e['hash']}: {said}")
            segmented = s.report.get("segmented_media", 0)
            if segmented:
                self.stdout.write(f"{segmented:,} video(s) categorised by segment, each taking its most severe "
                                  "segment's category:")
                for v in s.segmented_listed[:20]:
                    self.stdout.write(f"  {v['hash']}: {v['label']} (segments: {', '.join(v['segments'])})")
        else:
            self.stdout.write(f"{file}: already imported as hash set {s.pk} {s.name!r} on "
                              f"{s.imported_at:%Y-%m-%d %H:%M} UTC; nothing new was created.")
