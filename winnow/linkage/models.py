"""Deconfliction records: what a CyberTipline package said beyond the referral's own columns, the links between
referrals (exact identifier links, "also known to another unit"), person linkage (proposals, decisions, people,
merges and their undoing). Notifications live in `winnow.notifications`.

Every table here is permanent (`winnow.permanence`: the models refuse edits and deletes, and so does the
database). State that changes is derived from later rows: a proposal is decided by a `ProposalDecision`, a merge
is undone by a `MergeUndo`. A subject's person is never a column
on the subject (subjects are append-only): it is its latest `PersonMembership` whose merge is not undone.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.core.linkage import probability_text, split_evidence
from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet

# ------------------------------------------------------------------------------------------- CyberTipline import


class ReferralDocument(PermanentModel):
    """One document of the package a referral arrived in, kept verbatim as a RawPackage (bytes + SHA-256)."""

    class Role(models.TextChoices):
        ZIP = "zip", "Zip archive as received"
        REPORT = "report", "CyberTipline report"
        FILE_DETAILS = "file_details", "File details"

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="documents")
    package = models.ForeignKey("referrals.RawPackage", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    name = models.CharField(max_length=255, help_text="The document's name as received (file or zip member)")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ReferralDocument]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class CyberTiplineReport(PermanentModel):
    """The report-level facts of an imported CyberTipline package. One per referral; unique per unit and package
    digest, which makes re-importing the same package a no-op."""

    referral = models.OneToOneField("referrals.Referral", on_delete=models.PROTECT, related_name="cybertipline")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    package_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the sorted SHA-256s of the package's XML documents"
    )
    report_id = models.CharField(max_length=40, blank=True)
    incident_type = models.CharField(max_length=100, blank=True)
    incident_time = models.DateTimeField(null=True, blank=True)
    incident_time_description = models.TextField(blank=True)
    platform = models.CharField(max_length=200, blank=True)
    escalate_to_high_priority = models.TextField(blank=True, help_text="The reporter's reason, verbatim")
    annotations = models.JSONField(default=dict, blank=True)
    batched = models.BooleanField(default=False, help_text="A batched report (batchedReport present)")
    batched_reason = models.CharField(max_length=200, blank=True)
    internet_details = models.JSONField(default=list, blank=True)
    law_enforcement = models.JSONField(null=True, blank=True)
    reporter = models.JSONField(null=True, blank=True)
    additional_info = models.TextField(blank=True)
    warnings = models.JSONField(
        default=list, blank=True,
        help_text="Elements and attributes the reader did not know: listed, not refused (kept in the documents)",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[CyberTiplineReport]] = UnitScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "package_sha256"], name="cybertipline_unique_package_per_unit")
        ]

    def __str__(self) -> str:
        return f"CyberTipline {self.report_id or self.package_sha256[:12]}"


class ReportedPerson(PermanentModel):
    """What the report said about a subject beyond the Subject's columns: its element, ESP account, screen name,
    display names, profile URLs, prior reports, estimated location, associated accounts, identifier details."""

    subject = models.OneToOneField("referrals.Subject", on_delete=models.PROTECT, related_name="cybertipline")
    source = models.CharField(max_length=200, help_text="Element path in the report, e.g. /report/victim[2]")
    platform = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ReportedPerson]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return self.source


class ReportedFile(PermanentModel):
    """One `<fileDetails>`: what the ESP said about a file. Never the file itself (Winnow holds no imagery)."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="reported_files")
    document = models.OneToOneField(ReferralDocument, on_delete=models.PROTECT, related_name="reported_file")
    report_id = models.CharField(max_length=40, blank=True)
    file_id = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=500, blank=True)
    original_file_name = models.CharField(max_length=500, blank=True)
    uploaded_to_esp_at = models.DateTimeField(null=True, blank=True)
    location_of_file = models.TextField(blank=True)
    viewed_by_esp = models.BooleanField(null=True)
    exif_viewed_by_esp = models.BooleanField(null=True)
    publicly_available = models.BooleanField(null=True)
    file_relevance = models.CharField(max_length=40, blank=True)
    potential_meme = models.BooleanField(null=True)
    industry_classification = models.CharField(max_length=4, blank=True)
    md5 = models.CharField(max_length=32, blank=True, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True, db_index=True)
    hashes = models.JSONField(default=list, help_text="Every originalFileHash: [{type, value}]")
    annotations = models.JSONField(null=True, blank=True)
    ip_capture_events = models.JSONField(default=list, blank=True)
    device_ids = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=list, blank=True)
    additional_info = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ReportedFile]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_file_name or self.file_name or self.file_id


# ---------------------------------------------------------------------------------------------------- exact links


class IdentifierLinkQuerySet(UnitScopedQuerySet):
    def touching(self, referral: Any) -> Any:
        return self.filter(models.Q(referral=referral) | models.Q(linked_referral=referral))


class IdentifierLink(PermanentModel):
    """A new referral's subject shares a normalised identifier with an earlier subject in the same unit. `reason`
    says which identifier, and for IP addresses why the sightings may link (time gap or same account)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    identifier = models.ForeignKey("referrals.Identifier", on_delete=models.PROTECT, related_name="+")
    linked_referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    linked_subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    linked_identifier = models.ForeignKey("referrals.Identifier", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16)
    normalised = models.CharField(max_length=500)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[IdentifierLink]] = IdentifierLinkQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "linked_identifier"], name="identifierlink_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.normalised}"


class KnownElsewhere(PermanentModel):
    """An identifier of this unit's subject is also held by another unit. Only the other unit's *name* is ever
    shown: no reference, no subject, nothing of the other unit's case (deconfliction without disclosure; the
    handler contacts that unit through the usual channels)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    identifier = models.ForeignKey("referrals.Identifier", on_delete=models.PROTECT, related_name="+")
    other_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[KnownElsewhere]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "other_unit"], name="knownelsewhere_unique")
        ]

    def __str__(self) -> str:
        return f"also known to {self.other_unit}"


# ------------------------------------------------------------------------------------------------ person linkage


class LinkageRun(PermanentModel):
    """One run of person linkage over a unit's subjects (recorded when it finishes)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    ran_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField()
    subjects = models.PositiveIntegerField()
    pairs_scored = models.PositiveIntegerField(help_text="Pairs at or above the threshold")
    proposals_created = models.PositiveIntegerField()
    threshold = models.FloatField()
    model = models.CharField(max_length=40, default="prior")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[LinkageRun]] = UnitScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"linkage run {self.pk} ({self.proposals_created} new proposals)"


class LinkProposalQuerySet(UnitScopedQuerySet):
    def pending(self) -> Any:
        return self.filter(decision__isnull=True)

    def touching_subjects(self, subject_ids: Any) -> Any:
        return self.filter(models.Q(left_subject_id__in=subject_ids) | models.Q(right_subject_id__in=subject_ids))


class LinkProposal(PermanentModel):
    """Two subjects that person linkage scored as probably one person. Each pair is proposed at most once (so a
    rejected pair is never proposed again); `fields` holds the per-field match weights that explain it."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="proposals")
    left_subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    right_subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    fields = models.JSONField(help_text="[{field, label, level, match_weight, left, right}]")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[LinkProposal]] = LinkProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["left_subject", "right_subject"], name="linkproposal_unique_pair"),
            models.CheckConstraint(condition=models.Q(left_subject__lt=models.F("right_subject")),
                                   name="linkproposal_ordered_pair"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk}: subjects {self.left_subject_id} and {self.right_subject_id}"

    def get_absolute_url(self) -> str:
        return reverse("linkage:proposal", args=[self.pk])

    @property
    def decided(self) -> bool:
        return hasattr(self, "decision")

    @property
    def probability_text(self) -> str:
        return probability_text(self.match_probability)

    @property
    def agreeing(self) -> list[dict[str, Any]]:
        return split_evidence(self.fields)[0]

    @property
    def disagreeing(self) -> list[dict[str, Any]]:
        return split_evidence(self.fields)[1]


class ProposalDecision(PermanentModel):
    class Outcome(models.TextChoices):
        ACCEPT = "accept", "Accepted: the same person"
        REJECT = "reject", "Rejected: different people"

    proposal = models.OneToOneField(LinkProposal, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ProposalDecision]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return self.get_outcome_display()


class Person(PermanentModel):
    """One real person as the unit understands them: the subjects merged into them (see `PersonMembership`)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Person]] = UnitScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Person P{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("linkage:person", args=[self.pk])


class Merge(PermanentModel):
    """An accepted proposal put subjects into a person. Undone by a `MergeUndo` (never deleted)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges")
    proposal = models.OneToOneField(LinkProposal, on_delete=models.PROTECT, related_name="merge")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Merge]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"merge {self.pk} into {self.person}"

    @property
    def undone(self) -> bool:
        return hasattr(self, "undo")


class PersonMembershipQuerySet(PermanentQuerySet):
    def standing(self) -> Any:
        return self.filter(merge__undo__isnull=True)


class PersonMembership(PermanentModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.PROTECT, related_name="+")
    merge = models.ForeignKey(Merge, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[PersonMembership]] = PersonMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"subject {self.subject_id} in {self.person}"


class MergeUndo(PermanentModel):
    merge = models.OneToOneField(Merge, on_delete=models.PROTECT, related_name="undo")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[MergeUndo]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"undo of {self.merge}"
