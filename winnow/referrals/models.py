"""Referrals, the packages they arrived in, and the people and identifiers they concern.

Everything here except the reference counter is permanent (winnow.permanence: never deleted, never edited; the
models refuse, and database triggers refuse raw SQL too). A referral's intake facts never change after it is
recorded; only its current-state columns (`Referral.mutable_fields`) move: its status moves forward through
`transition_to`, and every move is kept as a `StatusChange`.

An intake fact found to be wrong is corrected by a new `IntakeCorrection` that points at the referral (and the
subject, for subject details), with the value before and after, who and why. The recorded columns never change.
Two intake facts feed the queue's order, so their corrected value is also kept in a current-state column that only a
correction moves (`danger_corrected`, `received_corrected_at`; null: as recorded), read through `current_danger` and
`current_received_at`. The others (source, summary, subject details) are shown with their latest correction; lists
read the corrected source with their rows (`ReferralQuerySet.with_current_source`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.core.identifiers import IdentifierKind
from winnow.core.intake import Sex, Source, SubjectRole
from winnow.core.priority import Band, DeadlinePolicy, Priority, Tier, prioritise
from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet

SOURCE_LABELS = {
    Source.NCA_CEOP: "NCA/CEOP package",
    Source.NCMEC: "NCMEC CyberTipline",
    Source.FORCE_INTELLIGENCE: "Force intelligence",
    Source.OTHER_AGENCY: "Other agency",
    Source.PUBLIC: "Member of the public",
}
KIND_LABELS = {
    IdentifierKind.EMAIL: "Email",
    IdentifierKind.PHONE: "Phone",
    IdentifierKind.USERNAME: "Username",
    IdentifierKind.IP: "IP address",
    IdentifierKind.DEVICE: "Device ID",
}


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    ASSESSMENT = "assessment", "Assessment"
    AWAITING_ACTION = "awaiting_action", "Awaiting action"
    IN_ACTION = "in_action", "In action"
    CLOSED = "closed", "Closed"


# The lifecycle moves forward. A referral closes once its band is decided (awaiting action or in action); before
# that only an administrative closure (EARLY_DISPOSITIONS: a duplicate, or passed to another force) is allowed.
NEXT_STATUS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.ASSESSMENT, Status.CLOSED}),
    Status.ASSESSMENT: frozenset({Status.AWAITING_ACTION, Status.CLOSED}),
    Status.AWAITING_ACTION: frozenset({Status.IN_ACTION, Status.CLOSED}),
    Status.IN_ACTION: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class Disposition(models.TextChoices):
    CHARGED = "charged", "Charged"
    CAUTIONED = "cautioned", "Cautioned"
    OUTCOME_21 = "outcome_21", "Outcome 21 (not in the public interest)"
    NO_FURTHER_ACTION = "nfa", "No further action"
    TRANSFERRED = "transferred", "Transferred to another force or agency"
    NO_TRACE = "no_trace", "No trace"
    DUPLICATE = "duplicate", "Duplicate of another referral"
    INFORMATIONAL = "informational", "Informational report (NCMEC): no action needed"


# Closures that need no band decision: the intelligence is kept and worked elsewhere.
EARLY_DISPOSITIONS = frozenset({Disposition.DUPLICATE, Disposition.TRANSFERRED, Disposition.INFORMATIONAL})
# The order statuses move in; `Referral.steps_to` walks it one step at a time.
STATUS_ORDER = (Status.RECEIVED, Status.ASSESSMENT, Status.AWAITING_ACTION, Status.IN_ACTION)
# What moves a referral on from each status. Every forward move follows an event (`referral_advance`), so no page
# offers a bare "move to" button; the referral page says what the next event is. Only closing is a person's act.
STATUS_MOVES_ON: dict[str, str] = {
    Status.RECEIVED: "It moves to Assessment when someone records an assessment of a person on it, or assigns it.",
    Status.ASSESSMENT: "It moves to Awaiting action when a supervisor confirms or overrides its band.",
    Status.AWAITING_ACTION: "It moves to In action when the first enforcement action (warrant executed, arrest, "
                            "voluntary interview, devices seized, child safeguarded) is recorded in the case "
                            "action log.",
    Status.IN_ACTION: "It closes when an investigator or supervisor closes it, choosing the outcome.",
}


class IllegalTransition(Exception):
    """A status move the lifecycle does not allow; the message says why."""


class RawPackage(PermanentModel):
    """Exactly what arrived, byte for byte, with its SHA-256."""

    class Kind(models.TextChoices):
        FORM = "form", "Web form"
        API = "api", "API request"
        FILE = "file", "Imported file"

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    filename = models.CharField(max_length=255, blank=True)
    media_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[RawPackage]] = PermanentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"


class ImportBatch(PermanentModel):
    """One imported file. Unique per unit and SHA-256, which makes re-importing a file a no-op."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    package = models.OneToOneField(RawPackage, on_delete=models.PROTECT, related_name="batch")
    sha256 = models.CharField(max_length=64)
    referral_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ImportBatch]] = PermanentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="importbatch_unique_file_per_unit")]

    def __str__(self) -> str:
        return f"Import {self.sha256[:12]} ({self.referral_count} referrals)"


class ReferralQuerySet(UnitScopedQuerySet):
    def open(self) -> ReferralQuerySet:
        return self.exclude(status=Status.CLOSED)

    def queue(self) -> ReferralQuerySet:
        """Open referrals, most urgent first (winnow.core.priority); sorted by the database on an index."""
        return self.open().order_by("priority_tier", "deadline_at", "received_at", "id")

    def overdue(self, now: Any) -> ReferralQuerySet:
        """Open, not yet actioned, and past the deadline (assessment deadline if unassessed)."""
        return self.open().filter(actioned_at__isnull=True, deadline_at__lt=now)

    @staticmethod
    def _latest_source() -> models.Subquery:
        latest = (IntakeCorrection.objects.filter(referral=models.OuterRef("pk"), subject__isnull=True,
                                                  field=IntakeCorrection.Field.SOURCE)
                  .order_by("-created_at", "-id").values("after")[:1])
        return models.Subquery(latest, output_field=models.JSONField())

    def with_current_source(self) -> ReferralQuerySet:
        """Each referral's source as it now stands, for lists (`Referral.current_source`): its latest correction's
        value, read with the rows in one query rather than a correction query per row."""
        return self.annotate(source_corrected=self._latest_source())

    def from_source(self, source: str) -> ReferralQuerySet:
        """Referrals whose source, as now known (the latest correction, or as recorded), is `source`."""
        return self.alias(source_now=self._latest_source()).filter(
            models.Q(source_now=source) | models.Q(source_now__isnull=True, source=source))


def deadline_policy() -> DeadlinePolicy:
    """The deployment's deadline days (settings.WINNOW_DEADLINE_DAYS, WINNOW_ASSESSMENT_DEADLINE_DAYS)."""
    return DeadlinePolicy(
        band_days={Band(k): v for k, v in settings.WINNOW_DEADLINE_DAYS.items()},
        assessment_days=settings.WINNOW_ASSESSMENT_DEADLINE_DAYS,
    )


class Referral(PermanentModel):
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=40, unique=True)
    source = models.CharField(max_length=32, choices=[(s.value, SOURCE_LABELS[s]) for s in Source])
    source_reference = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    summary = models.TextField()
    immediate_danger = models.BooleanField(
        default=False, help_text="A child is believed to be in immediate danger"
    )
    package = models.ForeignKey(RawPackage, on_delete=models.PROTECT, related_name="referrals")
    package_locator = models.CharField(max_length=100, blank=True, help_text="Where in the package, e.g. rows 2-3")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Current state: the only columns that change. Each status change is kept as a StatusChange; each band as the
    # assessment decision that set it (winnow.assessments). Priority columns are derived (winnow.core.priority) and
    # stored so the database can sort the queue.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    band = models.CharField(max_length=12, choices=[(b.value, b.label) for b in Band], blank=True)
    band_decided_at = models.DateTimeField(null=True, blank=True)
    priority_tier = models.PositiveSmallIntegerField(default=Tier.UNASSESSED)
    deadline_at = models.DateTimeField(null=True, blank=True)
    # A computed band awaiting a supervisor's decision (winnow.core.priority: provisional), and who computed it.
    band_provisional = models.BooleanField(default=False, db_default=False)  # raw SQL inserts (benchmarks) too
    band_computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The latest correction of the two intake facts that order the queue (null: as recorded). IntakeCorrection keeps
    # every correction; the recorded columns above never change.
    danger_corrected = models.BooleanField(null=True, blank=True)
    received_corrected_at = models.DateTimeField(null=True, blank=True)
    # Derived from the append-only Assignment and CaseAction records (winnow.workload).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_referrals"
    )
    actioned_at = models.DateTimeField(null=True, blank=True, help_text="First enforcement action")
    closed_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    closure_reason = models.TextField(blank=True)

    # The current-state columns above; every other column is an intake fact, fixed once recorded.
    mutable_fields = frozenset({
        "status", "band", "band_decided_at", "priority_tier", "deadline_at", "assigned_to", "actioned_at",
        "closed_at", "disposition", "closure_reason", "band_provisional", "band_computed_by",
        # corrected intake facts that order the queue: moved only by an IntakeCorrection (referral_correct)
        "danger_corrected", "received_corrected_at",
        # the owning unit: moved only by an accepted transfer (winnow.transfers, an append-only record)
        "unit",
    })

    objects: ClassVar[models.Manager[Referral]] = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "received_at"]),
            models.Index(fields=["unit", "received_at"]),
            models.Index(
                fields=["unit", "priority_tier", "deadline_at", "received_at", "id"],
                condition=~models.Q(status="closed"),
                name="referral_open_queue",
            ),
            models.Index(
                fields=["priority_tier", "deadline_at", "received_at", "id"],
                condition=~models.Q(status="closed"),
                name="referral_open_queue_all_units",
            ),
            models.Index(fields=["assigned_to", "status"], name="referral_assignee"),
            models.Index(
                fields=["unit", "priority_tier", "band_decided_at", "id"],
                condition=models.Q(band_provisional=True) & ~models.Q(status="closed"),
                name="referral_awaiting_decision",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "source", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="referral_unique_source_reference_per_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | (~models.Q(disposition="") & ~models.Q(closure_reason="")),
                name="referral_closed_needs_disposition_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.pk])

    @property
    def current_danger(self) -> bool:
        """Is a child believed to be in immediate danger, as now known (the latest correction, or as recorded)."""
        return self.immediate_danger if self.danger_corrected is None else self.danger_corrected

    @property
    def current_received_at(self) -> datetime:
        return self.received_at if self.received_corrected_at is None else self.received_corrected_at

    @property
    def current_source(self) -> str:
        """The source as now known: on a row read through `with_current_source()` its latest correction, or as
        recorded. (The referral page and the API's single answer read every correction themselves.)"""
        corrected = getattr(self, "source_corrected", None)
        return self.source if corrected is None else str(corrected)

    def current_source_display(self) -> str:
        return SOURCE_LABELS.get(self.current_source, self.current_source)  # type: ignore[call-overload]

    # The queue's columns. Referral.reprioritise is their one writer (a test holds it to that).
    QUEUE_FIELDS = ("band", "band_decided_at", "priority_tier", "deadline_at", "band_provisional", "band_computed_by")

    def reprioritise(
        self, *, band: str | None, decided_at: datetime | None, policy: DeadlinePolicy | None = None,
        provisional: bool = False, computed_by: Any = None,
    ) -> Priority:
        """Set the queue columns from the decided band (None: unassessed, or the band withdrawn) and when it was
        decided, the referral's receipt, danger flag and whether it has been actioned, under the deadline policy
        (default: the deployment's). Time comes in as `decided_at`; nothing here reads the clock. The caller saves
        (`update_fields=Referral.QUEUE_FIELDS`), inside the transaction that holds the row. A `provisional` band
        is computed and awaiting a supervisor's decision: `decided_at` is when it was computed, by `computed_by`."""
        provisional = bool(band) and provisional
        priority = prioritise(
            received_at=self.current_received_at, immediate_danger=self.current_danger, band=band or None,
            decided_at=decided_at if band else None, policy=policy or deadline_policy(),
            actioned=self.actioned_at is not None, provisional=provisional,
        )
        self.band = band or ""
        self.band_decided_at = decided_at if band else None
        self.band_provisional = provisional
        self.band_computed_by = computed_by if provisional else None
        self.priority_tier = priority.tier
        self.deadline_at = priority.deadline_at
        return priority

    def state(self) -> dict[str, Any]:
        """The current-state columns as JSON values: every audit event of a change to them carries this snapshot
        (`detail["state"]`), so `winnow verify-referrals` finds a column edited in place by raw SQL."""
        out: dict[str, Any] = {}
        for name in sorted(self.mutable_fields):
            attname = self._meta.get_field(name).attname  # type: ignore[union-attr]
            value = getattr(self, attname)
            out[attname] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
        return out

    def steps_to(self, status: str) -> list[str]:
        """The forward moves that bring the referral to `status` (empty if it is there or beyond, or closed)."""
        if self.status == Status.CLOSED or status not in STATUS_ORDER:
            return []
        here, there = STATUS_ORDER.index(Status(self.status)), STATUS_ORDER.index(Status(status))
        return [s.value for s in STATUS_ORDER[here + 1 : there + 1]]

    @property
    def informational(self) -> bool:
        """A CyberTipline report the reporter marked `<informational/>` (winnow.linkage's CyberTiplineReport)."""
        report = getattr(self, "cybertipline", None)
        return bool(report is not None and (report.annotations or {}).get("informational"))

    def close_blocker(self, disposition: str) -> str:
        """Why this referral cannot close with `disposition` now; empty if it can."""
        if self.status == Status.CLOSED:
            return f"{self.reference} is already closed"
        if disposition not in Disposition.values:
            return "choose an outcome"
        if disposition == Disposition.INFORMATIONAL and not self.informational:
            return f"{self.reference} is not a CyberTipline report marked informational"
        if self.status in (Status.RECEIVED, Status.ASSESSMENT) and disposition not in EARLY_DISPOSITIONS:
            return (f"{self.reference} is {self.get_status_display()}: a supervisor decides its band before it "
                    "closes (only a duplicate or a transfer closes earlier)")
        return ""

    def transition_to(
        self,
        status: str,
        *,
        by: Any,
        now: Any = None,
        disposition: str = "",
        reason: str = "",
    ) -> StatusChange:
        """Move the referral on, or raise IllegalTransition. Saves the referral and its StatusChange."""
        if status not in NEXT_STATUS[self.status]:
            target = Status(status).label if status in Status.values else repr(status)
            raise IllegalTransition(f"{self.reference} cannot move from {self.get_status_display()} to {target}")
        now = now or timezone.now()
        if status == Status.CLOSED:
            if disposition not in Disposition.values:
                raise IllegalTransition("closing needs a disposition")
            if blocker := self.close_blocker(disposition):
                raise IllegalTransition(blocker)
            if not reason.strip():
                raise IllegalTransition("closing needs a reason")
            self.disposition, self.closure_reason, self.closed_at = disposition, reason.strip(), now
        change = StatusChange(
            referral=self,
            from_status=self.status,
            to_status=status,
            at=now,
            by=by,
            disposition=disposition if status == Status.CLOSED else "",
            reason=reason.strip(),
        )
        self.status = status
        self.save(update_fields=["status", "disposition", "closure_reason", "closed_at"])
        change.save(force_insert=True)
        return change


class StatusChange(PermanentModel):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    reason = models.TextField(blank=True)

    objects: ClassVar[models.Manager[StatusChange]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Subject(PermanentModel):
    """A person a referral concerns, as the referral describes them."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="subjects")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=24, choices=[(r.value, r.value.replace("_", " ").capitalize()) for r in SubjectRole])
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=[(s.value, s.value.capitalize()) for s in Sex], default=Sex.UNKNOWN)
    addresses = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # A subject follows its referral when a transfer to another unit is accepted (winnow.transfers).
    mutable_fields = frozenset({"unit"})

    objects: ClassVar[models.Manager[Subject]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part) or "Unnamed subject"


class Identifier(PermanentModel):
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="identifiers")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=[(k.value, KIND_LABELS[k]) for k in IdentifierKind])
    value = models.CharField(max_length=500, help_text="As received")
    normalised = models.CharField(max_length=500, db_index=True)
    platform = models.CharField(max_length=100, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    mutable_fields = frozenset({"unit"})  # follows its subject's referral on a transfer (winnow.transfers)

    objects: ClassVar[models.Manager[Identifier]] = UnitScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["unit", "kind", "normalised"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ReferenceCounter(models.Model):
    """Hands out WINNOW references per unit and year without gaps or collisions (row-locked)."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="referencecounter_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"

    @classmethod
    def next_reference(cls, unit: Any, year: int) -> str:
        counter, _ = cls.objects.select_for_update().get_or_create(unit=unit, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return f"{unit.code.upper()}-{year}-{counter.last:05d}"


class IntakeCorrection(PermanentModel):
    """A correction of one intake fact: a new record pointing at the referral (and subject) it corrects, and at the
    correction it replaces, if any. The recorded value is never edited; `before` keeps what it replaced."""

    class Field(models.TextChoices):
        IMMEDIATE_DANGER = "immediate_danger", "Child believed to be in immediate danger"
        SOURCE = "source", "Source"
        RECEIVED_AT = "received_at", "Received"
        SUMMARY = "summary", "Summary"
        GIVEN_NAMES = "given_names", "Subject's given names"
        FAMILY_NAME = "family_name", "Subject's family name"
        DATE_OF_BIRTH = "date_of_birth", "Subject's date of birth"
        SEX = "sex", "Subject's sex"
        ADDRESSES = "addresses", "Subject's addresses"

    REFERRAL_FIELDS = frozenset({"immediate_danger", "source", "received_at", "summary"})

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="corrections")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=24, choices=Field.choices)
    before = models.JSONField(help_text="The value this correction replaces, as text or a list")
    after = models.JSONField()
    reason = models.TextField()
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by",
        help_text="The earlier correction of the same fact that this one replaces",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[IntakeCorrection]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="intakecorrection_needs_reason")]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.before!r} → {self.after!r}"

    @staticmethod
    def display(value: Any) -> str:
        if value is True:
            return "Yes"
        if value is False:
            return "No"
        if isinstance(value, list):
            return "; ".join(str(v) for v in value) or "(none)"
        return str(value) if value not in (None, "") else "(blank)"

    def before_text(self) -> str:
        return self.display(self.before)

    def after_text(self) -> str:
        return self.display(self.after)
