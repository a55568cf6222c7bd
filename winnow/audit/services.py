"""Writing and checking the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from winnow.context import current
from winnow.core.auditchain import GENESIS, event_hash, shard_for, without_nul

from .actions import AuditAction
from .chain import TrailReport, audit_key, checkpoint_if_due, shard_lock, trail_verify
from .models import AuditEvent

__all__ = ["AuditAction", "audit_read", "audit_record", "audit_search", "audit_verify"]


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    unit_id: int | None,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction, so the event and the change commit together.
    The request id comes from the acting context (`winnow.context`): the request's, the command's or the task's.

    `action` must be an AuditAction: a free-text string is refused (TypeError), so the set of kinds stays closed."""
    request_id = current().request_id
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit action must be an AuditAction, not {type(action).__name__} {action!r}")
    action = AuditAction(action)  # the member itself, not a str subclass that slipped through
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if target is not None:
        target_type = target._meta.model_name or ""
        target_id = str(target.pk)
    # One chain per unit (and one for events with no unit): writers in different units never wait for each other.
    shard = shard_for(unit_id)
    shard_lock(shard)
    last = AuditEvent.objects.filter(shard=shard).order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    # Round-trip detail through JSON so what is hashed is exactly what the database will give back; NUL replaced,
    # which PostgreSQL cannot store and SQLite can, so both store and hash the same.
    clean_detail = without_nul(json.loads(json.dumps(detail or {}, default=str)))
    target_type, target_id, request_id = without_nul([target_type, target_id, request_id])
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        shard=shard,
        seq=seq,
        occurred_at=now or timezone.now(),
        actor=actor if authenticated else None,
        actor_username=without_nul(actor.get_username()) if authenticated else "system",
        action=action.value,
        target_type=target_type,
        target_id=target_id,
        unit_id=unit_id,
        request_id=request_id,
        detail=clean_detail,
        prev_hash=prev_hash,
    )
    chained = {
        "seq": seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": action.value,
        "target_type": target_type,
        "target_id": target_id,
        "unit_id": unit_id,
        "request_id": request_id,
        "detail": clean_detail,
    }
    event.hash = event_hash(prev_hash, chained, audit_key())
    event.save(force_insert=True)
    # After the commit, so a checkpoint only ever records committed events. Robust: a checkpoint that cannot be
    # written (full disk, lost mount) is logged, never a failed request; audit-verify then reports it missing.
    transaction.on_commit(lambda: checkpoint_if_due(shard, seq), robust=True)
    return event


def audit_verify(*, chunk_size: int = 5000, now: datetime | None = None) -> TrailReport:
    """Every shard's chain, every checkpoint, and the guard triggers (winnow.audit.chain.trail_verify)."""
    return trail_verify(chunk_size=chunk_size, now=now)


def audit_read(request: Any, obj: Model, *, unit_id: int | None, detail: dict[str, Any] | None = None,
               action: AuditAction | None = None) -> AuditEvent:
    """Record that a person read a person's or a referral's data (invariant 5). Views get their object through
    winnow.audit.reads.get_for_read, which scopes it and calls this, rather than calling this themselves."""
    with transaction.atomic():
        return audit_record(
            actor=request.user,
            action=action or AuditAction.read_of(obj._meta.model_name or ""),
            unit_id=unit_id,
            target=obj,
            detail=detail,
        )


def audit_search(request: Any, action: AuditAction, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Record a list, search or dashboard read by a person (no single object, so no unit): who looked for what."""
    with transaction.atomic():
        return audit_record(
            actor=request.user, action=action, unit_id=None,
            detail=detail,
        )
