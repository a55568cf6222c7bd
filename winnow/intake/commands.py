"""What the intake commands share: the person recording and the unit they record into, checked as the pages check."""

from __future__ import annotations

from django.core.management.base import CommandError

from winnow.accounts.models import Unit, User
from winnow.permissions import Capability, command_require


def recorder_and_unit(username: str, unit_code: str) -> tuple[User, Unit]:
    """The active user and the unit, or a CommandError that says which is wrong; the user must record there."""
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"no active user {username!r}") from None
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise CommandError(f"no unit {unit_code!r}")
    command_require(user, Capability.RECORD_REFERRALS, unit.pk)
    return user, unit
