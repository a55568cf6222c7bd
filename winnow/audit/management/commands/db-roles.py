from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from winnow.audit.roles import roles_apply, roles_sql


class Command(BaseCommand):
    help = ("Print (or --apply) the SQL for least-privilege PostgreSQL roles: an owner that migrates and an "
            "application role that cannot TRUNCATE, ALTER, DISABLE TRIGGER or SET session_replication_role. "
            "Passwords come from WINNOW_DB_OWNER_PASSWORD / WINNOW_DB_APP_PASSWORD when set.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--owner", default="winnow_owner", help="the role that owns the tables and migrates")
        parser.add_argument("--app", default="winnow_app", help="the role the application connects as")
        parser.add_argument("--apply", action="store_true", help="run the SQL (as a superuser) instead of printing it")
        parser.add_argument("--url", choices=["owner", "app"],
                            help="print DATABASE_URL with the owner's or the application role's name, and stop")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["url"]:
            self.stdout.write(self._url(options[options["url"]], options["url"]))
            return
        try:
            sql = roles_sql(using=options["database"], owner=options["owner"], app=options["app"],
                            owner_password=os.environ.get("WINNOW_DB_OWNER_PASSWORD") or None,
                            app_password=os.environ.get("WINNOW_DB_APP_PASSWORD") or None)
        except ValueError as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            raise CommandError(f"could not read the database: {error}".strip()) from None
        if not options["apply"]:
            self.stdout.write(sql)
            return
        try:
            roles_apply(sql, using=options["database"])
        except DatabaseError as error:
            raise CommandError(f"could not apply the roles (run as a superuser): {error}".strip()) from None
        self.stdout.write(f"roles applied: {options['owner']} owns every table; {options['app']} may read and "
                          "write rows only (migrate as the owner, serve as the application role)")

    def _url(self, role: str, which: str) -> str:
        from django.conf import settings

        parts = urlsplit(settings.DATABASE_URL)
        if not parts.scheme.startswith("postgres"):
            raise CommandError("database roles are for PostgreSQL (DATABASE_URL is not postgres://)")
        password = os.environ.get(f"WINNOW_DB_{which.upper()}_PASSWORD")
        host = parts.hostname or ""
        netloc = quote(role) + (":" + quote(password, safe="") if password else "") + "@" + host
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
