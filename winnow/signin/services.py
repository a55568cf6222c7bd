"""Sign-in use cases that change state and the audit trail together: enrolling a second factor, recovery codes,
unlocking a locked-out username, resetting someone's second factor."""

from __future__ import annotations

import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from winnow.accounts.models import User
from winnow.audit.services import AuditAction, audit_record

RECOVERY_DEVICE_NAME = "recovery codes"


def recovery_codes_issue(*, user: User, actor: Any) -> list[str]:
    """Replace the user's recovery codes with new single-use ones; returned once, stored only as django-otp keeps
    them. The old codes stop working."""
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(settings.WINNOW_RECOVERY_CODES)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                       defaults={"confirmed": True})
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_record(actor=actor, action=AuditAction.MFA_RECOVERY_CODES, unit_id=None, target=user,
                     detail={"count": len(codes)})
    return codes


def totp_enrol(*, user: User, device: TOTPDevice) -> list[str]:
    """Confirm a TOTP device whose first code was right: it replaces any earlier one, and new recovery codes are
    made with it."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action=AuditAction.MFA_ENROL, unit_id=None, target=user,
                     detail={"device": "totp"})
        return recovery_codes_issue(user=user, actor=user)


def mfa_reset(*, user: User, actor: Any) -> int:
    """An administrator's reset for someone who lost their authenticator: every device goes, and the person sets
    up a new one at their next sign-in."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        audit_record(actor=actor, action=AuditAction.MFA_RESET, unit_id=None, target=user,
                     detail={"user": user.username})
    return removed


def lockout_lift(*, username: str, actor: Any) -> int:
    """Lift django-axes' lockout of a username. Returns how many recorded attempts were cleared."""
    with transaction.atomic():
        cleared = axes_reset(username=username)
        target = User.objects.filter(username=username).first()
        audit_record(actor=actor, action=AuditAction.SIGNIN_UNLOCK, unit_id=None,
                     target_type="user", target_id=str(target.pk) if target else "",
                     detail={"username": username, "attempts_cleared": cleared})
    return int(cleared)
