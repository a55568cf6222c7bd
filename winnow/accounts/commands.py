"""Who a management command acts as: a named user, whose powers it checks, or the server's operator."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import CommandError

from winnow.accounts.models import User


def operator_or_user(username: str | None) -> Any:
    """A command's actor: the named active user (whose powers the command then checks), or None for the server's
    operator, who has shell access and so every power; audit events then say "system" and `command_origin` names
    the operating-system account."""
    if username is None:
        return None
    actor = User.objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"--user: no active user {username!r}")
    return actor


def command_origin(actor: Any) -> dict[str, str]:
    """What an audit event of a command records about where it came from."""
    if actor is not None:
        return {"via": "command"}
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the number still says who
        account = f"uid {os.getuid()}"
    return {"via": "command", "operator": account}
