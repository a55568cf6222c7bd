"""Assignments and case actions: permanent records (winnow.permanence) from which the referral's assignee and time to action derive."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.permanence import PermanentModel, PermanentQuerySet
from winnow.referrals.models import Referral


class Assignment(PermanentModel):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Assignment]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} -> {self.assignee_id}"


class ActionKind(models.TextChoices):
    RESEARCH = "research", "Research"
    WARRANT_APPLIED = "warrant_applied", "Warrant applied for"
    WARRANT_GRANTED = "warrant_granted", "Warrant granted"
    WARRANT_EXECUTED = "warrant_executed", "Warrant executed"
    ARREST = "arrest", "Arrest"
    VOLUNTARY_INTERVIEW = "voluntary_interview", "Voluntary interview"
    DEVICES_SEIZED = "devices_seized", "Devices seized"
    SAFEGUARDING_REFERRAL = "safeguarding_referral", "Safeguarding referral"
    CHILD_SAFEGUARDED = "child_safeguarded", "Child safeguarded"
    VICTIM_IDENTIFIED = "victim_identified", "Victim identified"


# The actions that count as the referral being actioned (the clock the band's deadline runs against).
ENFORCEMENT_ACTIONS = frozenset({
    ActionKind.WARRANT_EXECUTED, ActionKind.ARREST, ActionKind.VOLUNTARY_INTERVIEW, ActionKind.DEVICES_SEIZED,
    ActionKind.CHILD_SAFEGUARDED,
})


class CaseAction(PermanentModel):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=32, choices=ActionKind.choices)
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[CaseAction]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["referral", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
