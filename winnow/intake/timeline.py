"""A referral's one timeline: intake, people added after it, corrections, links, assessments, decisions,
assignments, actions, exhibits, notifications, status changes and closure, outcome follow-ups, in the order they
happened.

It lives in the intake app because intake sits above every app whose records it gathers (winnow.referrals cannot
import them). Read-only: each source is a permanent record, so the timeline is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from winnow.assessments.models import Assessment, BandDecision
from winnow.linkage.models import IdentifierLink
from winnow.notifications.models import Notification
from winnow.referrals.models import Referral, added_after_intake
from winnow.triage.models import Exhibit
from winnow.validation.models import OutcomeFollowUp, SubjectOutcome
from winnow.workload.models import Assignment, CaseAction


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    who: str
    what: str
    link: str = ""


# Each source reads only the columns its line shows: a user row carries a password hash and dates, a referral row
# some forty facts, and building the SQL for wide joins cost more than running it on a page of empty sections.
def _name(user: Any) -> str:
    return user.get_username() if user is not None else "Winnow"


def _intake(referral: Referral) -> list[Event]:
    events = [Event(referral.created_at, "Recorded", _name(referral.created_by),
                    f"{referral.get_source_display()}, received {referral.received_at:%d %b %Y %H:%M}")]
    for s in referral.subjects.all():  # the referral page prefetches them, each with its addition and its author
        if (a := added_after_intake(s)) is not None:
            events.append(Event(a.created_at, "Person added", _name(a.created_by),
                                f"{s.display_name} ({s.get_role_display().lower()}). Why: {a.reason}"))
    for c in referral.corrections.all():  # the referral page prefetches them with created_by and subject
        about = f" of {c.subject.display_name}" if c.subject else ""
        events.append(Event(c.created_at, "Correction", _name(c.created_by),
                            f"{c.get_field_display()}{about}: {c.before_text()} → {c.after_text()}. Why: {c.reason}"))
    for s in referral.status_changes.select_related("by").only(
            "referral_id", "at", "from_status", "to_status", "disposition", "reason", "by__username"):
        what = f"{s.get_from_status_display()} → {s.get_to_status_display()}"
        if s.disposition:
            what += f": {s.get_disposition_display()}"
        if s.reason:
            what += f" ({s.reason})"
        events.append(Event(s.at, "Closed" if s.to_status == "closed" else "Status", _name(s.by), what))
    return events


def _assessing(referral: Referral) -> list[Event]:
    events = []
    for a in Assessment.objects.filter(referral=referral).select_related("created_by", "subject"):
        result = a.band_label or a.score_text() or "not scorable"
        events.append(Event(a.created_at, "Assessment", _name(a.created_by),
                            f"{a.instrument_title} v{a.version} of {a.subject.display_name}: {result}",
                            a.get_absolute_url()))
    for d in BandDecision.objects.filter(referral=referral).select_related("supervisor").only(
            "created_at", "decision", "decided_band", "rationale", "supervisor__username"):
        events.append(Event(d.created_at, "Band decision", _name(d.supervisor),
                            f"{d.get_decision_display()}: {d.get_decided_band_display()}. {d.rationale}"))
    return events


def _casework(referral: Referral) -> list[Event]:
    events = []
    for g in Assignment.objects.filter(referral=referral).select_related("assignee", "assigned_by").only(
            "assigned_at", "assignee__username", "assigned_by__username"):
        events.append(Event(g.assigned_at, "Assignment", _name(g.assigned_by), f"assigned to {_name(g.assignee)}"))
    for act in CaseAction.objects.filter(referral=referral).select_related("recorded_by").only(
            "occurred_at", "kind", "note", "recorded_by__username"):
        events.append(Event(act.occurred_at, "Action", _name(act.recorded_by),
                            act.get_kind_display() + (f": {act.note}" if act.note else "")))
    for x in Exhibit.objects.filter(referral=referral).select_related("created_by").only(
            "created_at", "label", "created_by__username"):
        events.append(Event(x.created_at, "Exhibit", _name(x.created_by), f"exhibit {x.label} recorded"))
    return events


def _around(referral: Referral) -> list[Event]:
    events = []
    for link in IdentifierLink.objects.filter(referral=referral).select_related("linked_referral").only(
            "created_at", "kind", "normalised", "linked_referral__reference"):
        events.append(Event(link.created_at, "Link", "Winnow",
                            f"{link.kind} {link.normalised} also on {link.linked_referral.reference}",
                            link.linked_referral.get_absolute_url()))
    for n in Notification.objects.filter(referral=referral).select_related("recipient").only(
            "created_at", "message", "recipient__username"):
        events.append(Event(n.created_at, "Notification", "Winnow", f"to {_name(n.recipient)}: {n.message}"))
    for o in SubjectOutcome.objects.filter(referral=referral).select_related("recorded_by", "subject"):
        events.append(Event(o.recorded_at, "Outcome", _name(o.recorded_by), f"outcome facts for {o.subject}"))
    for f in OutcomeFollowUp.objects.filter(outcome__referral=referral).select_related("recorded_by"):
        events.append(Event(f.recorded_at, "Follow-up", _name(f.recorded_by), str(f)))
    return events


def referral_timeline(referral: Referral) -> list[Event]:
    events = [*_intake(referral), *_assessing(referral), *_casework(referral), *_around(referral)]
    return sorted(events, key=lambda e: e.at)
