"""Safeguarding referrals to children's social care, and the concerns that make them due.

Every table is permanent (winnow.permanence: never deleted, never edited; database triggers refuse raw SQL too).

- A `Concern` is a child identified as at risk, for whom a safeguarding referral is due by `due_at`
  (winnow.core.safeguarding): raised by the service that records the trigger (intake and intake corrections for
  immediate danger, assessments for a child in the household or with access, victim identification and case
  actions for a victim identified). It is overdue while no safeguarding referral covers it after its deadline.
- A `SafeguardingReferral` records when, to whom and by whom the referral was made, and the strategy discussion's
  date and outcome. A correction, or the strategy discussion held later, is a new version that supersedes the last
  (`supersedes`, with the reason); every version keeps `original`, the first, so the covered concerns
  (`CoveredConcern`, on the first version) hold across versions. The first version stays visible.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from winnow.core import safeguarding as core
from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet

TRIGGER_CHOICES = [(t.value, t.label) for t in core.Trigger]
OUTCOME_CHOICES = [(o.value, o.label) for o in core.Outcome]


class ConcernQuerySet(UnitScopedQuerySet):
    def uncovered(self) -> ConcernQuerySet:
        """Concerns still open: no safeguarding referral covers them and no supervisor has withdrawn them."""
        return self.filter(~Exists(CoveredConcern.objects.filter(concern=OuterRef("pk"))),
                           ~Exists(ConcernWithdrawal.objects.filter(concern=OuterRef("pk"))))

    def overdue(self, now: datetime) -> ConcernQuerySet:
        """Past the deadline with no safeguarding referral made."""
        return self.uncovered().filter(due_at__lte=now)


class Concern(PermanentModel):
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="safeguarding_concerns")
    subject = models.ForeignKey("referrals.Subject", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                help_text="The child, when recorded as a subject (a victim identified)")
    trigger = models.CharField(max_length=24, choices=TRIGGER_CHOICES)
    reason = models.TextField(help_text="What raised it, e.g. the assessment and the answers")
    source = models.CharField(max_length=64, blank=True, help_text="The record that raised it, e.g. assessment:12")
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()

    objects: ClassVar[models.Manager[Concern]] = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["unit", "due_at"]), models.Index(fields=["referral", "trigger"])]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} ({self.referral_id})"

    @property
    def due_day(self) -> date:
        return core.due_day(self.due_at)

    def made_at(self) -> datetime | None:
        """When the earliest safeguarding referral covering it was made (its current version's time)."""
        times = [c.safeguarding_referral.current().made_at for c in self.coverage.all()]
        return min(times, default=None)

    def withdrawn(self) -> ConcernWithdrawal | None:
        return getattr(self, "withdrawal", None)

    def standing(self, now: datetime) -> core.Standing:
        withdrawal = self.withdrawn()
        return core.standing(due_at=self.due_at, made_at=self.made_at(), now=now,
                             withdrawn_at=withdrawal.withdrawn_at if withdrawal else None)


class ConcernWithdrawal(PermanentModel):
    """A supervisor's record that a concern needs no safeguarding referral (the danger flag corrected to No, a
    child found not to live there), with the reason. The concern itself stays, with this beside it."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="withdrawal")
    reason = models.TextField()
    withdrawn_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ConcernWithdrawal]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"withdrawal of concern {self.concern_id}"


class SafeguardingReferralQuerySet(UnitScopedQuerySet):
    def current(self) -> SafeguardingReferralQuerySet:
        """The versions no later version supersedes."""
        return self.filter(~Exists(SafeguardingReferral.objects.filter(supersedes=OuterRef("pk"))))


class SafeguardingReferral(PermanentModel):
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="safeguarding_referrals")
    version = models.PositiveIntegerField(default=1)
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="versions",
                                 help_text="The first version (empty on the first version itself)")
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    made_at = models.DateTimeField(help_text="When the referral was made to children's social care")
    local_authority = models.CharField(max_length=200, help_text="To whom: the local authority")
    recipient = models.CharField(max_length=200, help_text="To whom: the team or person, e.g. the MASH duty desk")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                help_text="The officer who made it")
    strategy_held_on = models.DateField(null=True, blank=True)
    strategy_outcome = models.CharField(max_length=24, choices=OUTCOME_CHOICES, blank=True)
    strategy_notes = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="Why this version replaces the last (empty on the first)")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[SafeguardingReferral]] = SafeguardingReferralQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(version=1) | ~models.Q(reason=""),
                                   name="safeguardingreferral_later_version_needs_reason"),
        ]

    def __str__(self) -> str:
        return f"Safeguarding referral to {self.local_authority} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("safeguarding:referral", args=[self.referral_id]) + f"#record-{self.first_id}"

    @property
    def first_id(self) -> int:
        return self.original_id or self.pk

    def first(self) -> SafeguardingReferral:
        return self.original or self

    def chain(self) -> list[SafeguardingReferral]:
        """Every version, first first."""
        first = self.first()
        return [first, *sorted(first.versions.all(), key=lambda v: v.version)]

    def current(self) -> SafeguardingReferral:
        return self.chain()[-1]

    def get_strategy_outcome_label(self) -> str:
        return core.Outcome(self.strategy_outcome).label if self.strategy_outcome else ""


class CoveredConcern(PermanentModel):
    """A concern a safeguarding referral answers (kept on its first version)."""

    safeguarding_referral = models.ForeignKey(SafeguardingReferral, on_delete=models.PROTECT, related_name="covers")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="coverage")

    objects: ClassVar[models.Manager[CoveredConcern]] = PermanentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["safeguarding_referral", "concern"],
                                               name="coveredconcern_unique")]

    def __str__(self) -> str:
        return f"{self.safeguarding_referral_id} covers {self.concern_id}"
