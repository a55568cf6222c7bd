"""Notifications: a message to one person in one unit, and the row that says it was read.

Both are append-only: a notification never changes; reading it is a new `NotificationRead`. Any app may send one
(linkage, offenders, workload) through `winnow.notifications.services`; none of them imports another for this.
The tables keep the names they had when notifications lived in the linkage app (`linkage_notification`,
`linkage_notificationread`), so moving the code moved no data.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.permanence import PermanentModel, PermanentQuerySet


class NotificationQuerySet(PermanentQuerySet):
    def for_user(self, user: Any) -> Any:
        """A user's own notifications, in units they still belong to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, unit_id__in=user.unit_ids())

    def unread(self) -> Any:
        return self.filter(read__isnull=True)


class Notification(PermanentModel):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    message = models.TextField()
    link = models.CharField(max_length=500, blank=True, help_text="A path inside Winnow")
    referral = models.ForeignKey("referrals.Referral", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Notification]] = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "linkage_notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "created_at"], name="linkage_not_recipie_039bb9_idx")]

    def __str__(self) -> str:
        return self.message[:80]


class NotificationRead(PermanentModel):
    """Reading a notification is a new row (the notification itself never changes)."""

    notification = models.OneToOneField(Notification, on_delete=models.PROTECT, related_name="read")
    read_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[NotificationRead]] = PermanentQuerySet.as_manager()

    class Meta:
        db_table = "linkage_notificationread"

    def __str__(self) -> str:
        return f"read {self.read_at:%Y-%m-%d %H:%M}"
