"""Offender management pages. Thin: visibility from QuerySets, writes from services, schedules from winnow.core.

Who: offender managers and supervisors manage (Capability.MANAGE_OFFENDERS); they and investigators read
(Capability.READ_OFFENDERS), as the table in winnow.permissions says.
Another unit's offender is a 404; a member of the unit without a reading role gets 403. Every page that shows
one offender (the record and each form about it) gets the offender through get_for_read, so the read is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from winnow.assessments.forms import InstrumentForm
from winnow.assessments.registry import registry
from winnow.audit.reads import get_for_read
from winnow.audit.services import AuditAction, audit_search
from winnow.core import offenders as core
from winnow.core.charts import bar_chart
from winnow.permissions import Capability, can, require, require_units
from winnow.referrals.models import Referral

from . import services
from .forms import ContactForm, PlanForm, ReactiveForm, RegisterForm, RegistrationForm, ReviewForm
from .models import IntelligenceLink, ManagedOffender, Mode

CHART_MONTHS = 12



def _offender(request: HttpRequest, pk: int, capability: Capability, page: str) -> ManagedOffender:
    return get_for_read(request, ManagedOffender.objects.with_history(), capability=capability,
                        detail={"page": page}, pk=pk)


def _add_problems(form: Any, problems: list[tuple[str, str]]) -> None:
    for field, reason in problems:
        form.add_error(field if field in form.fields else None,
                       reason if field in form.fields else f"{field}: {reason}")


def _row(offender: ManagedOffender, now: Any) -> dict[str, Any]:
    plan = offender.current_plan
    return {"offender": offender, "plan": plan, "schedule": offender.schedule(now), "review": offender.review_due(now),
            "reactive": offender.reactive, "flags": offender.forensic_flags(),
            "eligible": offender.eligibility(timezone.localdate(now)).eligible}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The offender manager's page: what is due and overdue, in-person lapses, new intelligence, contacts by mode."""
    require(request.user, Capability.READ_OFFENDERS)
    now = timezone.now()
    mine = request.GET.get("mine") == "1"
    offenders = list(ManagedOffender.objects.readable_by(request.user).with_history())
    rows = [_row(o, now) for o in offenders]
    if mine:
        rows = [r for r in rows if r["plan"].manager_id == request.user.pk]
    shown = {r["offender"].pk for r in rows}
    intelligence = (IntelligenceLink.objects.visible_to(request.user).of_offenders(shown)
                    .select_related("offender__subject", "referral", "notification__read")[:20])
    facts = [c.fact() for r in rows for c in r["offender"].standing_contacts()]
    months, counts = core.contacts_by_month(facts, months=CHART_MONTHS, now=now)
    labels = [f"{m:%b %y}" for m in months]
    modes = list(Mode)
    chart = bar_chart("Contacts made per month, by mode", labels, [m.label for m in modes],
                      [counts[core.Mode(m.value)] for m in modes])
    table = [[labels[i], *(counts[core.Mode(m.value)][i] for m in modes)] for i in range(len(months))]
    audit_search(request, AuditAction.OFFENDER_LIST, {"offenders": len(rows), "mine": mine})
    return render(request, "offenders/dashboard.html", {
        "rows": rows, "mine": mine,
        "visits_overdue": [r for r in rows if r["schedule"].visit.state == core.DueState.OVERDUE],
        "visits_soon": [r for r in rows if r["schedule"].visit.state == core.DueState.DUE_SOON],
        "lapses": [r for r in rows if r["schedule"].lapse],
        "reviews": [r for r in rows if r["review"].state != core.DueState.SCHEDULED],
        "reactive_ineligible": [r for r in rows if r["reactive"] and not r["eligible"]],
        "intelligence": intelligence, "chart": chart, "chart_head": ["Month", *(m.label for m in modes)],
        "chart_rows": table, "due_soon_days": core.DUE_SOON_DAYS,
        "can_register": can(request.user, Capability.MANAGE_OFFENDERS),
    })


@login_required
def register(request: HttpRequest) -> HttpResponse:
    unit_ids = require_units(request.user, Capability.MANAGE_OFFENDERS)
    form = RegisterForm(request.POST or None, unit_ids=unit_ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = Referral.objects.filter(unit_id__in=unit_ids, reference=data["referral"].strip().upper()).first()
        subjects = list(referral.subjects.order_by("id")) if referral else []
        if referral is None:
            form.add_error("referral", "No referral with this reference in a unit where you manage offenders.")
        elif data["subject_number"] > len(subjects):
            form.add_error("subject_number", f"The referral lists {len(subjects)} people.")
        else:
            try:
                offender = services.offender_register(
                    actor=request.user, subject=subjects[data["subject_number"] - 1],
                    convicted_on=data["convicted_on"], disposal=data["disposal"], under_18=data["under_18"],
                    custody_months=data["custody_months"], discharge_months=data["discharge_months"],
                    plan=form.plan(),
                )
            except services.OffenderInputError as exc:
                _add_problems(form, exc.problems)
            else:
                messages.success(request, f"{offender} is now a managed offender.")
                return redirect(offender)
    return render(request, "offenders/register.html", {"form": form})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    offender = _offender(request, pk, Capability.READ_OFFENDERS, "record")
    now = timezone.now()
    eligibility = offender.eligibility(timezone.localdate(now))
    return render(request, "offenders/detail.html", {
        **_row(offender, now), "contacts": offender.standing_contacts(),
        "plans": sorted(offender.plans.all(), key=lambda p: -p.version),
        "reviews": sorted(offender.reviews.all(), key=lambda r: (r.reviewed_at, r.pk), reverse=True),
        "decisions": sorted(offender.reactive_decisions.all(), key=lambda d: (d.at, d.pk), reverse=True),
        "intelligence": sorted(offender.intelligence.all(), key=lambda i: i.created_at, reverse=True),
        "eligibility": eligibility,
        "can_manage": can(request.user, Capability.MANAGE_OFFENDERS, offender.unit_id),
        "registration": offender.registration(),
        "registration_corrections": sorted(offender.registration_corrections.all(), key=lambda c: (c.created_at, c.pk)),
    })


@login_required
def registration_correct(request: HttpRequest, pk: int) -> HttpResponse:
    offender = _offender(request, pk, Capability.MANAGE_OFFENDERS, "registration correction form")
    now = offender.registration()
    form = RegistrationForm(request.POST or None, initial={
        "convicted_on": now.convicted_on, "disposal": now.disposal, "custody_months": now.custody_months,
        "discharge_months": now.discharge_months, "under_18": now.under_18_at_conviction})
    if request.method == "POST" and form.is_valid():
        try:
            services.offender_registration_correct(actor=request.user, offender=offender, **form.cleaned_data)
        except services.OffenderInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, "Registration corrected; the facts as registered are kept.")
            return redirect(offender)
    return render(request, "offenders/registration.html", {"offender": offender, "form": form})


@login_required
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    offender = _offender(request, pk, Capability.MANAGE_OFFENDERS, "contact form")
    form = ContactForm(request.POST or None, initial={
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "device_check": "not_done"})
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(actor=request.user, offender=offender,
                                    **form.cleaned_data)
        except services.OffenderInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, "Contact logged.")
            return redirect(offender)
    return render(request, "offenders/contact.html", {"form": form, "offender": offender})


@login_required
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    offender = _offender(request, pk, Capability.MANAGE_OFFENDERS, "plan form")
    current = offender.current_plan
    initial = {key: getattr(current, key) for key in (
        "risk", "mappa_category", "mappa_level", "visit_every", "visit_unit", "in_person_every", "in_person_unit",
        "review_every", "review_unit", "digital_indicators", "civil_orders", "conditions", "clean_since")}
    initial["manager"] = current.manager_id
    form = PlanForm(request.POST or None, unit_ids={offender.unit_id}, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            revised = services.plan_revise(actor=request.user, offender=offender, plan=form.plan())
        except services.OffenderInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, f"Plan version {revised.version} recorded.")
            return redirect(offender)
    return render(request, "offenders/plan.html", {"form": form, "offender": offender, "current": current})


@login_required
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    offender = _offender(request, pk, Capability.MANAGE_OFFENDERS, "review form")
    instrument = registry().current(services.REVIEW_INSTRUMENT)
    if instrument is None:
        messages.error(request, f"No review instrument is loaded (id {services.REVIEW_INSTRUMENT}).")
        return redirect(offender)
    form = InstrumentForm(request.POST or None, instrument=instrument)
    meta = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and meta.is_valid():
        reviewed_at = meta.reviewed_at()
        try:
            services.review_record(actor=request.user, offender=offender, answers=form.answers(),
                                   evidence=form.notes(), notes=meta.cleaned_data["notes"], reviewed_at=reviewed_at)
        except services.OffenderInputError as exc:
            _add_problems(meta, exc.problems)
            form.add_problems(tuple(p for p in exc.problems if p[0] not in meta.fields))
        else:
            messages.success(request, "Review recorded.")
            return redirect(offender)
    return render(request, "offenders/review.html", {"form": form, "meta": meta, "offender": offender,
                                                     "instrument": instrument})


@login_required
def reactive(request: HttpRequest, pk: int) -> HttpResponse:
    offender = _offender(request, pk, Capability.MANAGE_OFFENDERS, "reactive decision form")
    eligibility = offender.eligibility(timezone.localdate())
    form = ReactiveForm(request.POST or None, initial={"reactive": "active" if offender.reactive else "reactive"})
    if request.method == "POST" and form.is_valid():
        try:
            services.reactive_decide(actor=request.user, offender=offender,
                                     **form.cleaned_data)
        except services.OffenderInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, "Decision recorded.")
            return redirect(offender)
    return render(request, "offenders/reactive.html", {"form": form, "offender": offender,
                                                       "eligibility": eligibility})
