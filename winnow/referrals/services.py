"""Use cases on a recorded referral: moving it through its lifecycle and re-prioritising it, with the audit trail.

Recording a referral (every channel) is `winnow.intake.services`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from winnow.audit.services import AuditAction, audit_record

from .models import Referral, StatusChange
from .models import (
    deadline_policy as deadline_policy,  # moved to models (Referral.reprioritise uses it); kept importable here
)


def referral_transition(
    *,
    actor: Any,
    referral: Referral,
    to_status: str,
    disposition: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> StatusChange:
    """Move a referral on (IllegalTransition if the lifecycle forbids it), with its audit event."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        change = locked.transition_to(to_status, by=actor, disposition=disposition, reason=reason, now=now)
        audit_record(
            actor=actor,
            action=AuditAction.REFERRAL_TRANSITION,
            unit_id=locked.unit_id,
            target=locked,
            detail={"from": change.from_status, "to": change.to_status, "disposition": change.disposition,
                    "state": locked.state()},
        )
    referral.refresh_from_db()
    return change


def referral_apply_band(
    *,
    actor: Any,
    referral: Referral,
    band: str | None,
    decided_at: datetime | None,
    why: str,
) -> Referral:
    """Re-prioritise a referral after a band is decided (or withdrawn: band None). The decision itself is kept by
    the caller (e.g. an assessment decision); this updates the queue columns derived from it, with an audit event."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        priority = locked.reprioritise(band=band, decided_at=decided_at)
        locked.save(update_fields=Referral.QUEUE_FIELDS)
        audit_record(
            actor=actor, action=AuditAction.REFERRAL_PRIORITISE, unit_id=locked.unit_id, target=locked,
            detail={"band": locked.band, "tier": int(priority.tier), "deadline_at": priority.deadline_at.isoformat(),
                    "why": why, "state": locked.state()},
        )
    referral.refresh_from_db()
    return referral
