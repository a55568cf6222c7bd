from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from winnow.signin.services import lockout_lift


class Command(BaseCommand):
    help = "Lift the lockout of a username after repeated wrong passwords (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        cleared = lockout_lift(username=username, actor=None)
        self.stdout.write(f"{username}: unlocked ({cleared} recorded attempts cleared)")
