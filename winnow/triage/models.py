"""Collection triage: hash sets, exhibits, the scan results uploaded for them, and the summaries computed from them.

Nothing here is edited in place or deleted (winnow.permanence: the models refuse; database triggers refuse raw
SQL too). Re-importing a hash set file or a scan result is a no-op; re-computing a summary is a new row.

Hash sets are force-wide reference data: no unit. Administrators import them; administrators, forensic /
victim-identification officers and supervisors may read their metadata (names, counts, file hashes) - never
their entries through any page. Exhibits, scan results and summaries belong to the referral's unit.

Scan result files are stored on disk under WINNOW_DATA_DIR/scan-results/, named by their SHA-256 (content
addressed, written once, never overwritten); the database keeps the SHA-256, size and path. They can be gigabytes,
which a database BinaryField would have to hold in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet
from winnow.permissions import Capability, can


class HashSetQuerySet(PermanentQuerySet):
    def readable_by(self, user: Any) -> Any:
        if not user.is_authenticated:
            return self.none()
        if can(user, Capability.READ_HASH_SETS):
            return self.all()
        return self.none()


class HashSet(PermanentModel):
    """One imported hash-set file, with its ParseReport counts. Identified by the file's SHA-256."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", "Reference set (CAID, Project VIC, own list)"
        KNOWN_FILES = "known-files", "Known-file filter (NSRL)"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    format = models.CharField(max_length=16)  # vics | csv | nsrl-rds2 | nsrl-rds3
    scheme = models.CharField(max_length=64)  # the category scheme's name ("none" for NSRL)
    scheme_definition = models.JSONField(default=dict)  # CategoryScheme.to_dict(): the codes' meaning, kept with the set
    source_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    size_bytes = models.PositiveBigIntegerField()
    entries = models.PositiveBigIntegerField()  # hash instances stored
    distinct_md5 = models.PositiveBigIntegerField(null=True)
    distinct_sha1 = models.PositiveBigIntegerField(null=True)
    distinct_sha256 = models.PositiveBigIntegerField(null=True)
    distinct_pdq = models.PositiveBigIntegerField(null=True)
    distinct_keys = models.PositiveBigIntegerField(null=True)
    report = models.JSONField(default=dict)  # ParseReport.as_dict()
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: imported by the command line without a named user

    objects: ClassVar[models.Manager[HashSet]] = HashSetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "imported_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"

    @property
    def conflicts_found(self) -> CategoryConflicts | None:
        """What this set's import found about conflicting categories; None for sets imported before it was kept."""
        try:
            return self.category_conflicts
        except ObjectDoesNotExist:
            return None

    @property
    def segmented_listed(self) -> list[dict[str, Any]]:
        """The videos this set categorises by segment (as many as the import listed), with labels: the category each
        takes (its most severe segment's) and every segment's, in order."""
        return [{"hash": v["hash"], "position": v.get("position"), "label": self.category_label(v.get("category")),
                 "segments": [self.category_label(c) for c in v.get("segments", [])]}
                for v in self.report.get("segmented_listed", [])]

    def category_label(self, code: str | None) -> str:
        if code is None:
            return "Uncategorised"
        for c in self.scheme_definition.get("categories", []):
            if c.get("code") == code:
                return str(c.get("label", code))
        return code


class HashEntry(PermanentModel):
    """One entry of a hash set, as the parser yielded it. `category` None = uncategorised (never 0)."""

    hash_set = models.ForeignKey(HashSet, on_delete=models.PROTECT, related_name="hash_entries")
    position = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32, null=True, db_index=True)  # noqa: DJ001 - absent, not ""
    sha1 = models.CharField(max_length=40, null=True, db_index=True)  # noqa: DJ001 - absent, not ""
    sha256 = models.CharField(max_length=64, null=True, db_index=True)  # noqa: DJ001 - absent, not ""
    pdq = models.CharField(max_length=64, null=True)  # noqa: DJ001 - absent, not ""
    category = models.CharField(max_length=16, null=True)  # noqa: DJ001 - null = uncategorised, never 0 or ""
    series = models.CharField(max_length=200, null=True)  # noqa: DJ001 - absent, not ""
    segments = models.JSONField(null=True)  # VICS 2.0 video Segments[].Category, in order; category is the worst

    objects: ClassVar[models.Manager[HashEntry]] = PermanentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["hash_set", "id"])]

    def __str__(self) -> str:
        return self.md5 or self.sha1 or self.sha256 or self.pdq or "?"


class Exhibit(PermanentModel):
    """A seized item (device, media) on a referral."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="exhibits")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    device_make = models.CharField(max_length=100, blank=True, help_text="The seized device's camera make, if known")
    device_model = models.CharField(max_length=100, blank=True, help_text="The seized device's camera model, if known")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Exhibit]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["referral", "label"]
        constraints = [models.UniqueConstraint(fields=["referral", "label"], name="exhibit_unique_label_per_referral")]

    def __str__(self) -> str:
        return f"{self.label}"

    def get_absolute_url(self) -> str:
        return reverse("triage:exhibit", args=[self.pk])

    def latest_summary(self) -> CollectionSummary | None:
        return self.summaries.order_by("-computed_at", "-pk").first()


class ScanResult(PermanentModel):
    """A scan result file (written by `winnow scan`) stored verbatim on disk, named by its SHA-256."""

    class Via(models.TextChoices):
        UPLOAD = "upload", "Uploaded through the page"
        SERVER = "server", "Imported on the server"

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="scan_results")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    storage_name = models.CharField(max_length=200)  # relative to WINNOW_DATA_DIR
    meta = models.JSONField(default=dict)  # the result file's meta table
    files = models.PositiveBigIntegerField()  # rows in its files table
    via = models.CharField(max_length=8, choices=Via.choices)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ScanResult]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["exhibit", "sha256"], name="scanresult_unique_file_per_exhibit")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"

    @property
    def path(self) -> Path:
        return Path(settings.DATA_DIR) / self.storage_name


class CollectionSummary(PermanentModel):
    """The summary of one scan result against the hash sets loaded at the time (`hash_sets`). JSON, counts only."""

    scan_result = models.ForeignKey(ScanResult, on_delete=models.PROTECT, related_name="summaries")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="summaries")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    hash_sets = models.JSONField(default=list)  # [{"id", "name", "sha256"}] matched against
    pdq_threshold = models.PositiveSmallIntegerField()
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[CollectionSummary]] = UnitScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Summary {self.pk} of {self.scan_result}"


class UnknownMediaHash(PermanentModel):
    """The MD5 of an unknown image or video in a scan result, so other cases holding it can be found."""

    scan_result = models.ForeignKey(ScanResult, on_delete=models.PROTECT, related_name="+")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    md5 = models.CharField(max_length=32)

    objects: ClassVar[models.Manager[UnknownMediaHash]] = PermanentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["md5"]), models.Index(fields=["scan_result"])]
        constraints = [models.UniqueConstraint(fields=["scan_result", "md5"], name="unknownmediahash_unique")]

    def __str__(self) -> str:
        return self.md5


class SuggestionConfirmation(PermanentModel):
    """An officer's explicit confirmation of a suggested assessment answer. Suggestions are never applied alone."""

    summary = models.ForeignKey(CollectionSummary, on_delete=models.PROTECT, related_name="confirmations")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=64)
    answer = models.CharField(max_length=32)
    reason = models.TextField()
    confirmed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[SuggestionConfirmation]] = UnitScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "item"], name="suggestion_confirmed_once")]

    def __str__(self) -> str:
        return f"{self.item}={self.answer}"


class CategoryConflicts(PermanentModel):
    """What the import of one hash set found about categories that disagree, within that set or between it and the
    sets imported before it (same scheme; uncategorised is not a disagreement). Both categories are kept in the
    entries; this says where they conflict so nobody reads one of them as the answer."""

    hash_set = models.OneToOneField(HashSet, on_delete=models.PROTECT, related_name="category_conflicts")
    within = models.PositiveIntegerField(help_text="hashes listed under more than one category in this set")
    between = models.PositiveIntegerField(help_text="hashes this set categorises differently from an earlier set")
    examples = models.JSONField(default=list)  # [{"kind", "hash", "categories": [{"set", "category", "label"}]}]
    checked_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[CategoryConflicts]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.hash_set}: {self.within} within, {self.between} between"

    @property
    def total(self) -> int:
        return self.within + self.between
