"""What each role's landing page shows: one function per role, each answering "what needs me now?".

Every query is scoped to the units where the person holds that role's capability (invariant 6 lives in the
QuerySets; `units_with` narrows it further, so a handler in one unit and an analyst in another sees handler work
only from the first). Each panel returns counts with the few oldest or most urgent items, and a link to the full
list that already exists elsewhere in Winnow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from winnow.assessments.models import NOT_SCORABLE, Assessment, BandDecision
from winnow.core import offenders as offender_core
from winnow.offenders.models import ManagedOffender
from winnow.permissions import Capability, Role, memberships, units_with
from winnow.referrals.models import Referral
from winnow.triage.models import CollectionSummary, Exhibit, ScanResult, UnknownMediaHash

SHOWN = 8  # items listed per panel; the count and the link give the rest


@dataclass
class Panel:
    role: Role
    heading: str
    lead: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (label, url, description)
    lists: list[dict[str, Any]] = field(default_factory=list)  # {"title", "count", "rows", "empty", "more"}


def _referral_rows(referrals: Any, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for r in referrals:
        overdue_days = (now - r.deadline_at).days if r.deadline_at and not r.actioned_at and r.deadline_at < now else None
        rows.append({"referral": r, "overdue_days": overdue_days})
    return rows


def _list(title: str, queryset: Any, now: datetime, *, empty: str, more: str = "") -> dict[str, Any]:
    return {"title": title, "count": queryset.count(), "rows": _referral_rows(queryset[:SHOWN], now),
            "empty": empty, "more": more}


def handler(user: Any, now: datetime) -> Panel:
    units = units_with(user, Capability.ASSESS)
    open_referrals = Referral.objects.visible_to(user).filter(unit_id__in=units).queue().select_related("unit")
    assessed = Assessment.objects.filter(referral=OuterRef("pk"))
    to_assess = open_referrals.annotate(assessed=Exists(assessed)).filter(assessed=False)
    return Panel(
        Role.HANDLER, "Referral handler", "Record what arrives, then assess it so it takes its place in the queue.",
        links=[("Record a referral", reverse("intake:new"), "one referral typed in from a form or a call"),
               ("Import a file", reverse("intake:import"), "CSV or JSON from a partner"),
               ("Upload a CyberTipline report", reverse("intake:cybertipline"), "an NCMEC package, kept verbatim"),
               ("Possible same people", reverse("linkage:proposals"), "linkage proposals to decide")],
        lists=[_list("To assess: open referrals with no assessment yet", to_assess, now,
                     empty="Every open referral has an assessment.", more=reverse("referrals:list"))],
    )


def investigator(user: Any, now: datetime) -> Panel:
    mine = Referral.objects.visible_to(user).queue().filter(assigned_to=user).select_related("unit")
    return Panel(
        Role.INVESTIGATOR, "Investigator", "The referrals assigned to you, most urgent first.",
        links=[("My work", reverse("workload:mine"), "every referral assigned to you, with filters")],
        lists=[_list("My work", mine, now, empty="Nothing is assigned to you.", more=reverse("workload:mine"))],
    )


def _decisions_waiting(user: Any, units: set[int]) -> Any:
    """Latest assessments with a computed band for the referral and no supervisor's decision yet."""
    decided = BandDecision.objects.filter(assessment=OuterRef("pk"))
    return (Assessment.objects.visible_to(user).latest_versions()
            .filter(referral__unit_id__in=units).exclude(referral__status="closed")
            .exclude(Q(band="") | Q(band=NOT_SCORABLE))
            .annotate(decided=Exists(decided)).filter(decided=False)
            .select_related("referral", "subject", "created_by").order_by("created_at", "pk"))


def supervisor(user: Any, now: datetime) -> Panel:
    units = units_with(user, Capability.DECIDE_BANDS)
    referrals = Referral.objects.visible_to(user).filter(unit_id__in=units).select_related("unit", "assigned_to")
    waiting = [a for a in _decisions_waiting(user, units) if a.sets_referral_band]
    return Panel(
        Role.SUPERVISOR, "Supervisor", "Decide computed bands, assign the unassigned, and chase what is overdue.",
        links=[("Queue", reverse("workload:queue"), "every open referral, most urgent first; assign from here"),
               ("Dashboard", reverse("workload:dashboard"), "deadlines and capacity"),
               ("Capacity forecast", reverse("workload:forecast"), "the next eight weeks")],
        lists=[
            {"title": "Band decisions waiting", "count": len(waiting), "decisions": waiting[:SHOWN], "rows": [],
             "empty": "No computed band is waiting for a decision.", "more": ""},
            _list("Overdue", referrals.overdue(now).order_by("deadline_at", "pk"), now,
                  empty="Nothing is overdue.", more=reverse("workload:queue") + "?overdue=on"),
            _list("Unassigned", referrals.queue().filter(assigned_to__isnull=True), now,
                  empty="Every open referral is assigned.", more=reverse("workload:queue")),
        ],
    )


def forensic(user: Any, now: datetime) -> Panel:
    units = units_with(user, Capability.WORK_EXHIBITS)
    exhibits = (Exhibit.objects.visible_to(user).filter(unit_id__in=units).exclude(referral__status="closed")
                .select_related("referral")
                .annotate(scanned=Exists(ScanResult.objects.filter(exhibit=OuterRef("pk"))),
                          summarised=Exists(CollectionSummary.objects.filter(exhibit=OuterRef("pk"))),
                          unknown=Exists(UnknownMediaHash.objects.filter(exhibit=OuterRef("pk"))))
                .order_by("created_at", "pk"))
    no_scan = exhibits.filter(scanned=False)
    no_summary = exhibits.filter(scanned=True, summarised=False)
    unknown = exhibits.filter(unknown=True)
    summarised = exhibits.filter(summarised=True).order_by("-created_at", "-pk")
    return Panel(
        Role.FORENSIC, "Forensic and victim-identification officer",
        "Exhibits waiting for a scan or a summary, and unknown material to review for victims.",
        links=[("Hash sets", reverse("triage:hash-sets"), "the known-file lists a summary matches against")],
        lists=[
            {"title": "Waiting for a scan result", "count": no_scan.count(), "exhibits": list(no_scan[:SHOWN]),
             "rows": [], "empty": "Every exhibit on an open referral has a scan result.", "more": ""},
            {"title": "Scanned, waiting for a collection summary", "count": no_summary.count(),
             "exhibits": list(no_summary[:SHOWN]), "rows": [], "empty": "Every scanned exhibit has a summary.",
             "more": ""},
            {"title": "Collection summaries to read", "count": summarised.count(),
             "exhibits": list(summarised[:SHOWN]), "rows": [], "empty": "No exhibit on an open referral has a summary yet.",
             "more": ""},
            {"title": "Series to review: unknown material found", "count": unknown.count(),
             "exhibits": list(unknown[:SHOWN]), "rows": [],
             "empty": "No scan has found unknown material on an open referral.", "more": ""},
        ],
    )


def offender_manager(user: Any, now: datetime) -> Panel:
    units = units_with(user, Capability.MANAGE_OFFENDERS)
    offenders = list(ManagedOffender.objects.readable_by(user).filter(unit_id__in=units).with_history())
    schedules = [(o, o.schedule(now)) for o in offenders]
    lapses = [(o, s) for o, s in schedules if s.lapse]
    overdue = [(o, s) for o, s in schedules if s.visit.state == offender_core.DueState.OVERDUE]
    soon = [(o, s) for o, s in schedules if s.visit.state == offender_core.DueState.DUE_SOON]
    return Panel(
        Role.OFFENDER_MANAGER, "Offender manager", "People not seen in person when they should have been, and the "
        "visits due.",
        links=[("Managed offenders", reverse("offenders:dashboard"), "everything due, reviews and new intelligence"),
               ("Register a managed offender", reverse("offenders:register"), "from a referral's subject")],
        lists=[
            {"title": "In-person lapses", "count": len(lapses), "offenders": lapses[:SHOWN], "rows": [],
             "empty": "No in-person lapses.", "more": reverse("offenders:dashboard")},
            {"title": "Visits overdue", "count": len(overdue), "offenders": overdue[:SHOWN], "rows": [],
             "empty": "No visit is overdue.", "more": reverse("offenders:dashboard")},
            {"title": f"Visits due in the next {offender_core.DUE_SOON_DAYS} days", "count": len(soon),
             "offenders": soon[:SHOWN], "rows": [], "empty": f"No visit is due in the next {offender_core.DUE_SOON_DAYS} days.", "more": reverse("offenders:dashboard")},
        ],
    )


def analyst(user: Any, now: datetime) -> Panel:
    units = units_with(user, Capability.READ_DASHBOARD)
    referrals = Referral.objects.visible_to(user).filter(unit_id__in=units)
    links = [("Dashboard", reverse("workload:dashboard"), "volumes, deadlines met, by band; tables as CSV")]
    if units_with(user, Capability.READ_VALIDATION):
        links.append(("Validation", reverse("validation:report"), "outcomes against bands: AUC, rates, calibration"))
    links.append(("Capacity forecast", reverse("workload:forecast"), "demand against officers"))
    opened = referrals.filter(received_at__gte=now - timedelta(days=28)).count()
    closed = referrals.filter(status="closed").count()
    return Panel(
        Role.ANALYST, "Analyst", "Whether the ordering works and how demand is moving.", links=links,
        lists=[{"title": "At a glance", "count": None, "rows": [], "figures": [
            ("Referrals received in the last 28 days", opened),
            ("Open referrals", referrals.open().count()),
            ("Overdue now", referrals.overdue(now).count()),
            ("Closed (all time), the outcomes validation rests on", closed),
        ], "empty": "", "more": ""}],
    )


def administrator(user: Any, now: datetime) -> Panel:
    return Panel(
        Role.ADMINISTRATOR, "Administrator", "People, units, instruments, hash sets and the task worker.",
        links=[("Users, units and memberships", reverse("admin:index"), "Django's admin site"),
               ("Hash sets", reverse("triage:hash-sets"), "import and review known-file lists"),
               ("Tasks", reverse("worker:tasks"), "background work: waiting, running, failed"),
               ("Audit trail", reverse("audit:events"), "every read and change, verifiable")],
    )


PANELS = {
    Role.HANDLER: handler, Role.INVESTIGATOR: investigator, Role.SUPERVISOR: supervisor, Role.FORENSIC: forensic,
    Role.OFFENDER_MANAGER: offender_manager, Role.ANALYST: analyst, Role.ADMINISTRATOR: administrator,
}


def panels_for(user: Any, now: datetime) -> list[Panel]:
    """One panel per role the person holds in any unit, in the order of the Role table."""
    held = {role for _, role in memberships(user)}
    return [PANELS[role](user, now) for role in Role if role.value in held]
