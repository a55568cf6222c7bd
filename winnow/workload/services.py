"""Assigning work and recording case actions, with their audit events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from winnow.accounts.models import User
from winnow.audit.services import AuditAction, audit_record
from winnow.permissions import Capability, can
from winnow.referrals.models import Referral, Status
from winnow.referrals.services import referral_advance
from winnow.safeguarding.services import concern_for_victim

from .models import ENFORCEMENT_ACTIONS, ActionKind, Assignment, CaseAction


class AssignmentError(Exception):
    """The assignment cannot be made; the message says why."""


def referrals_assign(
    *, actor: Any, referrals: Sequence[Referral], assignee: User
) -> list[Assignment]:
    """Assign referrals to an officer who can work them in each referral's unit (all or none)."""
    with transaction.atomic():
        locked = list(Referral.objects.select_for_update().filter(pk__in=[r.pk for r in referrals]).open())
        if len(locked) != len(referrals):
            raise AssignmentError("closed referrals cannot be assigned")
        for referral in locked:
            if not can(assignee, Capability.TAKE_WORK, referral.unit_id):
                raise AssignmentError(f"{assignee.get_username()} is not an investigator in {referral.unit}")
        now = timezone.now()
        made = []
        for referral in locked:
            made.append(Assignment.objects.create(referral=referral, assignee=assignee, assigned_by=actor, assigned_at=now))
            referral.assigned_to = assignee
            referral.save(update_fields=["assigned_to"])
            audit_record(actor=actor, action=AuditAction.REFERRAL_ASSIGN, unit_id=referral.unit_id,
                         target=referral, detail={"assignee": assignee.get_username(), "state": referral.state()})
            # Someone has it in hand: a referral still Received is now being assessed.
            referral_advance(actor=actor, referral=referral, to_status=Status.ASSESSMENT, now=now,
                             why=f"assigned to {assignee.get_username()}")
        return made


def case_action_record(
    *, actor: Any, referral: Referral, kind: str, occurred_at: datetime, note: str = ""
) -> CaseAction:
    if occurred_at > timezone.now():
        raise AssignmentError("an action cannot be recorded in the future")
    if occurred_at < referral.received_at:
        raise AssignmentError("an action cannot come before the referral was received")
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        action = CaseAction.objects.create(
            referral=locked, kind=kind, occurred_at=occurred_at, note=note.strip(), recorded_by=actor
        )
        if kind in ENFORCEMENT_ACTIONS and (locked.actioned_at is None or occurred_at < locked.actioned_at):
            locked.actioned_at = occurred_at
            locked.reprioritise(band=locked.band or None, decided_at=locked.band_decided_at)
            locked.save(update_fields=["actioned_at", *Referral.QUEUE_FIELDS])
            # The status moves at the action's time, but never before a change already in its history: the
            # history stays in order, which is how `winnow verify-referrals` reads it.
            latest = locked.status_changes.order_by("-at").values_list("at", flat=True).first()
            referral_advance(actor=actor, referral=locked, to_status=Status.IN_ACTION,
                             now=max(occurred_at, latest) if latest else occurred_at,
                             why=f"first enforcement action: {action.get_kind_display()}")
            locked.refresh_from_db()  # the audit event below carries the state after the move
        audit_record(actor=actor, action=AuditAction.REFERRAL_ACTION, unit_id=locked.unit_id,
                     target=locked, detail={"kind": kind, "occurred_at": occurred_at.isoformat(),
                                            "state": locked.state()})
        if kind == ActionKind.VICTIM_IDENTIFIED:
            concern_for_victim(actor=actor, referral=locked, source=f"caseaction:{action.pk}",
                               why=f"victim identified (case action by {actor.get_username()})"
                                   + (f": {action.note}" if action.note else ""))
    referral.refresh_from_db()
    return action
