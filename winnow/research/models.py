"""Structured case facts: what case work found about a subject of a referral, in the shared vocabulary.

A `CaseFact` is one chosen option of one measure for one subject of one referral. Recording a measure again is a
correction: the earlier rows stop being current (`current`, the one column that changes, as a referral's status
does) and the new rows point at what they correct; nothing is deleted or edited in place. A measure with no
current rows is unknown; "unknown" recorded says someone looked and could not tell, and neither is "no".

`TrendCount` is derived: the number of subjects with each current option per unit, measure and quarter of
referral, kept in step by the recording service in the same transaction, so the trends pages read a few hundred
rows at any volume. `trends_rebuild` recomputes it from the facts; a test holds the two equal.

`RereferralCase` is derived too: one row per case (a subject with case facts) that linkage has put into a person
with other subjects, with the days to that person's next later referral (none yet: censored). Recording a
subject's first facts writes its row in the same transaction; linkage decisions (merges and their undoing) are
counted by `rereferral_refresh`, which the task worker runs when `RereferralState` shows decisions not yet counted
(linkage sits below research, so it cannot call up into it). The re-referral page reads these rows grouped, never
the memberships, subjects and referrals behind them.

`ExportApproval` is a supervisor's approval of one research export, with its purpose and recipient, recorded
before `winnow research-export` writes it; each approval is used by one export.
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


class RereferralCase(models.Model):
    """Derived, not a record: a case in a linked person, `days` to the person's next later referral (None: none
    yet), `quarter` the quarter its referral was received (as its case facts hold it)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    quarter = models.PositiveIntegerField()
    days = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "quarter", "days"], name="rereferral_unit")]

    def __str__(self) -> str:
        return f"subject {self.subject_id}: {self.days if self.days is not None else 'not'} re-referred"


class RereferralState(models.Model):
    """How far `rereferral_refresh` has counted a unit's linkage decisions: the latest merge and undo it has seen
    and how many of each there were (a count that grows without a new latest id is a decision that committed late)."""

    unit = models.OneToOneField("accounts.Unit", on_delete=models.PROTECT, related_name="+", primary_key=True)
    merges_seen = models.BigIntegerField(default=0)
    merges_counted = models.BigIntegerField(default=0)
    undos_seen = models.BigIntegerField(default=0)
    undos_counted = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"re-referral counted to merge {self.merges_seen}, undo {self.undos_seen}"


class ExportApproval(PermanentModel):
    """A supervisor of the unit approved a research export: what it is for, who receives it, and whether it may
    include the record-level extract. `winnow research-export` uses the oldest approval not yet used."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.TextField()
    recipient = models.CharField(max_length=300)
    record_level = models.BooleanField(help_text="The record-level pseudonymised extract may be included")
    approved_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ExportApproval]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["approved_at", "id"]

    def __str__(self) -> str:
        return f"Approval {self.pk} for {self.recipient}"


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
    approval = models.OneToOneField(ExportApproval, null=True, on_delete=models.PROTECT, related_name="export")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ResearchExport]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Research export {self.pk} for {self.recipient}"
