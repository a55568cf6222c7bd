"""Assessments of a referral's subject, supervisors' band decisions, and youth pathway decisions.

All three are permanent (winnow.permanence: the models refuse edits and deletes; database triggers refuse raw
SQL). A re-assessment is a new Assessment that `supersedes` the previous one; a supervisor's later
decision is a new BandDecision; a revised youth pathway decision is a new YouthPathwayDecision.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.core.priority import Band as PriorityBand
from winnow.permanence import PermanentModel, PermanentQuerySet

from .registry import registry
from .youth import CONDITIONS, immediate_referral_needed, outcome_21_blockers

NOT_SCORABLE = "not_scorable"


class VisibleQuerySet(PermanentQuerySet):
    def visible_to(self, user: Any) -> Any:
        """Only the units the user belongs to, through the referral (invariant 6)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(referral__unit_id__in=user.unit_ids())


class AssessmentQuerySet(VisibleQuerySet):
    def latest_versions(self) -> AssessmentQuerySet:
        """Assessments no later version supersedes."""
        # NOT EXISTS, not `superseded_by__isnull` (LEFT JOIN ... IS NULL): PostgreSQL plans it as an anti join with a
        # sane row estimate; the outer-join form was estimated at one row and nested-looped over 100,000.
        return self.filter(~models.Exists(Assessment.objects.filter(supersedes_id=models.OuterRef("pk"))))


class Assessment(PermanentModel):
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="assessments")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="assessments")
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=32)
    instrument_sha256 = models.CharField(max_length=64)
    instrument_title = models.CharField(max_length=200)
    instrument_notice = models.TextField(blank=True, help_text="The instrument's own notice, as it was then")
    # item id -> the answer as text ("yes", "no", "unknown", "3", an option id, "2026-01-31"); every item is present,
    # so an unknown is recorded as "unknown", never left out.
    answers = models.JSONField()
    evidence = models.JSONField(default=dict, blank=True, help_text="item id -> evidence note")
    other_results = models.JSONField(default=dict, blank=True, help_text="Other instruments' results used")
    band = models.CharField(max_length=32, blank=True, help_text="Band id, 'not_scorable', or empty for a score")
    band_label = models.CharField(max_length=100, blank=True)
    score = models.IntegerField(null=True, blank=True)
    score_max = models.IntegerField(null=True, blank=True)
    decided_by = models.CharField(max_length=300)
    rule_id = models.CharField(max_length=32, blank=True)
    step_id = models.CharField(max_length=64, blank=True)
    drivers = models.JSONField(default=list, blank=True)
    explanation = models.JSONField(default=list)
    unknown_count = models.PositiveIntegerField()
    unknown_items = models.JSONField(default=list, blank=True)
    rests_on_unknowns = models.BooleanField(default=False)
    highest_possible_band = models.CharField(max_length=100, blank=True)
    not_scorable_reason = models.TextField(blank=True)
    applicability_warnings = models.JSONField(default=list, blank=True)
    subject_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Whole years, at assessment")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Assessment]] = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "instrument_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.instrument_title} v{self.version} for {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    @property
    def sets_referral_band(self) -> bool:
        return bool(registry().priority_bands(self.instrument_id))

    @property
    def has_band(self) -> bool:
        return bool(self.band) and self.band != NOT_SCORABLE

    @property
    def scorable(self) -> bool:
        return self.band != NOT_SCORABLE

    def score_text(self) -> str:
        if self.score is None:
            return ""
        return str(self.score) if self.score_max in (None, self.score) else f"{self.score}-{self.score_max}"

    def band_choices(self) -> list[tuple[str, str]]:
        """The bands a supervisor may decide: the instrument's bands that map onto the queue's, highest first."""
        mapping = registry().priority_bands(self.instrument_id)
        return [(band_id, band.label) for band in PriorityBand for band_id, mapped in mapping.items() if mapped is band]

    def priority_band(self, band_id: str) -> PriorityBand:
        return registry().priority_bands(self.instrument_id)[band_id]

    def instrument(self) -> Any:
        """The loaded instrument if, and only if, it is the very file (same SHA-256) that scored this assessment."""
        loaded = registry().get(self.instrument_id, self.instrument_version)
        return loaded if loaded is not None and loaded.sha256 == self.instrument_sha256 else None

    def instrument_status(self) -> str:
        """Empty when the same file is loaded; otherwise why the stored result cannot be scored again."""
        loaded = registry().get(self.instrument_id, self.instrument_version)
        if loaded is None:
            return (
                f"{self.instrument_id} version {self.instrument_version} is no longer loaded. The result below is "
                "the one recorded at the time; it cannot be scored again."
            )
        if loaded.sha256 != self.instrument_sha256:
            return (
                f"The file for {self.instrument_id} version {self.instrument_version} has changed since this "
                f"assessment (recorded SHA-256 {self.instrument_sha256[:12]}…, loaded {loaded.sha256[:12]}…). "
                "The result below is the one recorded at the time; it is not scored again against the changed file."
            )
        return ""

    def current_decision(self) -> BandDecision | None:
        return self.decisions.order_by("-created_at", "-id").first()


class BandDecision(PermanentModel):
    class Decision(models.TextChoices):
        CONFIRM = "confirm", "Confirm the computed band"
        OVERRIDE = "override", "Override the computed band"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="decisions")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    computed_band = models.CharField(max_length=32, help_text="The assessment's band when decided")
    decided_band = models.CharField(max_length=12, choices=[(b.value, b.label) for b in PriorityBand])
    rationale = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[BandDecision]] = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(rationale=""), name="banddecision_needs_rationale"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.get_decided_band_display()}"


class YouthPathwayDecision(PermanentModel):
    class Recommendation(models.TextChoices):
        OUTCOME_21 = "outcome_21", "Outcome 21: further action not in the public interest"
        INVESTIGATE = "investigate", "Full investigation"
        ENQUIRIES = "enquiries", "Further safeguarding enquiries before deciding"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="youth_decisions")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="youth_decisions")
    subject_age = models.PositiveSmallIntegerField(null=True, blank=True)
    safeguarding_referral_made = models.BooleanField()
    safeguarding_reason = models.TextField()
    outcome_21_considered = models.BooleanField()
    conditions = models.JSONField(help_text="condition id -> yes, no or unknown")
    condition_reasons = models.JSONField(help_text="condition id -> reason")
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    reason = models.TextField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[YouthPathwayDecision]] = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Youth pathway for {self.subject}: {self.get_recommendation_display()}"

    def condition_rows(self) -> list[tuple[str, str, str]]:
        return [(q, self.conditions.get(cid, "unknown"), self.condition_reasons.get(cid, "")) for cid, q in CONDITIONS.items()]

    def outcome_21_blockers(self) -> list[str]:
        return [CONDITIONS[c] for c in outcome_21_blockers(self.conditions)]

    def immediate_referral(self) -> list[str]:
        return [CONDITIONS[c] for c in immediate_referral_needed(self.conditions)]
