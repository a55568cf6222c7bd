"""Audit a failed sign-in and a lockout, whichever way in was tried: Django's `user_login_failed` and django-axes'
`user_locked_out` are the only places those two are known. Successful sign-in and sign-out are audited by the
views that do them (winnow.signin.views)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.dispatch import receiver

from winnow.accounts.models import User
from winnow.audit.services import AuditAction, audit_record


def address(request: Any) -> str:
    return str(getattr(request, "META", {}).get("REMOTE_ADDR", ""))[:64] if request is not None else ""


def _target_id(username: str) -> str:
    user = User.objects.filter(username=username).only("pk").first()
    return str(user.pk) if user else ""


@receiver(user_login_failed, dispatch_uid="winnow.signin.login_failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.SIGNIN_FAILED, unit_id=None,
                     target_type="user", target_id=_target_id(username),
                     detail={"username": username, "address": address(request),
                             "locked_out": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="winnow.signin.locked_out")
def on_locked_out(sender: Any, request: Any, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    username = str(username or "")[:150]
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.SIGNIN_LOCKOUT, unit_id=None,
                     target_type="user", target_id=_target_id(username),
                     detail={"username": username, "address": str(ip_address or "")[:64]})
