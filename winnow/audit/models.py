"""Audit events: permanent (winnow.permanence: the model and the database refuse edits and deletes) and hash-chained,
one keyed chain per shard (winnow.core.auditchain): `seq` numbers the events of one shard, the id orders them all."""

from __future__ import annotations

from datetime import UTC
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.accounts.models import Membership
from winnow.core.auditchain import CHAINED_FIELDS, LEGACY_SHARD
from winnow.permanence import PermanentModel, PermanentQuerySet
from winnow.permissions import Capability, units_with


class AuditEventQuerySet(PermanentQuerySet):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        if not user.is_authenticated:
            return self.none()
        units = units_with(user, Capability.READ_AUDIT)
        # Events with no unit (list views, searches, token issue) belong to the people who made them.
        members = Membership.objects.filter(unit_id__in=units).values("user_id")
        return self.filter(models.Q(unit_id__in=units) | models.Q(unit__isnull=True, actor_id__in=members))


class AuditEvent(PermanentModel):
    # The chain this event belongs to: "unit:<id>", "global" (no unit) or "legacy" (written before the chains were
    # keyed and split); `seq` counts within it.
    shard = models.CharField(max_length=32, default=LEGACY_SHARD)
    seq = models.PositiveBigIntegerField()
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

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["shard", "seq"], name="auditevent_unique_seq_per_shard")]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["unit", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.shard} #{self.seq} {self.action} {self.target_type}:{self.target_id} by {self.actor_username}"

    def chained(self) -> dict[str, Any]:
        """The fields the hash covers, in the form they were hashed."""
        values = {name: getattr(self, name) for name in CHAINED_FIELDS}
        values["occurred_at"] = self.occurred_at.astimezone(UTC).isoformat()
        values["prev_hash"] = self.prev_hash
        values["hash"] = self.hash
        return values
