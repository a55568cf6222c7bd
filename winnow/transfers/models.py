"""Transfers of a referral between units, and referral packages between installations: permanent records.

A referral's owning unit (`Referral.unit`, with its subjects and identifiers) moves only when a `TransferDecision`
accepting a `Transfer` is written, in the same transaction; the request and the decision are never edited, so the
referral's owners over time are read from them. `TransferDecision.held` keeps what the sending unit held at the
moment it let go: the sending unit's read-only view.

`PackageExport` and `PackageImport` are the two ends of a move between installations: each names the package's
SHA-256, which is how the two audits (one in each installation) are tied together.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from winnow.permanence import PermanentModel, PermanentQuerySet


class TransferQuerySet(PermanentQuerySet):
    def visible_to(self, user: Any) -> TransferQuerySet:
        """Transfers from or to one of the user's units (invariant 6)."""
        if not user.is_authenticated:
            return self.none()
        units = user.unit_ids()
        return self.filter(Q(from_unit_id__in=units) | Q(to_unit_id__in=units))

    def pending(self) -> TransferQuerySet:
        return self.filter(decision__isnull=True)


class Transfer(PermanentModel):
    """A sending supervisor's request that another unit take a referral over."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Transfer]] = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="transfer_needs_reason"),
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="transfer_between_two_units"),
        ]

    def __str__(self) -> str:
        return f"Transfer of {self.referral_id} from {self.from_unit_id} to {self.to_unit_id}"

    def get_absolute_url(self) -> str:
        return reverse("transfers:detail", args=[self.pk])

    @property
    def unit_id(self) -> int:
        """The unit the request belongs to, for winnow.audit.reads: the sending unit's."""
        return int(self.from_unit_id)

    @property
    def outcome(self) -> str:
        decision = getattr(self, "decision", None)
        if decision is None:
            return "Awaiting decision"
        return "Accepted" if decision.accepted else "Declined"


class TransferDecision(PermanentModel):
    """The receiving unit's answer. Accepting moves the referral; declining changes nothing else."""

    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="decision")
    accepted = models.BooleanField()
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    # What the sending unit held when the referral left it (empty when declined): its read-only view.
    held = models.JSONField(default=dict, blank=True)
    deadline_before = models.DateTimeField(null=True, blank=True)
    deadline_after = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[TransferDecision]] = PermanentQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="transferdecision_needs_reason")]

    def __str__(self) -> str:
        return f"{'Accepted' if self.accepted else 'Declined'}: transfer {self.transfer_id}"


class PackageExport(PermanentModel):
    """A referral written out as a signed package for another installation."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="package_exports")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the package file")
    manifest_sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    key_id = models.CharField(max_length=100)
    files = models.JSONField(help_text="The manifest's files: name, size and SHA-256 of each")
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    help_text="Empty: the server's operator ran `winnow export-referral` without --user")
    exported_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[PackageExport]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Export {self.sha256[:12]}"


class PackageImport(PermanentModel):
    """A package from another installation, verified and recorded as a new referral here."""

    referral = models.OneToOneField("referrals.Referral", on_delete=models.PROTECT, related_name="package_import")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the package file")
    manifest_sha256 = models.CharField(max_length=64)
    key_id = models.CharField(max_length=100, help_text="The trusted key whose signature verified")
    origin_reference = models.CharField(max_length=100)
    origin_unit = models.CharField(max_length=200)
    origin_installation = models.CharField(max_length=200, blank=True)
    manifest = models.JSONField(help_text="The verified manifest, chain of custody included")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[PackageImport]] = PermanentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="packageimport_once_per_unit")]

    def __str__(self) -> str:
        return f"Import of {self.origin_reference}"
