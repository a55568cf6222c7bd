"""Audit events: append-only and hash-chained. The model refuses updates and deletes; so does the database."""

from __future__ import annotations

from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.core.auditchain import CHAINED_FIELDS
from winnow.permissions import Capability, units_with


class ImmutableError(Exception):
    """An attempt to change or delete a record Winnow keeps forever."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError(f"{self.model.__name__} records are never edited in place")

    def delete(self) -> NoReturn:
        raise ImmutableError(f"{self.model.__name__} records are never deleted")


class UnitScopedQuerySet(AppendOnlyQuerySet):
    """Append-only records that belong to a unit (a `unit` foreign key)."""

    def visible_to(self, user: Any) -> Any:
        """Only the units the user belongs to (invariant 6: the check lives here, not in templates)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit_id__in=user.unit_ids())


class AuditEventQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        from winnow.accounts.models import Membership

        if not user.is_authenticated:
            return self.none()
        units = units_with(user, Capability.READ_AUDIT)
        # Events with no unit (list views, searches, token issue) belong to the people who made them.
        members = Membership.objects.filter(unit_id__in=units).values("user_id")
        return self.filter(models.Q(unit_id__in=units) | models.Q(unit__isnull=True, actor_id__in=members))


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey("accounts.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["unit", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id} by {self.actor_username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("audit events are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableError("audit events are never deleted")

    def chained(self) -> dict[str, Any]:
        """The fields the hash covers, in the form they were hashed."""
        values = {name: getattr(self, name) for name in CHAINED_FIELDS}
        values["occurred_at"] = self.occurred_at.astimezone(UTC).isoformat()
        values["prev_hash"] = self.prev_hash
        values["hash"] = self.hash
        return values
