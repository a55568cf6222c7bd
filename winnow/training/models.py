"""Training attempts, the force's pass standard, knowledge-module completions and live second codings.

All four are permanent (winnow.permanence: edits and deletes refused in Python and by database triggers). A
changed standard is a new `TrainingStandard` row (the latest for a unit is in force); a retaken vignette is a new
attempt. None of them is an Assessment: a training attempt has no referral and no subject, so it can never appear
in the queue, a referral's assessments or the validation report. A `SecondCoding` points at a live Assessment and
changes nothing about it: the first assessment's band stays the referral's band unless a supervisor decides.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from winnow.core.training import Attempt, Standard
from winnow.permanence import PermanentModel, PermanentQuerySet


class TrainingAttemptQuerySet(PermanentQuerySet):
    def for_version(self, instrument_id: str, version: str) -> TrainingAttemptQuerySet:
        return self.filter(instrument_id=instrument_id, instrument_version=version)


class TrainingAttempt(PermanentModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attempts")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+",
                             help_text="The unit the officer trained in: its supervisors see the attempt")
    vignette_id = models.CharField(max_length=80)
    vignette_sha256 = models.CharField(max_length=64)
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=32)
    instrument_sha256 = models.CharField(max_length=64)
    answers = models.JSONField(help_text="item id -> the answer as text; every item present")
    band = models.CharField(max_length=32, blank=True)
    score = models.IntegerField(null=True, blank=True)
    score_max = models.IntegerField(null=True, blank=True)
    reference_band = models.CharField(max_length=32, blank=True)
    reference_score = models.IntegerField(null=True, blank=True)
    items_agreed = models.PositiveSmallIntegerField()
    items_total = models.PositiveSmallIntegerField()
    outcome_exact = models.BooleanField(help_text="The band (or, for a score, the score) exactly the reference")
    completed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[TrainingAttempt]] = TrainingAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [models.Index(fields=["user", "instrument_id", "instrument_version", "completed_at"])]

    def as_core(self) -> Attempt:
        return Attempt(self.vignette_id, self.items_agreed, self.items_total, self.outcome_exact, self.completed_at)

    @property
    def item_agreement(self) -> float:
        return self.items_agreed / self.items_total if self.items_total else 0.0


class TrainingStandard(PermanentModel):
    """The force's pass standard for a unit. Defaults are Winnow's (see winnow.core.training.certification)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    min_item_agreement = models.FloatField(default=0.85)
    min_band_exact = models.FloatField(default=0.80)
    min_vignettes = models.PositiveSmallIntegerField(default=6)
    refresher_months = models.PositiveSmallIntegerField(default=12)
    double_coding_share = models.FloatField(default=0.05, help_text="Share of live assessments offered for a "
                                            "blind second coding, 0-1")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[TrainingStandard]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_item_agreement__gt=0, min_item_agreement__lte=1,
                                                      min_band_exact__gt=0, min_band_exact__lte=1,
                                                      double_coding_share__gte=0, double_coding_share__lte=1),
                                   name="trainingstandard_shares"),
        ]

    def as_core(self) -> Standard:
        return Standard(self.min_item_agreement, self.min_band_exact, self.min_vignettes, self.refresher_months)


DEFAULT_DOUBLE_CODING_SHARE = 0.05


def standard_for(unit_id: int) -> tuple[Standard, float, TrainingStandard | None]:
    """The standard in force for a unit: (pass standard, double-coding share, the row, or None for defaults)."""
    row = TrainingStandard.objects.filter(unit_id=unit_id).first()
    if row is None:
        return Standard(), DEFAULT_DOUBLE_CODING_SHARE, None
    return row.as_core(), row.double_coding_share, row


class ModuleCompletion(PermanentModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="module_completions")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    module_id = models.CharField(max_length=80)
    module_sha256 = models.CharField(max_length=64)
    answers = models.JSONField()
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ModuleCompletion]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at", "id"]


class SecondCodingQuerySet(PermanentQuerySet):
    def visible_to(self, user: Any) -> SecondCodingQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(first__referral__unit_id__in=user.unit_ids())


class SecondCoding(PermanentModel):
    """A blind second assessment of a live case, kept beside the first. It sets no band and no priority."""

    first = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="second_codings")
    answers = models.JSONField()
    band = models.CharField(max_length=32, blank=True)
    band_label = models.CharField(max_length=100, blank=True)
    score = models.IntegerField(null=True, blank=True)
    score_max = models.IntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SecondCoding]] = SecondCodingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["first"], name="one_second_coding_per_assessment")]
