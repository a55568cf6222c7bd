"""Safeguarding use cases: raise a concern when a trigger is recorded, record a safeguarding referral, revise one.

The triggers live in apps above this one, so each of them calls down here explicitly, inside its own transaction
(no signals): `winnow.intake.services` for a referral recorded with the danger flag, `winnow.intake.corrections`
for the flag corrected to Yes, `winnow.assessments.services` for an assessment that records a child in the
household or with access, `winnow.victimid.services` for a child identified, `winnow.workload.services` for a
"victim identified" case action. A concern is raised once per referral, trigger and child: a later trigger of the
same kind (a re-assessment, say) does not raise another.

Bad input raises `SafeguardingInputError` naming each field and reason; nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from winnow.accounts.models import User
from winnow.audit.services import AuditAction, audit_record
from winnow.core import safeguarding as core
from winnow.permissions import Capability, require
from winnow.referrals.models import Referral, Subject

from .models import Concern, ConcernWithdrawal, CoveredConcern, SafeguardingReferral

MAX_TEXT = 5000
MAX_NAME = 200
EARLIEST_YEAR = 1990  # no safeguarding referral Winnow records is older; also keeps time-zone arithmetic in range


class SafeguardingInputError(ValueError):
    """`problems` are (field, reason) pairs; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems))


# ------------------------------------------------------------------------------------------------------ concerns


def concern_raise(
    *, actor: Any, referral: Referral, trigger: core.Trigger, reason: str, source: str = "",
    subject: Subject | None = None, now: datetime | None = None,
) -> Concern | None:
    """Record that a safeguarding referral is due for a child at risk (None when one was already raised for this
    referral, trigger and child). Call inside the transaction that records the trigger."""
    now = now or timezone.now()
    with transaction.atomic():
        Referral.objects.select_for_update().filter(pk=referral.pk).first()  # one concern per trigger, even at once
        if Concern.objects.filter(referral=referral, trigger=trigger, subject=subject).exists():
            return None
        concern = Concern.objects.create(
            unit_id=referral.unit_id, referral=referral, subject=subject, trigger=trigger.value, reason=reason[:MAX_TEXT],
            source=source[:64], raised_at=now, raised_by=actor,
            due_at=core.deadline(trigger=trigger, raised_at=now, days=settings.WINNOW_SAFEGUARDING_DEADLINE_DAYS),
        )
        audit_record(actor=actor, action=AuditAction.SAFEGUARDING_DUE, unit_id=referral.unit_id, target=concern,
                     now=now, detail={"referral": referral.reference, "trigger": trigger.value, "source": source,
                                      "subject": subject.pk if subject else None,
                                      "due_at": concern.due_at.isoformat()})
    return concern


def concern_for_danger(*, actor: Any, referral: Referral, why: str, now: datetime | None = None) -> Concern | None:
    """A referral whose danger flag now says Yes (as recorded or corrected): due the same day."""
    if not referral.current_danger:
        return None
    return concern_raise(actor=actor, referral=referral, trigger=core.Trigger.IMMEDIATE_DANGER, reason=why,
                         source=f"referral:{referral.pk}", now=now)


def concern_for_assessment(
    *, actor: Any, referral: Referral, assessment_id: int, title: str, answers: Mapping[str, Any],
    now: datetime | None = None,
) -> Concern | None:
    """An assessment that answers yes to a child in the household or to access to children."""
    items = core.access_recorded(answers)
    if not items:
        return None
    said = "; ".join(core.ACCESS_ITEMS[item] for item in items)
    return concern_raise(actor=actor, referral=referral, trigger=core.Trigger.HOUSEHOLD_OR_ACCESS,
                         reason=f"{title} (assessment {assessment_id}): the suspect {said}",
                         source=f"assessment:{assessment_id}", now=now)


def concern_for_victim(
    *, actor: Any, referral: Referral, why: str, source: str, subject: Subject | None = None,
    now: datetime | None = None,
) -> Concern | None:
    """A victim identified: the child (when recorded as a subject) needs a safeguarding referral."""
    return concern_raise(actor=actor, referral=referral, trigger=core.Trigger.VICTIM_IDENTIFIED, reason=why,
                         source=source, subject=subject, now=now)


def concern_withdraw(*, actor: Any, concern: Concern, reason: str, now: datetime | None = None) -> ConcernWithdrawal:
    """A supervisor records that this concern needs no safeguarding referral, and why. Refused once a safeguarding
    referral covers it or it was withdrawn already; the concern and its deadline stay on record."""
    require(actor, Capability.DECIDE_BANDS, concern.unit_id,
            "Only a supervisor of the unit can withdraw a safeguarding concern.")
    problems: list[tuple[str, str]] = []
    reason = _text(problems, "reason", reason, required=True, limit=MAX_TEXT)
    if problems:
        raise SafeguardingInputError(problems)
    now = now or timezone.now()
    with transaction.atomic():
        Concern.objects.select_for_update().filter(pk=concern.pk).first()
        if CoveredConcern.objects.filter(concern=concern).exists():
            raise SafeguardingInputError([("concern", "a safeguarding referral already answers it")])
        if ConcernWithdrawal.objects.filter(concern=concern).exists():
            raise SafeguardingInputError([("concern", "it was withdrawn already")])
        withdrawal = ConcernWithdrawal.objects.create(unit_id=concern.unit_id, concern=concern, reason=reason,
                                                      withdrawn_at=now, withdrawn_by=actor)
        audit_record(actor=actor, action=AuditAction.SAFEGUARDING_WITHDRAW, unit_id=concern.unit_id, target=concern,
                     now=now, detail={"referral_id": concern.referral_id, "trigger": concern.trigger,
                                      "reason": reason, "overdue": now >= concern.due_at})
    return withdrawal


# ------------------------------------------------------------------------------------------ safeguarding referrals


def _text(problems: list[tuple[str, str]], field: str, value: str, *, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        problems.append((field, "is required"))
    elif len(value) > limit:
        problems.append((field, f"is {len(value)} characters; the limit is {limit}"))
    return value


def _facts(
    *, referral: Referral, made_at: datetime | None, local_authority: str, recipient: str, made_by: Any,
    strategy_held_on: date | None, strategy_outcome: str, strategy_notes: str, now: datetime,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    if made_at is None or made_at.tzinfo is None:
        problems.append(("made_at", "give the date and time the referral was made"))
    elif made_at > now:
        problems.append(("made_at", "is in the future"))
    elif made_at.year < EARLIEST_YEAR:
        problems.append(("made_at", f"is before {EARLIEST_YEAR}"))
    facts: dict[str, Any] = {
        "made_at": made_at,
        "local_authority": _text(problems, "local_authority", local_authority, required=True, limit=MAX_NAME),
        "recipient": _text(problems, "recipient", recipient, required=True, limit=MAX_NAME),
        "strategy_notes": _text(problems, "strategy_notes", strategy_notes, required=False, limit=MAX_TEXT),
        "strategy_held_on": strategy_held_on, "strategy_outcome": strategy_outcome or "",
    }
    if not isinstance(made_by, User) or not made_by.is_active or not made_by.memberships.filter(
            unit_id=referral.unit_id).exists():
        problems.append(("made_by", "must be an active member of the referral's unit"))
    facts["made_by"] = made_by
    if strategy_outcome and strategy_outcome not in set(core.Outcome):
        problems.append(("strategy_outcome", "is not one of the strategy discussion outcomes"))
    if strategy_held_on is not None and not strategy_outcome:
        problems.append(("strategy_outcome", "say what the strategy discussion decided"))
    if strategy_outcome and strategy_held_on is None:
        problems.append(("strategy_held_on", "give the date of the strategy discussion"))
    if strategy_held_on is not None:
        if strategy_held_on.year < EARLIEST_YEAR:
            problems.append(("strategy_held_on", f"is before {EARLIEST_YEAR}"))
        elif strategy_held_on > timezone.localdate(now):
            problems.append(("strategy_held_on", "is in the future"))
        elif (isinstance(made_at, datetime) and made_at.tzinfo and made_at.year >= EARLIEST_YEAR
              and strategy_held_on < timezone.localdate(made_at)):
            problems.append(("strategy_held_on", "is before the safeguarding referral was made"))
    if strategy_outcome == core.Outcome.OTHER and not facts["strategy_notes"]:
        problems.append(("strategy_notes", "say what the strategy discussion decided"))
    return facts, problems


def _detail(record: SafeguardingReferral) -> dict[str, Any]:
    return {"referral": record.referral.reference, "version": record.version, "made_at": record.made_at.isoformat(),
            "local_authority": record.local_authority, "recipient": record.recipient,
            "made_by": record.made_by.get_username(),
            "strategy_held_on": record.strategy_held_on.isoformat() if record.strategy_held_on else None,
            "strategy_outcome": record.strategy_outcome}


def safeguarding_referral_record(
    *, actor: Any, referral: Referral, made_at: datetime | None, local_authority: str, recipient: str, made_by: Any,
    concerns: Iterable[Concern] = (), strategy_held_on: date | None = None, strategy_outcome: str = "",
    strategy_notes: str = "", now: datetime | None = None,
) -> SafeguardingReferral:
    """Record a safeguarding referral made to children's social care, and the concerns it answers."""
    require(actor, Capability.RECORD_SAFEGUARDING, referral.unit_id,
            "Only handlers, investigators and supervisors of the referral's unit record safeguarding referrals.")
    now = now or timezone.now()
    facts, problems = _facts(referral=referral, made_at=made_at, local_authority=local_authority,
                             recipient=recipient, made_by=made_by, strategy_held_on=strategy_held_on,
                             strategy_outcome=strategy_outcome, strategy_notes=strategy_notes, now=now)
    concerns = list(concerns)
    if any(c.referral_id != referral.pk for c in concerns):
        problems.append(("concerns", "choose concerns raised on this referral"))
    if problems:
        raise SafeguardingInputError(problems)
    with transaction.atomic():
        record = SafeguardingReferral.objects.create(unit_id=referral.unit_id, referral=referral, recorded_at=now,
                                                     recorded_by=actor, **facts)
        for concern in {c.pk: c for c in concerns}.values():
            CoveredConcern.objects.create(safeguarding_referral=record, concern=concern)
        audit_record(actor=actor, action=AuditAction.SAFEGUARDING_RECORD, unit_id=referral.unit_id, target=record,
                     now=now, detail={**_detail(record), "concerns": sorted(c.pk for c in concerns)})
    return record


def safeguarding_referral_revise(
    *, actor: Any, record: SafeguardingReferral, reason: str, made_at: datetime | None, local_authority: str,
    recipient: str, made_by: Any, strategy_held_on: date | None = None, strategy_outcome: str = "",
    strategy_notes: str = "", now: datetime | None = None,
) -> SafeguardingReferral:
    """A new version of a safeguarding referral: a correction, or the strategy discussion recorded once held. The
    version it replaces is kept unchanged and stays visible."""
    referral = record.referral
    require(actor, Capability.RECORD_SAFEGUARDING, referral.unit_id,
            "Only handlers, investigators and supervisors of the referral's unit record safeguarding referrals.")
    now = now or timezone.now()
    facts, problems = _facts(referral=referral, made_at=made_at, local_authority=local_authority,
                             recipient=recipient, made_by=made_by, strategy_held_on=strategy_held_on,
                             strategy_outcome=strategy_outcome, strategy_notes=strategy_notes, now=now)
    why = _text(problems, "reason", reason, required=True, limit=MAX_TEXT)
    if problems:
        raise SafeguardingInputError(problems)
    with transaction.atomic():
        Referral.objects.select_for_update().filter(pk=referral.pk).first()  # one revision at a time
        current = record.current()
        if current.pk != record.pk:
            raise SafeguardingInputError([("record", f"version {record.version} has been replaced by version "
                                                     f"{current.version}; revise the current one")])
        if all(getattr(current, k) == v for k, v in facts.items()):
            raise SafeguardingInputError([("reason", "nothing differs from the current version")])
        revised = SafeguardingReferral.objects.create(
            unit_id=referral.unit_id, referral=referral, version=current.version + 1, original=current.first(),
            supersedes=current, reason=why, recorded_at=now, recorded_by=actor, **facts)
        audit_record(actor=actor, action=AuditAction.SAFEGUARDING_REVISE, unit_id=referral.unit_id, target=revised,
                     now=now, detail={**_detail(revised), "supersedes": current.pk, "reason": why[:500]})
    return revised
