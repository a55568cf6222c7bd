"""Structured case facts: what case work found about a subject of a referral, in the shared vocabulary.

A `CaseFact` is one chosen option of one measure for one subject of one referral. Recording a measure again is a
correction: the earlier rows stop being current (`current`, the one column that changes, as a referral's status
does) and the new rows point at what they correct; nothing is deleted or edited in place. A measure with no
current rows is unknown; "unknown" recorded says someone looked and could not tell, and neither is "no".

`TrendCount` is derived: the number of subjects with each current option per unit, measure and quarter of
referral, kept in step by the recording service in the same transaction, so the trends pages read a few hundred
rows at any volume. `trends_rebuild` recomputes it from the facts; a test holds the two equal.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet


class CaseFactQuerySet(UnitScopedQuerySet):
    def current(self) -> CaseFactQuerySet:
        return self.filter(current=True)


class CaseFact(PermanentModel):
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="case_facts")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="case_facts")
    measure = models.CharField(max_length=40)
    value = models.CharField(max_length=40)
    quarter = models.PositiveIntegerField(help_text="Quarter the referral was received, e.g. 20201 (London time)")
    current = models.BooleanField(default=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, help_text="Why a correction was made")
    fictional_demo = models.BooleanField(default=False, help_text="Made by seed-demo; the trends pages say so")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    mutable_fields = frozenset({"current"})

    objects: ClassVar[models.Manager[CaseFact]] = CaseFactQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["subject", "measure"], condition=models.Q(current=True), name="casefact_current"),
            models.Index(fields=["unit", "measure", "quarter", "value"], condition=models.Q(current=True),
                         name="casefact_trend"),
            models.Index(fields=["unit"], condition=models.Q(fictional_demo=True), name="casefact_demo"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}={self.value}"


class TrendCount(models.Model):
    """Derived, not a record: subjects with `value` current for `measure` in a quarter; value "" counts the
    subjects with the measure recorded at all (the n)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(max_length=40)
    value = models.CharField(max_length=40, blank=True)
    quarter = models.PositiveIntegerField()
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "measure", "value", "quarter"], name="trendcount_unique")]

    def __str__(self) -> str:
        return f"{self.measure}={self.value or '*'} {self.quarter}: {self.cases}"


class ResearchExport(PermanentModel):
    """One research export written: who approved it, for what and for whom, and the SHA-256 of every file."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField()
    recipient = models.CharField(max_length=300)
    record_level = models.BooleanField()
    threshold = models.PositiveSmallIntegerField()
    k = models.PositiveSmallIntegerField()
    files = models.JSONField(help_text="file name -> SHA-256")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ResearchExport]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Research export {self.pk} for {self.recipient}"
