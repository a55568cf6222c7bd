"""Correcting an intake fact after recording: a new IntakeCorrection pointing at what it corrects, never an edit.

Any intake fact can be corrected (the danger flag, source, received time, summary, a subject's details), by someone
who moves referrals on in its unit, with a reason. A correction of the danger flag or the received time changes the
queue's order, so the referral is re-prioritised in the same transaction; a correction of the danger flag also
notifies the referral's owner (its assigned officer, or else the unit's supervisors) at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from winnow.accounts.models import User
from winnow.audit.services import AuditAction, audit_record
from winnow.core.intake import Sex, Source
from winnow.notifications.services import notification_send
from winnow.permissions import Capability, require, roles_with
from winnow.referrals.models import IntakeCorrection, Referral, Subject

Field = IntakeCorrection.Field
MAX_REASON = 5000
# Intake facts whose corrected value is also a current-state column of the referral (they order the queue).
QUEUE_INPUTS = {Field.IMMEDIATE_DANGER: "danger_corrected", Field.RECEIVED_AT: "received_corrected_at"}


class CorrectionError(ValueError):
    """A correction that cannot be recorded: `field` names the input, the message says why; nothing was written."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


def _latest(referral: Referral, field: str, subject: Subject | None) -> IntakeCorrection | None:
    return (IntakeCorrection.objects.filter(referral=referral, field=field, subject=subject)
            .order_by("-created_at", "-id").first())


def _stored(value: Any) -> Any:
    """A value as the JSON a correction keeps (dates and times as ISO 8601)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def current_value(referral: Referral, field: str, subject: Subject | None = None) -> Any:
    """The fact as it now stands: the latest correction's value, or the recorded one."""
    latest = _latest(referral, field, subject)
    if latest is not None:
        return latest.after
    owner: Any = subject if field not in IntakeCorrection.REFERRAL_FIELDS else referral
    return _stored(getattr(owner, field))


def latest_corrections(referral: Referral) -> dict[tuple[str, int | None], IntakeCorrection]:
    """Each corrected fact's latest correction, keyed by (field, subject id or None), in one query: for showing a
    whole referral as it now stands."""
    latest: dict[tuple[str, int | None], IntakeCorrection] = {}
    for correction in IntakeCorrection.objects.filter(referral=referral).order_by("created_at", "id"):
        latest[(correction.field, correction.subject_id)] = correction
    return latest


def _clean(field: str, value: Any, *, referral: Referral, now: datetime) -> Any:  # noqa: C901 - one branch a field
    if field == Field.IMMEDIATE_DANGER:
        if not isinstance(value, bool):
            raise CorrectionError("value", "answer Yes or No")
        return value
    if field == Field.SOURCE:
        if value not in Source._value2member_map_:
            raise CorrectionError("value", "choose one of the sources")
        return value
    if field == Field.RECEIVED_AT:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise CorrectionError("value", "give a date and time")
        if value > now:
            raise CorrectionError("value", "cannot be in the future")
        return value
    if field == Field.SUMMARY:
        text = str(value or "").strip()
        if not text:
            raise CorrectionError("value", "the summary cannot be blank")
        if len(text) > 20000:
            raise CorrectionError("value", f"is {len(text)} characters; the limit is 20000")
        return text
    if field in (Field.GIVEN_NAMES, Field.FAMILY_NAME):
        text = str(value or "").strip()
        if len(text) > 200:
            raise CorrectionError("value", f"is {len(text)} characters; the limit is 200")
        return text
    if field == Field.DATE_OF_BIRTH:
        if value is None:
            return None
        if not isinstance(value, date) or isinstance(value, datetime):
            raise CorrectionError("value", "give a date, or leave it blank for unknown")
        if value > timezone.localdate(now):
            raise CorrectionError("value", "a date of birth cannot be in the future")
        return value
    if field == Field.SEX:
        if value not in Sex._value2member_map_:
            raise CorrectionError("value", "choose female, male or unknown")
        return value
    if field == Field.ADDRESSES:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise CorrectionError("value", "give one address a line")
        return [v.strip() for v in value if v.strip()]
    raise CorrectionError("field", f"{field!r} is not an intake fact that can be corrected")


def _owners(referral: Referral) -> list[User]:
    if referral.assigned_to_id is not None and referral.assigned_to is not None:
        return [referral.assigned_to]
    return list(User.objects.filter(
        memberships__unit_id=referral.unit_id, memberships__role__in=roles_with(Capability.ASSIGN_WORK),
        is_active=True,
    ).distinct().order_by("username"))


def referral_correct(
    *, actor: Any, referral: Referral, field: str, value: Any, reason: str, subject: Subject | None = None,
    now: datetime | None = None,
) -> IntakeCorrection:
    """Record a correction of one intake fact (CorrectionError, nothing written, if it cannot be); re-prioritise and
    notify the owner when it changes the danger flag."""
    require(actor, Capability.PROGRESS_REFERRALS, referral.unit_id,
            "Only handlers, investigators and supervisors of the referral's unit correct its intake facts.")
    now = now or timezone.now()
    reason = (reason or "").strip()
    if field not in Field.values:
        raise CorrectionError("field", f"{field!r} is not an intake fact that can be corrected")
    about_subject = field not in IntakeCorrection.REFERRAL_FIELDS
    if about_subject and (subject is None or subject.referral_id != referral.pk):
        raise CorrectionError("subject", "choose a person on this referral")
    if not about_subject:
        subject = None
    if not reason:
        raise CorrectionError("reason", "say why the recorded value is wrong and how the right one is known")
    if len(reason) > MAX_REASON:
        raise CorrectionError("reason", f"is {len(reason)} characters; the limit is {MAX_REASON}")
    cleaned = _clean(field, value, referral=referral, now=now)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)  # no outer join: PostgreSQL refuses FOR UPDATE on one
        before = current_value(locked, field, subject)
        if _stored(cleaned) == before:
            raise CorrectionError("value", "is what is already recorded: nothing to correct")
        correction = IntakeCorrection(
            referral=locked, subject=subject, field=field, before=before, after=_stored(cleaned), reason=reason,
            corrects=_latest(locked, field, subject), created_at=now, created_by=actor,
        )
        correction.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.REFERRAL_CORRECT, unit_id=locked.unit_id, target=locked,
                     detail={"field": field, "subject": subject.pk if subject else None, "before": before,
                             "after": _stored(cleaned), "correction": correction.pk})
        if field in QUEUE_INPUTS:
            column = QUEUE_INPUTS[Field(field)]
            setattr(locked, column, cleaned)
            priority = locked.reprioritise(band=locked.band or None, decided_at=locked.band_decided_at,
                                           provisional=locked.band_provisional, computed_by=locked.band_computed_by)
            locked.save(update_fields=[column, *Referral.QUEUE_FIELDS])
            audit_record(actor=actor, action=AuditAction.REFERRAL_PRIORITISE, unit_id=locked.unit_id, target=locked,
                         detail={"band": locked.band, "tier": int(priority.tier),
                                 "deadline_at": priority.deadline_at.isoformat(),
                                 "why": f"{correction.get_field_display()} corrected"})
        if field == Field.IMMEDIATE_DANGER:
            said = "a child IS now believed to be in immediate danger" if cleaned else (
                "a child is no longer believed to be in immediate danger")
            for owner in _owners(locked):
                notification_send(
                    recipient=owner, unit_id=locked.unit_id, referral=locked, actor=actor, now=now,
                    message=f"{locked.reference}: {said} (corrected by {actor.get_username()}: {reason[:200]})",
                    link=locked.get_absolute_url(),
                )
    referral.refresh_from_db()
    return correction
