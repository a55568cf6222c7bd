from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from winnow.accounts.models import ApiToken, TokenScope, User
from winnow.audit.services import AuditAction, audit_record


class Command(BaseCommand):
    help = "Issue an API token for a user. The token is printed once; only its SHA-256 is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")
        parser.add_argument("--scope", choices=[s.value for s in TokenScope], default=TokenScope.READ.value,
                            help="read (the default) or write (may record referrals)")
        parser.add_argument("--days", type=int, default=None,
                            help=f"days until it expires (default WINNOW_API_TOKEN_DAYS, {settings.WINNOW_API_TOKEN_DAYS})")

    def handle(self, *args: Any, username: str, name: str, scope: str, days: int | None, **options: Any) -> None:
        if days is not None and not 1 <= days <= 366:
            raise CommandError(f"--days must be from 1 to 366, not {days}")
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {username!r}") from None
        with transaction.atomic():
            token, raw = ApiToken.issue(user=user, name=name, scope=scope, days=days)
            audit_record(actor=None, action=AuditAction.APITOKEN_CREATE, unit_id=None, target=token,
                         detail={"user": username, "name": name, "prefix": token.prefix, "scope": token.scope,
                                 "expires_at": token.expires_at.isoformat()})
        self.stdout.write(raw)
