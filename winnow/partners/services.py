"""Cross-unit deconfliction: what happens when a referral links to another unit's person, referral or managed
offender, and requests for information between the two units. Each use case writes its rows and the audit trail in
the caller's transaction (or its own).

`deconflict_at_intake` is called by `winnow.intake.services` inside the intake transaction with the cross-unit
identifier matches linkage found; `after_merge` is called by `winnow.linkage` (settings.WINNOW_AFTER_MERGE) in the
transaction that accepts a person match, so an offender manager hears of a referral that links to their offender
when the match is accepted later, in whichever unit the referral is.

Need-to-know: a notification or page of one unit names the other's reference, unit and contact, never the other's
case details (subjects, identifiers' values, summary, assessment). The proof is a test that looks for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from winnow.audit.services import AuditAction, audit_record
from winnow.linkage.models import IdentifierLink, Merge
from winnow.linkage.services import CrossUnitMatch, owners_of, person_members
from winnow.notifications.models import Notification
from winnow.notifications.services import notification_send
from winnow.offenders.models import ManagedOffender, Plan
from winnow.offenders.services import offenders_notify_linked, offenders_of_subjects
from winnow.permissions import Capability, can
from winnow.referrals.models import Referral, Status

from .models import Deconfliction, InformationAnswer, InformationRequest, OffenderAlert

MAX_TEXT = 5000


class PartnersInputError(ValueError):
    """`problems` are (field, reason) pairs; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems))


def contact_of(referral: Referral) -> str:
    """Who to contact about a referral in its unit: its owner (assigned investigator, else who recorded it)."""
    owner = getattr(referral, "assigned_to", None) or referral.created_by
    name = owner.get_full_name() or owner.get_username()
    return f"{name} <{owner.email}>" if owner.email else name


def _basis(reason: str) -> str:
    """'same email address x@example.org' -> 'same email address': the kind, never the value (IP addresses say
    only that an IP address matched)."""
    if reason.startswith("IP address"):
        return "same IP address, close in time or on the same account"
    words = reason.split(" ")
    for kind in ("email address", "phone number", "username/account", "device id"):
        if kind in reason:
            return f"same {kind}"
    return " ".join(words[:2])


# ------------------------------------------------------------------------------------------------------ at intake


@dataclass(frozen=True)
class Deconflicted:
    records: list[Deconfliction]
    notifications: list[Notification]


def deconflict_at_intake(
    *, referral: Referral, matches: Iterable[CrossUnitMatch], actor: Any, now: datetime | None = None,
) -> Deconflicted:
    """One `Deconfliction` per (new subject, other unit's subject), the audit event in each unit, a notification to
    the owner of each side (the new side too: the recorder learns the other's contact only this way), and an alert
    to the manager of a managed offender whose person the other subject is."""
    now = now or timezone.now()
    pairs: dict[tuple[int, int], list[CrossUnitMatch]] = defaultdict(list)
    for match in matches:
        pairs[(match.identifier.subject_id, match.other_identifier.subject_id)].append(match)
    records: list[Deconfliction] = []
    sent: list[Notification] = []
    for (subject_id, other_subject_id), group in pairs.items():
        if Deconfliction.objects.filter(subject_id=subject_id, other_subject_id=other_subject_id).exists():
            continue
        other_subject = group[0].other_identifier.subject
        other = Referral.objects.select_related("unit", "created_by", "assigned_to").get(pk=other_subject.referral_id)
        record = Deconfliction.objects.create(
            unit_id=referral.unit_id, referral=referral, subject_id=subject_id, other_unit_id=other.unit_id,
            other_referral=other, other_subject=other_subject,
            basis="; ".join(sorted({_basis(m.reason) for m in group})), created_at=now,
        )
        for unit_id in (referral.unit_id, other.unit_id):
            audit_record(actor=actor, action=AuditAction.DECONFLICTION_CREATE, unit_id=unit_id, target=record,
                         now=now, detail={"referral": referral.reference, "other_referral": other.reference,
                                          "units": [referral.unit.name, other.unit.name], "basis": record.basis})
        records.append(record)
        sent += _tell_both(record=record, referral=referral, other=other, actor=actor, now=now)
        for offender in offenders_of_subjects([other_subject.pk]).get(other_subject.pk, []):
            if offender.unit_id != referral.unit_id:
                note = alert_offender_manager(offender=offender, referral=referral, record=record,
                                              reason=record.basis, actor=actor, now=now)
                sent += [note] if note else []
    return Deconflicted(records, sent)


def _tell_both(*, record: Deconfliction, referral: Referral, other: Referral, actor: Any,
               now: datetime) -> list[Notification]:
    link = record.get_absolute_url()
    sent = []
    if other.status != Status.CLOSED:
        for owner in owners_of(other):
            sent.append(notification_send(
                recipient=owner, unit_id=other.unit_id, referral=other, actor=actor, now=now, link=link,
                message=(f"Referral {referral.reference} in {referral.unit.name} links to your referral "
                         f"{other.reference} ({record.basis}). Contact: {contact_of(referral)}. Its details stay "
                         f"with {referral.unit.name}: ask through a request for information."),
            ))
    for owner in owners_of(referral):
        sent.append(notification_send(
            recipient=owner, unit_id=referral.unit_id, referral=referral, actor=actor, now=now, link=link,
            message=(f"Your referral {referral.reference} links to referral {other.reference} in {other.unit.name} "
                     f"({record.basis}). Contact: {contact_of(other)}. Its details stay with {other.unit.name}: "
                     "ask through a request for information."),
        ))
    return sent


def alert_offender_manager(
    *, offender: ManagedOffender, referral: Referral, record: Deconfliction, reason: str, actor: Any, now: datetime,
) -> Notification | None:
    """Tell the manager of another unit's offender that `referral` links to them (once per offender and referral):
    the referral's reference, unit and contact, and how it links; nothing of the referral's case."""
    if OffenderAlert.objects.filter(offender=offender, referral=referral).exists():
        return None
    plan = Plan.objects.filter(offender=offender).select_related("manager").order_by("-version").first()
    assert plan is not None
    note = None
    if plan.manager.is_active and getattr(actor, "pk", None) != plan.manager.pk:
        note = notification_send(
            recipient=plan.manager, unit_id=offender.unit_id, referral=None, actor=actor, now=now,
            link=record.get_absolute_url(),
            message=(f"Referral {referral.reference} in {referral.unit.name} links to managed offender MO-{offender.pk}"
                     f" whom you manage ({reason}). Contact: {contact_of(referral)}. Its details stay with "
                     f"{referral.unit.name}: ask through a request for information."),
        )
    alert = OffenderAlert.objects.create(unit_id=offender.unit_id, offender=offender, other_unit_id=referral.unit_id,
                                         referral=referral, deconfliction=record, reason=reason, notification=note,
                                         created_at=now)
    audit_record(actor=actor, action=AuditAction.OFFENDER_INTELLIGENCE, unit_id=offender.unit_id, target=alert,
                 now=now, detail={"offender": offender.pk, "referral": referral.reference,
                                  "other_unit": referral.unit.name, "reasons": reason})
    return note


# ------------------------------------------------------------------------------------------- a match accepted later


@dataclass(frozen=True)
class _PersonLink:
    """In the shape `offenders_notify_linked` reads."""

    linked_subject_id: int
    reason: str


def after_merge(*, merge: Merge, actor: Any, now: datetime) -> list[Notification]:
    """A person match was accepted: every referral that now links to a managed offender of the merged person alerts
    that offender's manager, once per (offender, referral). In the offender's unit: referrals whose subject joined
    the person, and referrals with an exact identifier link to any member (an `IntelligenceLink`, as at intake).
    In other units: referrals linked at intake to any member (a `Deconfliction`)."""
    members = person_members(merge.person)
    member_ids = {s.pk for s in members}
    offenders = list(ManagedOffender.objects.filter(subject_id__in=member_ids).select_related("subject"))
    sent: list[Any] = []
    why = f"the same person: match accepted at proposal {merge.proposal_id}"
    for offender in offenders:
        referrals: dict[int, list[Any]] = defaultdict(list)
        for subject in members:
            if subject.referral_id != offender.subject.referral_id:
                referrals[subject.referral_id].append(_PersonLink(offender.subject_id, why))
        # Exact identifier links to or from any member: the referral at the other end now links to the offender.
        exact = IdentifierLink.objects.filter(Q(linked_subject_id__in=member_ids) | Q(subject_id__in=member_ids))
        for link in exact:
            other = link.linked_referral_id if link.subject_id in member_ids else link.referral_id
            if other != offender.subject.referral_id:
                referrals[other].append(_PersonLink(offender.subject_id, f"{link.reason}, {why}"))
        for referral in Referral.objects.filter(pk__in=referrals).select_related("unit"):
            sent += offenders_notify_linked(referral=referral, links=referrals[referral.pk], actor=actor, now=now)
        # Another unit's referrals linked to any member, either way round.
        for record in Deconfliction.objects.filter(other_subject_id__in=member_ids).select_related(
                "referral__unit", "referral__created_by"):
            note = alert_offender_manager(offender=offender, referral=record.referral, record=record,
                                          reason=f"{record.basis}; {why}", actor=actor, now=now)
            sent += [note] if note else []
        for record in Deconfliction.objects.filter(subject_id__in=member_ids).select_related(
                "other_referral__unit", "other_referral__created_by"):
            note = alert_offender_manager(offender=offender, referral=record.other_referral, record=record,
                                          reason=f"{record.basis}; {why}", actor=actor, now=now)
            sent += [note] if note else []
    return sent


# --------------------------------------------------------------------------------------- requests for information


def default_due_on(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now()) + timedelta(days=settings.WINNOW_RFI_DAYS)


def request_send(
    *, actor: Any, record: Deconfliction, from_unit_id: int, question: str, due_on: date | None = None,
    now: datetime | None = None,
) -> InformationRequest:
    """One unit of a cross-unit link asks the other; the other side's owner is notified. Nothing is written when the
    question is empty or too long, the deadline is past, or the asker may not exchange information in that unit."""
    now = now or timezone.now()
    due_on = due_on or default_due_on(now)
    problems: list[tuple[str, str]] = []
    if from_unit_id not in (record.unit_id, record.other_unit_id):
        problems.append(("unit", "is not a side of this link"))
    elif not can(actor, Capability.EXCHANGE_INFORMATION, from_unit_id):
        problems.append(("unit", "your role there does not let you send requests for information"))
    if not question.strip():
        problems.append(("question", "say what you need to know"))
    elif len(question) > MAX_TEXT:
        problems.append(("question", f"is longer than {MAX_TEXT} characters"))
    if due_on < timezone.localdate(now):
        problems.append(("due_on", "is in the past"))
    if problems:
        raise PartnersInputError(problems)
    to_unit_id = record.other_unit_id if from_unit_id == record.unit_id else record.unit_id
    theirs = record.other_referral if to_unit_id == record.other_unit_id else record.referral
    with transaction.atomic():
        rfi = InformationRequest.objects.create(deconfliction=record, from_unit_id=from_unit_id, to_unit_id=to_unit_id,
                                                question=question.strip(), due_on=due_on, created_at=now,
                                                created_by=actor)
        for unit_id in (from_unit_id, to_unit_id):
            audit_record(actor=actor, action=AuditAction.INFORMATION_REQUEST, unit_id=unit_id, target=rfi, now=now,
                         detail={"deconfliction": record.pk, "from_unit": from_unit_id, "to_unit": to_unit_id,
                                 "due_on": due_on})
        for owner in owners_of(theirs):
            notification_send(
                recipient=owner, unit_id=to_unit_id, referral=theirs, actor=actor, now=now,
                link=rfi.get_absolute_url(),
                message=(f"{rfi.from_unit.name} asks for information about your referral {theirs.reference}, "
                         f"by {due_on:%d %B %Y}. Answer it in Winnow (RFI-{rfi.pk})."),
            )
    return rfi


def request_answer(*, actor: Any, rfi: InformationRequest, answer: str,
                   now: datetime | None = None) -> InformationAnswer:
    """The asked unit answers (once; a later answer is refused); the asker is notified."""
    now = now or timezone.now()
    problems: list[tuple[str, str]] = []
    if not can(actor, Capability.EXCHANGE_INFORMATION, rfi.to_unit_id):
        problems.append(("unit", f"only {rfi.to_unit.name} answers this request"))
    if not answer.strip():
        problems.append(("answer", "write the answer"))
    elif len(answer) > MAX_TEXT:
        problems.append(("answer", f"is longer than {MAX_TEXT} characters"))
    if problems:
        raise PartnersInputError(problems)
    with transaction.atomic():
        InformationRequest.objects.select_for_update().filter(pk=rfi.pk).first()  # one answer at a time
        if InformationAnswer.objects.filter(request=rfi).exists():
            raise PartnersInputError([("answer", f"RFI-{rfi.pk} has already been answered")])
        row = InformationAnswer.objects.create(request=rfi, answer=answer.strip(), by=actor, at=now)
        late = timezone.localdate(now) > rfi.due_on
        for unit_id in (rfi.from_unit_id, rfi.to_unit_id):
            audit_record(actor=actor, action=AuditAction.INFORMATION_ANSWER, unit_id=unit_id, target=rfi, now=now,
                         detail={"deconfliction": rfi.deconfliction_id, "late": late})
        if rfi.created_by.is_active:
            notification_send(
                recipient=rfi.created_by, unit_id=rfi.from_unit_id, referral=None, actor=actor, now=now,
                link=rfi.get_absolute_url(),
                message=f"{rfi.to_unit.name} answered your request for information RFI-{rfi.pk}.",
            )
    return row


