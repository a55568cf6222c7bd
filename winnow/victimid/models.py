"""Victim-identification series: unknown material that is worked until a child is found.

Every record here is permanent (winnow.permanence). A series is never rewritten: items join it once
(SeriesMember), series that turn out to be one are recorded as merged (SeriesMerge), its lifecycle is a list of
events (SeriesEvent), and what covers its members later (SeriesKnown) and what was sent out (SeriesExport) are
records of their own.

Scoping (invariant 6). A series itself belongs to no unit: the same unknown material may be held by several. What
belongs to a unit is its items, members, lifecycle events and exports, so an officer sees in full only their own
units' members; for the others a page shows only "also seen by <unit>".
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.core.series import STATUS_LABELS, Status
from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet

STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]


class UnknownItem(PermanentModel):
    """One unknown image or video of a scan result (no hash-set hit when it was summarised), with its EXIF facts.
    GPS presence only: the scanner never records coordinates."""

    scan_result = models.ForeignKey("triage.ScanResult", on_delete=models.PROTECT, related_name="+")
    exhibit = models.ForeignKey("triage.Exhibit", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    md5 = models.CharField(max_length=32, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True)
    media_type = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField(null=True)
    files = models.PositiveIntegerField(default=1)  # instances of this MD5 in the scan result
    exif_make = models.CharField(max_length=100, blank=True)
    exif_model = models.CharField(max_length=100, blank=True)
    taken_first = models.CharField(max_length=32, blank=True)  # EXIF "YYYY:MM:DD HH:MM:SS", as recorded
    taken_last = models.CharField(max_length=32, blank=True)
    has_gps = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[UnknownItem]] = UnitScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scan_result", "md5"], name="unknownitem_unique")]

    def __str__(self) -> str:
        return self.md5


class SeriesIntake(PermanentModel):
    """A scan result's unknown material taken into series, from one of its summaries (once per scan result)."""

    scan_result = models.OneToOneField("triage.ScanResult", on_delete=models.PROTECT, related_name="+")
    summary = models.ForeignKey("triage.CollectionSummary", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    hash_sets = models.JSONField(default=list)  # the summary's [{"id", "name", "sha256"}]: the sets checked
    items = models.PositiveIntegerField()
    joined = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SeriesIntake]] = UnitScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Intake of scan result {self.scan_result_id}"


class SeriesQuerySet(PermanentQuerySet):
    def visible_to(self, user: Any) -> Any:
        """Series holding at least one member in the user's units."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=SeriesMember.objects.filter(unit_id__in=user.unit_ids()).values("series_id"))

    def current(self) -> Any:
        """Not merged into another series."""
        return self.filter(merged_into__isnull=True)


class Series(PermanentModel):
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Series]] = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"VS-{self.pk:06d}"

    def get_absolute_url(self) -> str:
        return reverse("victimid:series", args=[self.pk])


class SeriesMerge(PermanentModel):
    """Two series found to be one: `merged`'s members now count as `into`'s."""

    merged = models.OneToOneField(Series, on_delete=models.PROTECT, related_name="merged_into")
    into = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SeriesMerge]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.merged} → {self.into}"


class SeriesMember(PermanentModel):
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="members")
    item = models.OneToOneField(UnknownItem, on_delete=models.PROTECT, related_name="membership")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SeriesMember]] = UnitScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["series", "unit"])]

    def __str__(self) -> str:
        return f"{self.item} in {self.series}"


class SeriesEvent(PermanentModel):
    """One step of a unit's work on a series: who, when, why. The latest is the unit's current status."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="events")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=24, choices=STATUS_CHOICES)
    reason = models.TextField()
    grading = models.CharField(max_length=16, blank=True)  # the officer's grading: "A" | "B" | "C" | ""
    age_band = models.CharField(max_length=16, blank=True)
    subject = models.ForeignKey("referrals.Subject", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")  # the child, when one was identified
    referral = models.ForeignKey("referrals.Referral", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    safeguarding_note = models.TextField(blank=True)
    safeguarding_date = models.DateField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[SeriesEvent]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.series} {self.status}"


class SeriesHashSetCheck(PermanentModel):
    """A hash set checked against every stored unknown item once, after it was loaded."""

    hash_set = models.OneToOneField("triage.HashSet", on_delete=models.PROTECT, related_name="+")
    items = models.PositiveIntegerField()
    covered = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SeriesHashSetCheck]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Check of {self.hash_set_id}"


class SeriesKnown(PermanentModel):
    """An unknown item that a hash set loaded later covers."""

    item = models.ForeignKey(UnknownItem, on_delete=models.PROTECT, related_name="known")
    hash_set = models.ForeignKey("triage.HashSet", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8)  # md5 | sha1 | pdq
    category = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SeriesKnown]] = UnitScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "hash_set"], name="seriesknown_unique")]

    def __str__(self) -> str:
        return f"{self.item} in set {self.hash_set_id}"


class SeriesExport(PermanentModel):
    """What was sent, when and to whom: the file's SHA-256 and its counts (the file itself is the officer's)."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="exports")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200)
    format = models.CharField(max_length=16, default="vics-2.0")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    media = models.PositiveIntegerField()
    md5 = models.PositiveIntegerField()
    sha1 = models.PositiveIntegerField()
    pdq = models.PositiveIntegerField()
    cases = models.JSONField(default=list)  # the case references written
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[SeriesExport]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.series} to {self.recipient}"
