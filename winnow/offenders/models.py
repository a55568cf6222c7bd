"""Managed offenders: the registration (fixed facts of the sentence and its notification period), risk management
plan versions, contacts, reviews, reactive-management decisions and intelligence links.

Every table is permanent (`winnow.permanence`: the models refuse edits and deletes, and so does the database). What changes is a new row: a new plan version supersedes the last, a contact is corrected by a new contact that
points at it, reactive management is switched by a new decision. The offender's person is the referral subject they
were registered from and, once person linkage has merged that subject into a `Person`, every subject of that person.

Schedules are computed by `winnow.core.offenders` from these rows at read time; nothing stores a due date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from winnow.core import offenders as core
from winnow.permanence import PermanentModel, PermanentQuerySet, UnitScopedQuerySet
from winnow.permissions import Capability, units_with

# Who manages offenders (registers, plans, logs contacts, reviews, decides reactive management), and who reads them:
# the managers, and investigators, who need the digital risk indicators when a new investigation opens on that person.


class Risk(models.TextChoices):
    LOW = core.Risk.LOW.value, "Low"
    MEDIUM = core.Risk.MEDIUM.value, "Medium"
    HIGH = core.Risk.HIGH.value, "High"
    VERY_HIGH = core.Risk.VERY_HIGH.value, "Very High"


class Disposal(models.TextChoices):
    CUSTODY = core.Disposal.CUSTODY.value, "Custodial sentence"
    CAUTION = core.Disposal.CAUTION.value, "Caution"
    CONDITIONAL_DISCHARGE = core.Disposal.CONDITIONAL_DISCHARGE.value, "Conditional discharge"
    OTHER = core.Disposal.OTHER.value, "Other disposal"


class IntervalUnit(models.TextChoices):
    WEEKS = core.Unit.WEEKS.value, "weeks"
    MONTHS = core.Unit.MONTHS.value, "months"


class Mode(models.TextChoices):
    HOME_VISIT = core.Mode.HOME_VISIT.value, "Home visit (in person)"
    DOORSTEP = core.Mode.DOORSTEP.value, "Doorstep (in person)"
    POLICE_STATION = core.Mode.POLICE_STATION.value, "At a police station (in person)"
    PHONE = core.Mode.PHONE.value, "Phone"
    VIDEO = core.Mode.VIDEO.value, "Video"


class Outcome(models.TextChoices):
    SEEN = core.Outcome.SEEN.value, "Contact made"
    NOT_SEEN = core.Outcome.NOT_SEEN.value, "Not seen (no answer, not at home)"
    REFUSED = core.Outcome.REFUSED.value, "Refused to engage"
    CANCELLED = core.Outcome.CANCELLED.value, "Cancelled"


class DeviceCheck(models.TextChoices):
    NO_CONCERNS = "no_concerns", "Checked: no concerns"
    CONCERNS = "concerns", "Checked: concerns found (say what in the notes)"
    REFUSED = "refused", "Refused"
    NOT_DONE = "not_done", "Not done"


INDICATOR_CHOICES = list(core.DIGITAL_INDICATORS.items())


class ManagedOffenderQuerySet(UnitScopedQuerySet):
    def readable_by(self, user: Any) -> Any:
        """The offenders in units where the user holds a role that reads offenders."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(unit_id__in=units_with(user, Capability.READ_OFFENDERS))

    def with_history(self) -> Any:
        return self.select_related("subject", "unit").prefetch_related(
            "plans__manager", "contacts__corrections", "reviews", "reactive_decisions", "intelligence__referral",
            "registration_corrections__created_by")


class ManagedOffender(PermanentModel):
    """A registered offender the unit manages, registered from a referral subject. The sentence and the notification
    period computed from it are fixed at registration."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    subject = models.OneToOneField("referrals.Subject", on_delete=models.PROTECT, related_name="managed_offender")
    convicted_on = models.DateField(help_text="The relevant date: conviction, finding or caution")
    disposal = models.CharField(max_length=24, choices=Disposal.choices)
    custody_months = models.PositiveIntegerField(null=True, blank=True)
    discharge_months = models.PositiveIntegerField(null=True, blank=True)
    under_18_at_conviction = models.BooleanField()
    notification_indefinite = models.BooleanField()
    notification_ends_on = models.DateField(null=True, blank=True)
    notification_review_from = models.DateField(null=True, blank=True)
    notification_basis = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ManagedOffender]] = ManagedOffenderQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.subject.display_name} (MO-{self.pk})"

    def get_absolute_url(self) -> str:
        return reverse("offenders:detail", args=[self.pk])

    # The methods below read prefetched rows (`with_history`) and sort in Python, so a list page costs one query per
    # relation, not per offender.

    @property
    def current_plan(self) -> Plan:
        return max(self.plans.all(), key=lambda p: p.version)

    @property
    def reactive_decision(self) -> ReactiveDecision | None:
        return max(self.reactive_decisions.all(), key=lambda d: (d.at, d.pk), default=None)

    @property
    def reactive(self) -> bool:
        decision = self.reactive_decision
        return decision is not None and decision.reactive

    def standing_contacts(self) -> list[Contact]:
        """Contacts not corrected by a later contact, newest first."""
        return sorted((c for c in self.contacts.all() if not c.corrections.all()),
                      key=lambda c: (c.occurred_at, c.pk), reverse=True)

    def latest_review(self) -> Review | None:
        return max(self.reviews.all(), key=lambda r: (r.reviewed_at, r.pk), default=None)

    def schedule(self, now: datetime) -> core.Schedule:
        plan = self.current_plan
        return core.visit_schedule(
            contacts=[c.fact() for c in self.standing_contacts()], plan_start=self.created_at,
            visit_interval=plan.visit_interval, in_person_interval=plan.in_person_interval,
            reactive=self.reactive, now=now,
        )

    def review_due(self, now: datetime) -> core.Due:
        latest = self.latest_review()
        return core.review_due(last_review_at=latest.reviewed_at if latest else None, plan_start=self.created_at,
                               interval=self.current_plan.review_interval, now=now)

    def eligibility(self, today: date) -> core.Eligibility:
        plan = self.current_plan
        return core.reactive_eligibility(
            risk=plan.risk, clean_since=plan.clean_since, civil_orders=plan.civil_orders,
            intelligence_dates=[timezone.localdate(i.created_at) for i in self.intelligence.all()], today=today,
        )

    def forensic_flags(self) -> tuple[str, ...]:
        return core.forensic_support_needed(self.current_plan.digital_indicators)

    def registration(self) -> ManagedOffender | RegistrationCorrection:
        """The registration facts as they now stand: the latest correction, or as registered (both have the same
        fields). The registered facts on this row never change."""
        return max(self.registration_corrections.all(), key=lambda c: (c.created_at, c.pk), default=self)


class RegistrationCorrection(PermanentModel):
    """A correction of the registration facts (the sentence, and the notification period computed from it): a new
    record pointing at the offender, and at the correction it replaces, with who and why."""

    offender = models.ForeignKey(ManagedOffender, on_delete=models.PROTECT, related_name="registration_corrections")
    corrects = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="corrected_by",
                                    help_text="The earlier correction this replaces (empty: the facts as registered)")
    convicted_on = models.DateField(help_text="The relevant date: conviction, finding or caution")
    disposal = models.CharField(max_length=24, choices=Disposal.choices)
    custody_months = models.PositiveIntegerField(null=True, blank=True)
    discharge_months = models.PositiveIntegerField(null=True, blank=True)
    under_18_at_conviction = models.BooleanField()
    notification_indefinite = models.BooleanField()
    notification_ends_on = models.DateField(null=True, blank=True)
    notification_review_from = models.DateField(null=True, blank=True)
    notification_basis = models.CharField(max_length=200)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[RegistrationCorrection]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""),
                                              name="registrationcorrection_needs_reason")]

    def __str__(self) -> str:
        return f"registration correction of MO-{self.offender_id}"


class Plan(PermanentModel):
    """One version of the offender's risk management plan. A change is a new version that supersedes this one."""

    offender = models.ForeignKey(ManagedOffender, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField()
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    risk = models.CharField("Risk of serious harm", max_length=16, choices=Risk.choices)
    mappa_category = models.PositiveSmallIntegerField(choices=[(1, "1"), (2, "2"), (3, "3")])
    mappa_level = models.PositiveSmallIntegerField(choices=[(1, "1"), (2, "2"), (3, "3")])
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visit_every = models.PositiveSmallIntegerField()
    visit_unit = models.CharField(max_length=8, choices=IntervalUnit.choices)
    in_person_every = models.PositiveSmallIntegerField()
    in_person_unit = models.CharField(max_length=8, choices=IntervalUnit.choices)
    review_every = models.PositiveSmallIntegerField()
    review_unit = models.CharField(max_length=8, choices=IntervalUnit.choices)
    digital_indicators = models.JSONField(default=list, blank=True)
    civil_orders = models.BooleanField(help_text="A civil order (e.g. a sexual harm prevention order) is in force")
    conditions = models.TextField(blank=True, help_text="Order and licence terms, e.g. an SHPO's device terms")
    clean_since = models.DateField(null=True, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Plan]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["offender", "version"]
        constraints = [
            models.UniqueConstraint(fields=["offender", "version"], name="offenderplan_unique_version"),
            models.CheckConstraint(condition=models.Q(mappa_category__gte=1, mappa_category__lte=3),
                                   name="offenderplan_mappa_category"),
            models.CheckConstraint(condition=models.Q(mappa_level__gte=1, mappa_level__lte=3),
                                   name="offenderplan_mappa_level"),
        ]

    def __str__(self) -> str:
        return f"plan v{self.version} of MO-{self.offender_id}"

    @property
    def visit_interval(self) -> core.Interval:
        return core.Interval(self.visit_every, core.Unit(self.visit_unit))

    @property
    def in_person_interval(self) -> core.Interval:
        return core.Interval(self.in_person_every, core.Unit(self.in_person_unit))

    @property
    def review_interval(self) -> core.Interval:
        return core.Interval(self.review_every, core.Unit(self.review_unit))

    def indicator_labels(self) -> list[str]:
        return [core.DIGITAL_INDICATORS.get(code, code) for code in self.digital_indicators]


class Contact(PermanentModel):
    """One contact with the offender, attempted or made. A correction is a new contact pointing at this one."""

    offender = models.ForeignKey(ManagedOffender, on_delete=models.PROTECT, related_name="contacts")
    occurred_at = models.DateTimeField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    device_check = models.CharField(max_length=16, choices=DeviceCheck.choices)
    notes = models.TextField(blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Contact]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["offender", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.occurred_at:%Y-%m-%d}"

    def fact(self) -> core.ContactFact:
        return core.ContactFact(self.occurred_at, core.Mode(self.mode), core.Outcome(self.outcome))

    @property
    def in_person(self) -> bool:
        return core.Mode(self.mode).in_person


class Review(PermanentModel):
    """A structured dynamic review with the review instrument; its date sets the next review."""

    offender = models.ForeignKey(ManagedOffender, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField()
    instrument_id = models.CharField(max_length=100)
    instrument_version = models.CharField(max_length=50)
    instrument_sha256 = models.CharField(max_length=64)
    instrument_title = models.CharField(max_length=300)
    answers = models.JSONField(help_text="item id -> answer as text (yes / no / unknown, ...)")
    evidence = models.JSONField(default=dict, blank=True)
    score = models.IntegerField(null=True)
    score_max = models.IntegerField(null=True)
    explanation = models.JSONField(default=list)
    notes = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[Review]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"review of MO-{self.offender_id} on {self.reviewed_at:%Y-%m-%d}"


class ReactiveDecision(PermanentModel):
    """A person's decision to move an offender to reactive management or back, with the reason and the eligibility
    rules as they stood."""

    offender = models.ForeignKey(ManagedOffender, on_delete=models.PROTECT, related_name="reactive_decisions")
    reactive = models.BooleanField()
    reason = models.TextField()
    eligibility = models.JSONField(help_text="[{rule, met}] when decided")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ReactiveDecision]] = PermanentQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return "reactive management" if self.reactive else "active management"


class IntelligenceLinkQuerySet(UnitScopedQuerySet):
    def of_offenders(self, offender_ids: set[int]) -> Any:
        """Links of these offenders (combine with `visible_to`)."""
        return self.filter(offender_id__in=offender_ids)


class IntelligenceLink(PermanentModel):
    """A new referral linked to a managed offender's person at intake. Records the digital risk indicators that
    stood then: any one of them flags the need for specialist forensic support."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    offender = models.ForeignKey(ManagedOffender, on_delete=models.PROTECT, related_name="intelligence")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField()
    forensic_flags = models.JSONField(default=list, help_text="Digital risk indicator labels at the time")
    notification = models.ForeignKey("notifications.Notification", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[IntelligenceLink]] = IntelligenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["offender", "referral"], name="intelligencelink_unique")]

    def __str__(self) -> str:
        return f"referral {self.referral_id} links to MO-{self.offender_id}"
