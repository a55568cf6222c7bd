from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from winnow.accounts.models import ApiToken, User
from winnow.audit.services import AuditAction, audit_record


class Command(BaseCommand):
    help = "Issue an API token for a user. The token is printed once; only its SHA-256 is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {username!r}") from None
        with transaction.atomic():
            token, raw = ApiToken.issue(user=user, name=name)
            audit_record(actor=None, action=AuditAction.APITOKEN_CREATE, unit_id=None, target=token,
                         detail={"user": username, "name": name, "prefix": token.prefix})
        self.stdout.write(raw)
