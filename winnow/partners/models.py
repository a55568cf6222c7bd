"""Working with other units: a referral that links to another unit's person, referral or managed offender, the
alerts that follow, and requests for information between the two units.

What a unit learns of the other is need-to-know only: the other's reference, unit and contact (the officer who
owns the other side). Never the other's case details: its subjects, summary, identifiers or assessment stay with
it, and come across only as an answer to a request for information, which the other unit writes.

Every table is permanent (`winnow.permanence`): a request is answered by a new `InformationAnswer` row.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.permanence import PermanentModel, PermanentQuerySet


def units_of(user: Any) -> set[int]:
    """The units a signed-in user belongs to (none for anonymous)."""
    return set(user.unit_ids()) if user.is_authenticated else set()


class EitherSideQuerySet(PermanentQuerySet):
    """Rows that belong to two units: each member of either sees them."""

    side_fields: ClassVar[tuple[str, str]] = ("unit_id", "other_unit_id")

    def visible_to(self, user: Any) -> Any:
        if not user.is_authenticated:
            return self.none()
        units = user.unit_ids()
        first, second = self.side_fields
        return self.filter(models.Q(**{f"{first}__in": units}) | models.Q(**{f"{second}__in": units}))


class Deconfliction(PermanentModel):
    """A new referral's subject (in `unit`) links to a subject of another unit (`other_unit`): by an exact identifier
    at intake. `basis` names the kinds of identifier only (e.g. "same email address"), never a value of the other
    unit's. One row per pair of subjects."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    other_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    other_referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    other_subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    basis = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Deconfliction]] = EitherSideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subject", "other_subject"], name="deconfliction_unique_pair")]

    def __str__(self) -> str:
        return f"{self.referral.reference} links to {self.other_referral.reference}"

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", args=[self.pk])

    def side_for(self, unit_ids: Any) -> str:
        """'new' when the viewer belongs to the new referral's unit, else 'other'."""
        return "new" if self.unit_id in set(unit_ids) else "other"


class OffenderAlert(PermanentModel):
    """A referral of another unit links to a managed offender: the offender's manager was told. Same-unit links are
    the offenders app's `IntelligenceLink`; this row never puts the other unit's referral on the offender's page,
    only its reference, unit and contact."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+",
                             help_text="The offender's unit")
    offender = models.ForeignKey("offenders.ManagedOffender", on_delete=models.PROTECT, related_name="+")
    other_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+",
                                 help_text="The other unit's referral")
    deconfliction = models.ForeignKey(Deconfliction, on_delete=models.PROTECT, related_name="offender_alerts")
    reason = models.TextField()
    notification = models.ForeignKey("notifications.Notification", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[OffenderAlert]] = EitherSideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["offender", "referral"], name="offenderalert_unique")]

    def __str__(self) -> str:
        return f"referral {self.referral_id} links to MO-{self.offender_id}"


class InformationRequestQuerySet(EitherSideQuerySet):
    side_fields = ("from_unit_id", "to_unit_id")

    def unanswered(self) -> Any:
        return self.filter(answer__isnull=True)

    def overdue(self, today: date) -> Any:
        return self.unanswered().filter(due_on__lt=today)


class InformationRequest(PermanentModel):
    """One unit asks the other about a cross-unit link, by a deadline. Answered by an `InformationAnswer`."""

    deconfliction = models.ForeignKey(Deconfliction, on_delete=models.PROTECT, related_name="requests")
    from_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    due_on = models.DateField(help_text="The date the answer is needed by")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[InformationRequest]] = InformationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"request for information RFI-{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("partners:request", args=[self.pk])

    @property
    def answered(self) -> bool:
        return hasattr(self, "answer")

    def overdue_on(self, today: date) -> bool:
        return not self.answered and self.due_on < today


class InformationAnswer(PermanentModel):
    request = models.OneToOneField(InformationRequest, on_delete=models.PROTECT, related_name="answer")
    answer = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[InformationAnswer]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"answer to RFI-{self.request_id}"
