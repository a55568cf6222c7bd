"""Use cases that write referrals, their packages and the audit trail together."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.audit.services import audit_record
from winnow.core.intake import FieldError, IntakeError, ReferralDraft, SubjectDraft, parse_referral_file
from winnow.core.priority import Band, DeadlinePolicy, prioritise

from .models import Identifier, ImportBatch, RawPackage, ReferenceCounter, Referral, StatusChange, Subject


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    created: bool  # False when this exact file had already been imported into the unit

    @property
    def referral_count(self) -> int:
        return self.batch.referral_count


def _package(*, unit: Unit, actor: Any, kind: str, content: bytes, media_type: str, filename: str = "") -> RawPackage:
    return RawPackage.objects.create(
        unit=unit,
        kind=kind,
        filename=filename[:255],
        media_type=media_type,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        received_by=actor,
    )


def _check_source_references(unit: Unit, drafts: list[ReferralDraft]) -> None:
    """A source reference already recorded in the unit is an error, named at its place in the file."""
    keyed = {(d.source.value, d.source_reference): d for d in drafts if d.source_reference}
    if not keyed:
        return
    existing = Referral.objects.filter(
        unit=unit, source_reference__in={ref for _, ref in keyed}
    ).values_list("source", "source_reference", "reference")
    errors = [
        FieldError(None, "source_reference", f"{keyed[(src, ref)].locator}: {ref!r} is already recorded as {winnow_ref}")
        for src, ref, winnow_ref in existing
        if (src, ref) in keyed
    ]
    if errors:
        raise IntakeError(errors, filename="")


def _create_subject(*, referral: Referral, draft: SubjectDraft, actor: Any, request_id: str) -> Subject:
    subject = Subject.objects.create(
        referral=referral,
        unit=referral.unit,
        role=draft.role.value,
        given_names=draft.given_names,
        family_name=draft.family_name,
        date_of_birth=draft.date_of_birth,
        sex=draft.sex.value,
        addresses=list(draft.addresses),
        created_by=actor,
    )
    Identifier.objects.bulk_create(
        Identifier(
            subject=subject,
            unit=referral.unit,
            kind=ident.kind.value,
            value=ident.value,
            normalised=ident.normalised,
            platform=ident.platform,
            observed_at=ident.observed_at,
        )
        for ident in draft.identifiers
    )
    audit_record(
        actor=actor,
        action="subject.create",
        unit_id=referral.unit_id,
        request_id=request_id,
        target=subject,
        detail={"referral": referral.reference, "identifiers": len(draft.identifiers)},
    )
    return subject


def deadline_policy() -> DeadlinePolicy:
    return DeadlinePolicy(
        band_days={Band(k): v for k, v in settings.WINNOW_DEADLINE_DAYS.items()},
        assessment_days=settings.WINNOW_ASSESSMENT_DEADLINE_DAYS,
    )


def _create_referral(
    *, unit: Unit, draft: ReferralDraft, package: RawPackage, actor: Any, request_id: str
) -> Referral:
    priority = prioritise(
        received_at=draft.received_at, immediate_danger=draft.immediate_danger, band=None, decided_at=None,
        policy=deadline_policy(),
    )
    referral = Referral.objects.create(
        priority_tier=priority.tier,
        deadline_at=priority.deadline_at,
        unit=unit,
        reference=ReferenceCounter.next_reference(unit, timezone.localtime(draft.received_at).year),
        source=draft.source.value,
        source_reference=draft.source_reference,
        received_at=draft.received_at,
        summary=draft.summary,
        immediate_danger=draft.immediate_danger,
        package=package,
        package_locator=draft.locator,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="referral.create",
        unit_id=unit.pk,
        request_id=request_id,
        target=referral,
        detail={"reference": referral.reference, "package_sha256": package.sha256, "via": package.kind},
    )
    for subject_draft in draft.subjects:
        _create_subject(referral=referral, draft=subject_draft, actor=actor, request_id=request_id)
    from winnow.linkage.services import referral_link_at_intake  # here: winnow.linkage imports this module

    referral_link_at_intake(referral=referral, actor=actor, request_id=request_id)
    # Issue 10: person linkage and its alerts run in the worker. Temporary home: the lead moves this call to winnow.intake.
    __import__("winnow.intake.tasks", fromlist=["_"]).enqueue_referral_follow_up(referral.pk)
    return referral


def referral_record(
    *,
    actor: Any,
    unit: Unit,
    draft: ReferralDraft,
    raw: bytes,
    media_type: str,
    via: str,
    request_id: str = "",
) -> Referral:
    """Record one referral from the web form or the API; `raw` is the request exactly as received."""
    _check_source_references(unit, [draft])
    with transaction.atomic():
        package = _package(unit=unit, actor=actor, kind=via, content=raw, media_type=media_type)
        return _create_referral(unit=unit, draft=draft, package=package, actor=actor, request_id=request_id)


def referrals_import(
    *,
    actor: Any,
    unit: Unit,
    filename: str,
    content: bytes,
    max_bytes: int,
    request_id: str = "",
    now: datetime | None = None,
) -> ImportResult:
    """Import a CSV or JSON file atomically: every referral in it, or nothing (IntakeError says why)."""
    sha256 = hashlib.sha256(content).hexdigest()
    already = ImportBatch.objects.filter(unit=unit, sha256=sha256).first()
    if already is not None:
        return ImportResult(batch=already, created=False)
    drafts = parse_referral_file(content, filename=filename, now=now or timezone.now(), max_bytes=max_bytes)
    _check_source_references(unit, drafts)
    try:
        return _import_batch(actor=actor, unit=unit, filename=filename, content=content, sha256=sha256,
                             drafts=drafts, request_id=request_id)
    except IntegrityError:
        # The same file finished importing in another request while this one was parsing it.
        batch = ImportBatch.objects.filter(unit=unit, sha256=sha256).first()
        if batch is None:
            raise
        return ImportResult(batch=batch, created=False)


def _import_batch(
    *, actor: Any, unit: Unit, filename: str, content: bytes, sha256: str, drafts: list[ReferralDraft],
    request_id: str,
) -> ImportResult:
    with transaction.atomic():
        package = _package(
            unit=unit,
            actor=actor,
            kind=RawPackage.Kind.FILE,
            content=content,
            media_type="application/json" if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") else "text/csv",
            filename=filename,
        )
        batch = ImportBatch.objects.create(
            unit=unit, package=package, sha256=sha256, referral_count=len(drafts), created_by=actor
        )
        audit_record(
            actor=actor,
            action="import.create",
            unit_id=unit.pk,
            request_id=request_id,
            target=batch,
            detail={"filename": filename[:255], "sha256": sha256, "referrals": len(drafts)},
        )
        for draft in drafts:
            _create_referral(unit=unit, draft=draft, package=package, actor=actor, request_id=request_id)
    return ImportResult(batch=batch, created=True)


def subject_add(*, actor: Any, referral: Referral, draft: SubjectDraft, request_id: str = "") -> Subject:
    with transaction.atomic():
        return _create_subject(referral=referral, draft=draft, actor=actor, request_id=request_id)


def referral_transition(
    *,
    actor: Any,
    referral: Referral,
    to_status: str,
    disposition: str = "",
    reason: str = "",
    request_id: str = "",
    now: datetime | None = None,
) -> StatusChange:
    """Move a referral on (IllegalTransition if the lifecycle forbids it), with its audit event."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        change = locked.transition_to(to_status, by=actor, disposition=disposition, reason=reason, now=now)
        audit_record(
            actor=actor,
            action="referral.transition",
            unit_id=locked.unit_id,
            request_id=request_id,
            target=locked,
            detail={"from": change.from_status, "to": change.to_status, "disposition": change.disposition},
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
    request_id: str = "",
) -> Referral:
    """Re-prioritise a referral after a band is decided (or withdrawn: band None). The decision itself is kept by
    the caller (e.g. an assessment decision); this updates the queue columns derived from it, with an audit event."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        priority = prioritise(
            received_at=locked.received_at, immediate_danger=locked.immediate_danger, band=band or None,
            decided_at=decided_at, policy=deadline_policy(), actioned=locked.actioned_at is not None,
        )
        locked.band = band or ""
        locked.band_decided_at = decided_at if band else None
        locked.priority_tier = priority.tier
        locked.deadline_at = priority.deadline_at
        locked.save(update_fields=["band", "band_decided_at", "priority_tier", "deadline_at"])
        audit_record(
            actor=actor, action="referral.prioritise", unit_id=locked.unit_id, request_id=request_id, target=locked,
            detail={"band": locked.band, "tier": int(priority.tier), "deadline_at": priority.deadline_at.isoformat(),
                    "why": why},
        )
    referral.refresh_from_db()
    return referral


def canonical_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, default=str).encode()
