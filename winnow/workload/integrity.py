"""Referral state against its append-only history: a current-state column edited in place (raw SQL reopening a
closed referral, moving its deadline, assigning it outside its unit) is found.

A referral's current-state columns (`Referral.mutable_fields`) are the only columns that change. Each is checked
against what the permanent records say it must be:

- status, closed_at, disposition and closure_reason against its StatusChange records;
- assigned_to against its last Assignment (and the assignee must be able to take work in the referral's unit);
- actioned_at against its earliest enforcement CaseAction;
- every column (band, priority, deadline and owning unit included) against the snapshot in the newest audit event
  that changed it (`detail["state"]`, covered by the keyed, checkpointed chain that `winnow audit-verify` checks);
  a column a snapshot does not carry (the owning unit, before transfers existed) is not compared with it;
- its subjects' and identifiers' unit against its own (they move together when a transfer is accepted).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Min

from winnow.audit.models import AuditEvent
from winnow.permissions import Capability, can
from winnow.referrals.models import Identifier, Referral, Status, StatusChange, Subject

from .models import ENFORCEMENT_ACTIONS, Assignment, CaseAction


@dataclass
class ReferralsReport:
    checked: int = 0
    without_snapshot: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _snapshots() -> dict[str, dict[str, Any]]:
    """referral id -> the state in the newest audit event that carries one."""
    latest: dict[str, dict[str, Any]] = {}
    events = (AuditEvent.objects.filter(target_type="referral", detail__has_key="state")
              .order_by("id").values_list("target_id", "detail").iterator(chunk_size=5000))
    for target_id, detail in events:
        latest[target_id] = detail["state"]
    return latest


def _history_problems(referral: Referral, changes: list[StatusChange], assignee: Any, actioned: Any) -> Iterator[str]:
    expected_status = changes[-1].to_status if changes else Status.RECEIVED
    if referral.status != expected_status:
        yield f"status is {referral.status!r} but its status history ends at {expected_status!r}"
    closing = next((c for c in reversed(changes) if c.to_status == Status.CLOSED), None)
    if closing is None and (referral.closed_at or referral.disposition or referral.closure_reason):
        yield "it has closure details but was never closed"
    if closing is not None and (referral.closed_at, referral.disposition, referral.closure_reason) != (
            closing.at, closing.disposition, closing.reason):
        yield "its closure details differ from the status change that closed it"
    if referral.assigned_to_id != (assignee.assignee_id if assignee else None):
        yield (f"assigned to user {referral.assigned_to_id} but its last assignment is to "
               f"{assignee.assignee_id if assignee else 'nobody'}")
    elif referral.assigned_to is not None and not can(referral.assigned_to, Capability.TAKE_WORK, referral.unit_id):
        yield f"assigned to {referral.assigned_to.get_username()}, who cannot take work in its unit"
    if referral.actioned_at != actioned:
        yield f"actioned_at is {referral.actioned_at} but its first enforcement action is at {actioned}"


def _stray_units() -> dict[int, set[int]]:
    """referral id -> the units of its subjects and identifiers that are not the referral's own."""
    stray: dict[int, set[int]] = {}
    for model, path in ((Subject, "referral"), (Identifier, "subject__referral")):
        rows = (model.objects.exclude(unit_id=F(f"{path}__unit_id")).order_by()
                .values_list(f"{path}_id" if path == "referral" else "subject__referral_id", "unit_id"))
        for referral_id, unit_id in rows:
            stray.setdefault(referral_id, set()).add(unit_id)
    return stray


def referrals_verify() -> ReferralsReport:
    report = ReferralsReport()
    snapshots = _snapshots()
    changes: dict[int, list[StatusChange]] = {}
    for change in StatusChange.objects.order_by("at", "id").iterator(chunk_size=5000):
        changes.setdefault(change.referral_id, []).append(change)
    assignments = {a.referral_id: a for a in Assignment.objects.order_by("assigned_at", "id").iterator(chunk_size=5000)}
    stray = _stray_units()
    actioned = dict(CaseAction.objects.filter(kind__in=ENFORCEMENT_ACTIONS).order_by().values("referral_id")
                    .annotate(first=Min("occurred_at")).values_list("referral_id", "first"))
    for referral in Referral.objects.select_related("assigned_to").order_by("id").iterator(chunk_size=2000):
        report.checked += 1
        found = list(_history_problems(referral, changes.get(referral.pk, []), assignments.get(referral.pk),
                                       actioned.get(referral.pk)))
        if referral.pk in stray:
            found.append(f"it is in unit {referral.unit_id} but its subjects or identifiers are in unit(s) "
                         f"{', '.join(str(u) for u in sorted(stray[referral.pk]))}")
        snapshot = snapshots.get(str(referral.pk))
        if snapshot is None:
            report.without_snapshot += 1
        else:
            current = referral.state()
            found += [f"{name} is {current.get(name)!r} but its last audited change set {snapshot.get(name)!r}"
                      for name in sorted(snapshot) if current.get(name) != snapshot.get(name)]
        report.problems += [f"{referral.reference} (id {referral.pk}): {problem}: edited in place"
                            for problem in found]
    return report
