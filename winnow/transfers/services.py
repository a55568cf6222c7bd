"""Transfers between units of one installation: request, accept, decline, each with its audit events in both units.

On acceptance the referral, its subjects and its identifiers move to the receiving unit in one transaction with the
decision that moves them, so nothing is copied and nothing is left behind: the referral keeps its reference, its
raw packages, its history, its assessments and its case actions. What the sending unit held is kept on the decision
(`held`) as its read-only view. Exhibits, scan results, links and notifications recorded in the sending unit stay
there (they are named in the held view by count).

Deadlines restart under the receiving unit's policy. One installation has one deadline policy
(WINNOW_DEADLINE_DAYS, WINNOW_ASSESSMENT_DEADLINE_DAYS), so "the receiving unit's policy" is that policy, applied
from the acceptance: a decided (or computed) band's deadline runs from the moment of acceptance, as if the band
were decided then; a referral not yet assessed keeps its assessment deadline from receipt (a child may be at risk
while it is being passed on), and its band's deadline will run from the receiving unit's own decision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from winnow.accounts.models import Unit, User
from winnow.audit.services import AuditAction, audit_record
from winnow.permissions import Capability, can, require
from winnow.referrals.models import Identifier, Referral, Status, Subject
from winnow.workload.models import CaseAction
from winnow.workload.services import referrals_assign

from .models import Transfer, TransferDecision

DEADLINE_RULE = (
    "On acceptance the deadline restarts under the installation's deadline policy, which every unit shares: a "
    "decided band's deadline runs from the acceptance, as if the band were decided then; a referral not yet "
    "assessed keeps its assessment deadline from receipt, and its band's deadline runs from the receiving unit's "
    "decision."
)


class TransferError(Exception):
    """The transfer cannot be requested or decided; the message says why. Nothing was written."""


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def held_view(referral: Referral) -> dict[str, Any]:
    """What the sending unit held: the referral as it stood, its people, its history and its case actions."""
    subjects = []
    for subject in referral.subjects.prefetch_related("identifiers").order_by("id"):
        subjects.append({
            "name": subject.display_name, "role": subject.get_role_display(),
            "date_of_birth": subject.date_of_birth.isoformat() if subject.date_of_birth else None,
            "identifiers": [{"kind": i.get_kind_display(), "value": i.value} for i in subject.identifiers.all()],
        })
    return {
        "reference": referral.reference, "unit": referral.unit.name, "status": referral.get_status_display(),
        "band": referral.get_band_display() if referral.band else "", "deadline_at": _iso(referral.deadline_at),
        "assigned_to": referral.assigned_to.get_username() if referral.assigned_to else "",
        "source": referral.get_source_display(), "source_reference": referral.source_reference,
        "received_at": _iso(referral.current_received_at), "summary": referral.summary,
        "immediate_danger": referral.current_danger, "package_sha256": referral.package.sha256,
        "subjects": subjects,
        "history": [{"at": _iso(c.at), "from": c.get_from_status_display(), "to": c.get_to_status_display(),
                     "by": c.by.get_username(), "reason": c.reason}
                    for c in referral.status_changes.select_related("by")],
        "case_actions": [{"at": _iso(a.occurred_at), "kind": a.get_kind_display(), "note": a.note}
                         for a in CaseAction.objects.filter(referral=referral).order_by("occurred_at", "id")],
    }


def transfer_request(*, actor: User, referral: Referral, to_unit: Unit, reason: str,
                     now: datetime | None = None) -> Transfer:
    """The sending supervisor asks another unit to take the referral over (TransferError says why not)."""
    require(actor, Capability.TRANSFER_REFERRALS, referral.unit_id)
    if not reason.strip():
        raise TransferError("say why the referral should be transferred")
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status == Status.CLOSED:
            raise TransferError(f"{locked.reference} is closed: a closed referral is not transferred")
        if to_unit.pk == locked.unit_id:
            raise TransferError(f"{locked.reference} is already in {to_unit.name}")
        if Transfer.objects.filter(referral=locked).pending().exists():
            raise TransferError(f"{locked.reference} already has a transfer awaiting a decision")
        transfer = Transfer.objects.create(referral=locked, from_unit_id=locked.unit_id, to_unit=to_unit,
                                           reason=reason.strip(), requested_by=actor,
                                           requested_at=now or timezone.now())
        detail = {"referral": locked.reference, "from": locked.unit.code, "to": to_unit.code,
                  "reason": transfer.reason}
        for unit_id in (transfer.from_unit_id, transfer.to_unit_id):  # in both units' audit trails
            audit_record(actor=actor, action=AuditAction.TRANSFER_REQUEST, unit_id=unit_id, target=transfer,
                         detail=detail)
    return transfer


def _move(*, referral: Referral, to_unit: Unit, now: datetime) -> None:
    """Move the referral, its subjects and identifiers, and restart its deadline (DEADLINE_RULE)."""
    referral.unit = to_unit
    if referral.band:
        referral.reprioritise(band=referral.band, decided_at=now, provisional=referral.band_provisional,
                              computed_by=referral.band_computed_by)
    referral.save(update_fields=["unit", *Referral.QUEUE_FIELDS])
    Subject.objects.filter(referral=referral).update(unit=to_unit)
    Identifier.objects.filter(subject__referral=referral).update(unit=to_unit)


def transfer_decide(*, actor: User, transfer: Transfer, accept: bool, reason: str, assignee: User | None = None,
                    now: datetime | None = None) -> TransferDecision:
    """The receiving unit's supervisor accepts (the referral moves, DEADLINE_RULE) or declines (nothing else
    changes). A referral assigned to someone in the sending unit needs `assignee`, who takes work in the
    receiving unit, when accepted."""
    require(actor, Capability.TRANSFER_REFERRALS, transfer.to_unit_id)
    if not reason.strip():
        raise TransferError("say why the transfer is accepted or declined")
    now = now or timezone.now()
    with transaction.atomic():
        # of=("self",): PostgreSQL refuses to lock the nullable side of an outer join (the assignee).
        locked = Transfer.objects.select_for_update(of=("self",)).select_related("to_unit", "from_unit").get(
            pk=transfer.pk)
        referral = Referral.objects.select_for_update(of=("self",)).select_related(
            "unit", "assigned_to", "package").get(pk=locked.referral_id)
        if TransferDecision.objects.filter(transfer=locked).exists():
            raise TransferError("this transfer has already been decided")
        detail: dict[str, Any] = {"referral": referral.reference, "from": locked.from_unit.code,
                                  "to": locked.to_unit.code, "reason": reason.strip()}
        if not accept:
            decision = TransferDecision.objects.create(transfer=locked, accepted=False, reason=reason.strip(),
                                                       decided_by=actor, decided_at=now)
            for unit_id in (locked.from_unit_id, locked.to_unit_id):
                audit_record(actor=actor, action=AuditAction.TRANSFER_DECLINE, unit_id=unit_id, target=locked,
                             detail=detail)
            return decision
        _check_acceptable(referral=referral, transfer=locked, assignee=assignee)
        held = held_view(referral)
        before = referral.deadline_at
        _move(referral=referral, to_unit=locked.to_unit, now=now)
        decision = TransferDecision.objects.create(
            transfer=locked, accepted=True, reason=reason.strip(), decided_by=actor, decided_at=now, held=held,
            deadline_before=before, deadline_after=referral.deadline_at)
        detail |= {"deadline_before": _iso(before), "deadline_after": _iso(referral.deadline_at)}
        audit_record(actor=actor, action=AuditAction.TRANSFER_ACCEPT, unit_id=locked.from_unit_id, target=locked,
                     detail=detail)
        audit_record(actor=actor, action=AuditAction.TRANSFER_ACCEPT, unit_id=locked.to_unit_id, target=referral,
                     detail=detail | {"transfer": locked.pk, "state": referral.state()})
        if referral.assigned_to_id is not None:
            referrals_assign(actor=actor, referrals=[referral], assignee=assignee)  # type: ignore[arg-type]
    return decision


def _check_acceptable(*, referral: Referral, transfer: Transfer, assignee: User | None) -> None:
    if referral.unit_id != transfer.from_unit_id:
        raise TransferError(f"{referral.reference} is no longer in {transfer.from_unit.name}")
    if referral.status == Status.CLOSED:
        raise TransferError(f"{referral.reference} was closed after the transfer was requested")
    if referral.source_reference and Referral.objects.filter(
            unit=transfer.to_unit, source=referral.source, source_reference=referral.source_reference).exists():
        raise TransferError(f"{transfer.to_unit.name} already has a referral with source reference "
                            f"{referral.source_reference}: the same intelligence; close one of them as a duplicate")
    if referral.assigned_to is not None:
        if assignee is None:
            raise TransferError(f"{referral.reference} is assigned to {referral.assigned_to.get_username()} "
                                f"in {transfer.from_unit.name}: choose who in {transfer.to_unit.name} takes it over")
        if not can(assignee, Capability.TAKE_WORK, transfer.to_unit_id):
            raise TransferError(f"{assignee.get_username()} does not take work in {transfer.to_unit.name}")

