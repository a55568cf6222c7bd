"""Offender management use cases. Each writes its rows and the audit trail in one transaction; bad input raises
`OffenderInputError` naming each field and reason, and nothing is written.

`offenders_notify_linked` is called by `winnow.intake.services` inside the intake transaction (offenders sit
above linkage, so linkage never calls up here): a new referral whose subject shares an identifier with a managed offender's person records an
`IntelligenceLink` and tells that offender's manager, with the forensic-support flag when digital risk indicators
are recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from winnow.accounts.models import Membership
from winnow.assessments.registry import registry
from winnow.audit.services import AuditAction, audit_record
from winnow.core import offenders as core
from winnow.core.instruments import AnswerError, parse_answer, score
from winnow.linkage.models import PersonMembership
from winnow.linkage.services import current_person_ids
from winnow.notifications.services import notification_send
from winnow.permissions import Capability, require, roles_with
from winnow.referrals.models import Referral, Subject

from .models import (
    Contact,
    IntelligenceLink,
    ManagedOffender,
    Plan,
    ReactiveDecision,
    RegistrationCorrection,
    Review,
)

REVIEW_INSTRUMENT = "offender-review"
MAX_TEXT = 5000


class OffenderInputError(ValueError):
    """`problems` are (field, reason) pairs; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems))


def _plan_problems(unit_id: int, plan: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if plan.get("risk") not in set(core.Risk):
        problems.append(("risk", "must be low, medium, high or very_high"))
    for key in ("mappa_category", "mappa_level"):
        if plan.get(key) not in (1, 2, 3):
            problems.append((key, "must be 1, 2 or 3"))
    for key in ("visit", "in_person", "review"):
        every, unit = plan.get(f"{key}_every"), plan.get(f"{key}_unit")
        if not isinstance(every, int) or not 1 <= every <= 520:
            problems.append((f"{key}_every", "must be a whole number from 1 to 520"))
        if unit not in set(core.Unit):
            problems.append((f"{key}_unit", "must be weeks or months"))
    for code in plan.get("digital_indicators") or []:
        if code not in core.DIGITAL_INDICATORS:
            problems.append(("digital_indicators", f"{code!r} is not a digital risk indicator"))
    manager = plan.get("manager")
    if manager is None or not Membership.objects.filter(
            user=manager, unit_id=unit_id, role__in=roles_with(Capability.MANAGE_OFFENDERS), user__is_active=True).exists():
        problems.append(("manager", "must be an active offender manager or supervisor of the offender's unit"))
    if not str(plan.get("reason") or "").strip():
        problems.append(("reason", "say why the plan is set this way"))
    elif len(str(plan["reason"])) > MAX_TEXT:
        problems.append(("reason", f"is longer than {MAX_TEXT} characters"))
    if len(str(plan.get("conditions") or "")) > MAX_TEXT:
        problems.append(("conditions", f"is longer than {MAX_TEXT} characters"))
    return problems


_PLAN_FIELDS = ("risk", "mappa_category", "mappa_level", "manager", "visit_every", "visit_unit", "in_person_every",
                "in_person_unit", "review_every", "review_unit", "digital_indicators", "civil_orders", "conditions",
                "clean_since", "reason")


def _plan_detail(plan: Plan) -> dict[str, Any]:
    return {"version": plan.version, "risk": plan.risk, "mappa": f"{plan.mappa_category}/{plan.mappa_level}",
            "manager": plan.manager.get_username(), "visits": str(plan.visit_interval),
            "in_person": str(plan.in_person_interval), "reviews": str(plan.review_interval),
            "digital_indicators": list(plan.digital_indicators), "civil_orders": plan.civil_orders}


def offender_register(
    *, actor: Any, subject: Subject, convicted_on: date, disposal: str, under_18: bool,
    custody_months: int | None = None, discharge_months: int | None = None, plan: Mapping[str, Any], now: datetime | None = None,
) -> ManagedOffender:
    """Register a referral subject as a managed offender with the first version of their plan."""
    now = now or timezone.now()
    problems = _plan_problems(subject.unit_id, plan)
    period = None
    if convicted_on > timezone.localdate(now):
        problems.append(("convicted_on", "is in the future"))
    try:
        period = core.notification_period(disposal=disposal, starts_on=convicted_on, under_18=under_18,
                                          custody_months=custody_months, discharge_months=discharge_months)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        problems.append((field, reason) if reason else ("disposal", str(exc)))
    if ManagedOffender.objects.filter(subject=subject).exists():
        problems.append(("subject", "is already a managed offender"))
    if problems or period is None:
        raise OffenderInputError(problems)
    with transaction.atomic():
        offender = ManagedOffender.objects.create(
            unit_id=subject.unit_id, subject=subject, convicted_on=convicted_on, disposal=disposal,
            custody_months=custody_months if disposal == core.Disposal.CUSTODY else None,
            discharge_months=discharge_months if disposal == core.Disposal.CONDITIONAL_DISCHARGE else None,
            under_18_at_conviction=under_18, notification_indefinite=period.indefinite,
            notification_ends_on=period.ends_on, notification_review_from=period.review_from,
            notification_basis=period.reason, created_at=now, created_by=actor,
        )
        first = Plan.objects.create(offender=offender, version=1, created_at=now, created_by=actor,
                                    **{k: plan.get(k) for k in _PLAN_FIELDS if k != "digital_indicators"},
                                    digital_indicators=list(plan.get("digital_indicators") or []))
        audit_record(actor=actor, action=AuditAction.OFFENDER_REGISTER, unit_id=offender.unit_id,
                     target=offender, now=now,
                     detail={"subject": subject.pk, "referral": subject.referral.reference,
                             "notification": period.reason, "ends_on": period.ends_on, "plan": _plan_detail(first)})
    return offender


REGISTRATION_FIELDS = ("convicted_on", "disposal", "custody_months", "discharge_months", "under_18_at_conviction",
                       "notification_indefinite", "notification_ends_on", "notification_review_from",
                       "notification_basis")


def offender_registration_correct(
    *, actor: Any, offender: ManagedOffender, convicted_on: date, disposal: str, under_18: bool, reason: str,
    custody_months: int | None = None, discharge_months: int | None = None, now: datetime | None = None,
) -> RegistrationCorrection:
    """Correct the registration facts (the sentence; the notification period is computed again from it, as at
    registration) as a new record pointing at what it corrects. The registered facts, and earlier corrections,
    stay as recorded and visible."""
    require(actor, Capability.MANAGE_OFFENDERS, offender.unit_id,
            "Only offender managers and supervisors of the offender's unit correct registration facts.")
    now = now or timezone.now()
    problems: list[tuple[str, str]] = []
    period = None
    if convicted_on > timezone.localdate(now):
        problems.append(("convicted_on", "is in the future"))
    try:
        period = core.notification_period(disposal=disposal, starts_on=convicted_on, under_18=under_18,
                                          custody_months=custody_months, discharge_months=discharge_months)
    except ValueError as exc:
        field, _, why = str(exc).partition(": ")
        problems.append((field, why) if why else ("disposal", str(exc)))
    reason = (reason or "").strip()
    if not reason:
        problems.append(("reason", "say what was wrong and how the right facts are known"))
    elif len(reason) > MAX_TEXT:
        problems.append(("reason", f"is longer than {MAX_TEXT} characters"))
    if problems or period is None:
        raise OffenderInputError(problems)
    facts = {
        "convicted_on": convicted_on, "disposal": disposal,
        "custody_months": custody_months if disposal == core.Disposal.CUSTODY else None,
        "discharge_months": discharge_months if disposal == core.Disposal.CONDITIONAL_DISCHARGE else None,
        "under_18_at_conviction": under_18, "notification_indefinite": period.indefinite,
        "notification_ends_on": period.ends_on, "notification_review_from": period.review_from,
        "notification_basis": period.reason,
    }
    with transaction.atomic():
        ManagedOffender.objects.select_for_update().filter(pk=offender.pk).first()  # one correction at a time
        latest = RegistrationCorrection.objects.filter(offender=offender).order_by("-created_at", "-id").first()
        before = latest or offender
        if all(getattr(before, k) == v for k, v in facts.items()):
            raise OffenderInputError([("reason", "the facts given are those already recorded: nothing to correct")])
        correction = RegistrationCorrection.objects.create(offender=offender, corrects=latest, reason=reason,
                                                           created_at=now, created_by=actor, **facts)
        audit_record(actor=actor, action=AuditAction.OFFENDER_CORRECT, unit_id=offender.unit_id, target=correction,
                     now=now, detail={"offender": offender.pk, "reason": reason[:500],
                                      "before": {k: getattr(before, k) for k in REGISTRATION_FIELDS},
                                      "after": facts})
    return correction


def plan_revise(*, actor: Any, offender: ManagedOffender, plan: Mapping[str, Any],
                now: datetime | None = None) -> Plan:
    """A new plan version superseding the current one (which is kept unchanged)."""
    problems = _plan_problems(offender.unit_id, plan)
    if problems:
        raise OffenderInputError(problems)
    now = now or timezone.now()
    with transaction.atomic():
        ManagedOffender.objects.select_for_update().filter(pk=offender.pk).first()  # one revision at a time
        current = Plan.objects.filter(offender=offender).order_by("-version").first()
        assert current is not None
        revised = Plan.objects.create(offender=offender, version=current.version + 1, supersedes=current,
                                      created_at=now, created_by=actor,
                                      **{k: plan.get(k) for k in _PLAN_FIELDS if k != "digital_indicators"},
                                      digital_indicators=list(plan.get("digital_indicators") or []))
        audit_record(actor=actor, action=AuditAction.OFFENDER_PLAN, unit_id=offender.unit_id,
                     target=revised, now=now, detail={"offender": offender.pk, "plan": _plan_detail(revised)})
    return revised


def contact_record(
    *, actor: Any, offender: ManagedOffender, occurred_at: datetime, mode: str, outcome: str, device_check: str,
    notes: str = "", corrects: Contact | None = None, now: datetime | None = None,
) -> Contact:
    """Log a contact (or a correction of an earlier one, which then stops counting)."""
    now = now or timezone.now()
    problems: list[tuple[str, str]] = []
    if occurred_at.tzinfo is None:
        problems.append(("occurred_at", "needs a time zone"))
    elif occurred_at > now:
        problems.append(("occurred_at", "is in the future"))
    elif timezone.localdate(occurred_at) < offender.registration().convicted_on:
        problems.append(("occurred_at", "is before the conviction"))
    if mode not in set(core.Mode):
        problems.append(("mode", "must be home_visit, doorstep, police_station, phone or video"))
    if outcome not in set(core.Outcome):
        problems.append(("outcome", "must be seen, not_seen, refused or cancelled"))
    if device_check not in {"no_concerns", "concerns", "refused", "not_done"}:
        problems.append(("device_check", "must be no_concerns, concerns, refused or not_done"))
    if device_check == "concerns" and not notes.strip():
        problems.append(("notes", "say what the device check found"))
    if len(notes) > MAX_TEXT:
        problems.append(("notes", f"is longer than {MAX_TEXT} characters"))
    if corrects is not None and corrects.offender_id != offender.pk:
        problems.append(("corrects", "is a contact with another offender"))
    if problems:
        raise OffenderInputError(problems)
    with transaction.atomic():
        contact = Contact.objects.create(offender=offender, occurred_at=occurred_at, mode=mode, outcome=outcome,
                                         device_check=device_check, notes=notes.strip(), corrects=corrects,
                                         created_at=now, created_by=actor)
        audit_record(actor=actor, action=AuditAction.OFFENDER_CONTACT, unit_id=offender.unit_id,
                     target=contact, now=now,
                     detail={"offender": offender.pk, "mode": mode, "outcome": outcome,
                             "device_check": device_check, "corrects": corrects.pk if corrects else None})
    return contact


def review_record(
    *, actor: Any, offender: ManagedOffender, answers: Mapping[str, str], evidence: Mapping[str, str] | None = None,
    notes: str, reviewed_at: datetime | None = None, now: datetime | None = None,
) -> Review:
    """Score a dynamic review with the review instrument and record it; its date sets the next review."""
    now = now or timezone.now()
    reviewed_at = reviewed_at or now
    instrument = registry().current(REVIEW_INSTRUMENT)
    if instrument is None:
        raise OffenderInputError([("instrument", f"{REVIEW_INSTRUMENT!r} is not a loaded instrument")])
    problems: list[tuple[str, str]] = []
    parsed: dict[str, Any] = {}
    texts: dict[str, str] = {}
    items = {item.id: item for item in instrument.items}
    for key, text in answers.items():
        if key not in items:
            problems.append((key, f"is not an item of {instrument.id}"))
            continue
        try:
            parsed[key] = parse_answer(items[key], str(text))
        except ValueError as exc:
            problems.append((key, str(exc)))
        texts[key] = str(text).strip() or "unknown"
    if not notes.strip():
        problems.append(("notes", "record the reviewer's judgement"))
    if reviewed_at > now:
        problems.append(("reviewed_at", "is in the future"))
    if problems:
        raise OffenderInputError(problems)
    try:
        result = score(instrument, parsed)
    except AnswerError as exc:
        raise OffenderInputError(list(exc.problems)) from None
    with transaction.atomic():
        review = Review.objects.create(
            offender=offender, reviewed_at=reviewed_at, instrument_id=instrument.id,
            instrument_version=instrument.version, instrument_sha256=instrument.sha256,
            instrument_title=instrument.title, answers={i: texts.get(i, "unknown") for i in items},
            evidence={k: v.strip() for k, v in (evidence or {}).items() if k in items and v.strip()},
            score=result.score, score_max=result.score_max, explanation=list(result.explanation),
            notes=notes.strip(), created_at=now, created_by=actor,
        )
        audit_record(actor=actor, action=AuditAction.OFFENDER_REVIEW, unit_id=offender.unit_id,
                     target=review, now=now,
                     detail={"offender": offender.pk, "instrument": f"{instrument.id} {instrument.version}",
                             "score": result.score, "score_max": result.score_max})
    return review


def reactive_decide(*, actor: Any, offender: ManagedOffender, reactive: bool, reason: str,
                    now: datetime | None = None) -> ReactiveDecision:
    """Move an offender to reactive management (only when eligible) or back to active management."""
    now = now or timezone.now()
    eligibility = offender.eligibility(timezone.localdate(now))
    problems: list[tuple[str, str]] = []
    if not reason.strip():
        problems.append(("reason", "say why"))
    if reactive and not eligibility.eligible:
        problems.append(("reactive", "not eligible: " + "; ".join(eligibility.blockers)))
    if reactive == offender.reactive:
        problems.append(("reactive", "the offender is already under " + ("reactive" if reactive else "active")
                         + " management"))
    if problems:
        raise OffenderInputError(problems)
    with transaction.atomic():
        decision = ReactiveDecision.objects.create(
            offender=offender, reactive=reactive, reason=reason.strip(), by=actor, at=now,
            eligibility=[{"rule": r.text, "met": r.met} for r in eligibility.rules],
        )
        audit_record(actor=actor, action=AuditAction.OFFENDER_REACTIVE, unit_id=offender.unit_id,
                     target=decision, now=now, detail={"offender": offender.pk, "reactive": reactive,
                                                       "reason": reason.strip()})
    return decision


# ----------------------------------------------------------------------------------------- links to new referrals


def offenders_of_subjects(subject_ids: Iterable[int]) -> dict[int, list[ManagedOffender]]:
    """subject id -> the managed offenders whose person that subject is (the offender's own subject, or any subject
    in the same person as it)."""
    wanted = set(subject_ids)
    persons = current_person_ids(wanted)
    members = defaultdict(set)  # person id -> subject ids
    for m in PersonMembership.objects.standing().filter(person_id__in=set(persons.values())):
        members[m.person_id].add(m.subject_id)
    current = current_person_ids({s for ids in members.values() for s in ids})
    same: dict[int, set[int]] = {}
    for subject_id in wanted:
        person = persons.get(subject_id)
        same[subject_id] = {subject_id} | ({s for s in members[person] if current.get(s) == person} if person else set())
    offenders = {o.subject_id: o for o in ManagedOffender.objects.filter(
        subject_id__in={s for ids in same.values() for s in ids}).select_related("subject")}
    return {s: [offenders[x] for x in sorted(ids) if x in offenders] for s, ids in same.items()}


def offenders_notify_linked(
    *, referral: Referral, links: Iterable[Any], actor: Any, now: datetime | None = None, lead: str | None = None,
) -> list[Any]:
    """Record an IntelligenceLink for each managed offender a new referral links to, and notify their manager (not
    the person who recorded the referral: they see the links on the page). Runs inside the intake transaction.
    At most once per offender and referral: a person added to the referral later who links to an offender already
    linked through it tells the manager nothing new. `lead` begins the message ("New referral <reference>")."""
    lead = lead or f"New referral {referral.reference}"
    now = now or timezone.now()
    links = list(links)
    found = offenders_of_subjects({link.linked_subject_id for link in links})
    reasons: dict[int, set[str]] = defaultdict(set)
    by_pk: dict[int, ManagedOffender] = {}
    for link in links:
        for offender in found.get(link.linked_subject_id, []):
            if offender.unit_id == referral.unit_id:
                reasons[offender.pk].add(link.reason)
                by_pk[offender.pk] = offender
    sent = []
    for pk, offender in by_pk.items():
        if IntelligenceLink.objects.filter(offender=offender, referral=referral).exists():
            continue
        plan = Plan.objects.filter(offender=offender).select_related("manager").order_by("-version").first()
        assert plan is not None
        flags = list(core.forensic_support_needed(plan.digital_indicators))
        why = "; ".join(sorted(reasons[pk]))
        message = (f"{lead} links to managed offender {offender} whom you manage: "
                   f"{why}.")
        if flags:
            message += f" Specialist forensic support needed (digital risk indicators: {', '.join(flags)})."
        note = None
        if plan.manager.is_active and getattr(actor, "pk", None) != plan.manager.pk:
            note = notification_send(
                recipient=plan.manager, unit_id=referral.unit_id, message=message,
                link=reverse("referrals:detail", args=[referral.pk]), referral=referral, actor=actor, now=now,
            )
            sent.append(note)
        link_row = IntelligenceLink.objects.create(unit_id=offender.unit_id, offender=offender, referral=referral,
                                                   reasons=why, forensic_flags=flags, notification=note,
                                                   created_at=now)
        audit_record(actor=actor, action=AuditAction.OFFENDER_INTELLIGENCE, unit_id=offender.unit_id,
                     target=link_row, now=now,
                     detail={"offender": offender.pk, "referral": referral.reference, "reasons": why,
                             "forensic_support": bool(flags)})
    return sent
