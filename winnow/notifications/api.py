"""Notifications in the JSON API (/api/v1/notifications). Errors use the API's one shape (winnow.api.api)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from winnow.audit.services import AuditAction, audit_search
from winnow.errors import ErrorOut

from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    message: str
    link: str
    created_at: datetime
    read: bool


@router.get("", response={200: list[NotificationOut], 400: ErrorOut, 401: ErrorOut}, summary="Your notifications")
def notifications(request: HttpRequest) -> Any:
    notes = list(Notification.objects.for_user(request.user).select_related("read")[:200])
    audit_search(request, AuditAction.NOTIFICATION_LIST, {"via": "api"})
    return [
        {"id": n.pk, "message": n.message, "link": n.link, "created_at": n.created_at,
         "read": hasattr(n, "read")}
        for n in notes
    ]
