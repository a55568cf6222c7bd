"""What an investigation found, per subject, recorded when the referral closes; and later follow-ups.

Both are append-only (the models refuse edits and deletes; database triggers refuse raw SQL, see winnow/permanence.py).
A correction is a new `SubjectOutcome` that `supersedes` the previous one; a later conviction is a new
`OutcomeFollowUp` pointing at the outcome. Unknown stays unknown: a count left blank is stored as null, never 0, and
"unknown" is one of the contact-offending answers.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.permanence import PermanentModel, UnitScopedQuerySet


class ContactOffending(models.TextChoices):
    """Contact sexual offending against a child found in this investigation: KIRAT's validation criterion."""

    CONVICTED = "convicted", "Convicted"
    CHARGED = "charged", "Charged"
    ALLEGED = "alleged", "Alleged, with evidence"
    NONE_FOUND = "none_found", "None found"
    UNKNOWN = "unknown", "Unknown"


# The outcome a validation counts: convicted, charged or alleged with evidence is an event; none found is not;
# unknown is excluded and counted.
EVENT = {ContactOffending.CONVICTED: True, ContactOffending.CHARGED: True, ContactOffending.ALLEGED: True,
         ContactOffending.NONE_FOUND: False, ContactOffending.UNKNOWN: None}


class SubjectOutcomeQuerySet(UnitScopedQuerySet):
    def current(self) -> SubjectOutcomeQuerySet:
        """Outcomes no later correction supersedes."""
        # NOT EXISTS, not `superseded_by__isnull` (LEFT JOIN ... IS NULL): PostgreSQL plans it as an anti join with a
        # sane row estimate; the outer-join form was estimated at one row and nested-looped over 100,000.
        return self.filter(~models.Exists(SubjectOutcome.objects.filter(supersedes_id=models.OuterRef("pk"))))


class SubjectOutcome(PermanentModel):
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="outcomes")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="outcomes")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    contact_offending = models.CharField(max_length=12, choices=ContactOffending.choices)
    children_safeguarded = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: unknown")
    victims_identified = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: unknown")
    # category label -> files, from triage's collection summaries where the referral has any; else as recorded.
    iioc_counts = models.JSONField(default=dict, blank=True)
    iioc_from_exhibits = models.BooleanField(default=False)
    charge = models.TextField(blank=True)
    court_outcome = models.TextField(blank=True)
    note = models.TextField(blank=True)
    fictional_demo = models.BooleanField(default=False, help_text="Made by seed-demo: fictional")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[SubjectOutcome]] = SubjectOutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["subject_id", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["unit", "recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="subjectoutcome_correction_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_offending_display()} for subject {self.subject_id}"

    @property
    def event(self) -> bool | None:
        return EVENT[ContactOffending(self.contact_offending)]


class OutcomeFollowUp(PermanentModel):
    class Kind(models.TextChoices):
        LATER_CONVICTION = "later_conviction", "Later conviction"
        LATER_REFERRAL = "later_referral", "Later referral linked to the same person"

    outcome = models.ForeignKey(SubjectOutcome, on_delete=models.PROTECT, related_name="follow_ups")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    contact_offence = models.BooleanField(default=False, help_text="The later conviction is for a contact offence")
    later_referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[OutcomeFollowUp]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "later_referral"], condition=models.Q(later_referral__isnull=False),
                                    name="followup_later_referral_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"
