"""Sending and reading notifications, each with its audit event in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from winnow.audit.services import AuditAction, audit_record
from winnow.referrals.models import Referral

from .models import Notification, NotificationRead


def notification_send(
    *, recipient: Any, unit_id: int, message: str, link: str, referral: Referral | None, actor: Any, now: datetime | None = None,
) -> Notification:
    note = Notification.objects.create(
        recipient=recipient, unit_id=unit_id, message=message, link=link, referral=referral,
        created_at=now or timezone.now(),
    )
    audit_record(
        actor=actor, action=AuditAction.NOTIFICATION_CREATE, unit_id=unit_id, target=note,
        detail={"recipient": recipient.get_username(), "referral": referral.reference if referral else ""},
    )
    return note


def notification_read(*, notification: Notification, actor: Any,
                      now: datetime | None = None) -> bool:
    """Mark read (a new NotificationRead row); False if it was already read."""
    with transaction.atomic():
        if NotificationRead.objects.filter(notification=notification).exists():
            return False
        NotificationRead.objects.create(notification=notification, read_at=now or timezone.now())
        audit_record(actor=actor, action=AuditAction.NOTIFICATION_READ, unit_id=notification.unit_id, target=notification)
    return True
