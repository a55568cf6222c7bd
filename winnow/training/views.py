"""Training pages. Thin: scoping by unit and capability here, writes in services, maths in winnow.core.

- /training/                      an officer's vignettes, certification and modules (anyone who assesses)
- /training/vignettes/<id>/       complete a vignette blind to the reference
- /training/attempts/<id>/        feedback on one attempt (the officer, or a supervisor of the attempt's unit)
- /training/supervision/          certification table, agreement per item and officer, overrides, warnings
- /training/standard/             the unit's pass standard (supervisors)
- /training/double-coding/        live cases offered for a blind second coding, and the form for one
- /training/modules/<id>/         a knowledge module and its questions
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from winnow.accounts.models import Unit, User
from winnow.assessments.models import Assessment
from winnow.audit.actions import AuditAction
from winnow.audit.reads import get_for_read
from winnow.audit.services import audit_search
from winnow.permissions import Capability, require_units, units_with

from . import modules, services
from .bank import bank
from .forms import StandardForm, VignetteForm
from .models import ModuleCompletion, TrainingAttempt, standard_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_units(request.user, Capability.ASSESS, "Training is for officers who complete assessments.")
    now = timezone.now()
    user = request.user
    assert isinstance(user, User)  # login_required
    mine = TrainingAttempt.objects.filter(user=user)
    latest = {a.vignette_id: a for a in mine}
    versions = []
    for instrument_id, version in services.versions_trained():
        vignettes = [v for v in bank().values() if (v.instrument_id, v.instrument_version) == (instrument_id, version)]
        versions.append({
            "instrument": instrument_id, "version": version,
            "status": services.certification(request.user, instrument_id, version, now=now),
            "vignettes": [(v, latest.get(v.id)) for v in sorted(vignettes, key=lambda v: v.id)],
        })
    done = {c.module_id: c for c in ModuleCompletion.objects.filter(user=user)}
    return render(request, "training/home.html", {
        "versions": versions, "standard": standard_for(services.training_unit(request.user).pk)[0], "now": now,
        "modules": [(m, done.get(m.id)) for m in modules.catalogue().values()],
    })


def _vignette(vignette_id: str) -> Any:
    vignette = bank().get(vignette_id)
    if vignette is None or services.instrument_for(vignette) is None:
        raise Http404("No such vignette")
    return vignette


@login_required
def attempt(request: HttpRequest, vignette_id: str) -> HttpResponse:
    require_units(request.user, Capability.ASSESS, "Training is for officers who complete assessments.")
    vignette = _vignette(vignette_id)
    instrument = services.instrument_for(vignette)
    form = VignetteForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            row, _ = services.attempt_record(actor=request.user, vignette=vignette, answers=form.answers())
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            return redirect("training:feedback", attempt_id=row.pk)
    return render(request, "training/attempt.html", {"vignette": vignette, "instrument": instrument, "form": form})


def _visible_attempt(request: HttpRequest, attempt_id: int) -> TrainingAttempt:
    supervised = units_with(request.user, Capability.DECIDE_BANDS)
    row = TrainingAttempt.objects.select_related("user").filter(pk=attempt_id).first()
    if row is None or (row.user_id != request.user.pk and row.unit_id not in supervised):
        raise Http404("No such attempt")
    return row


@login_required
def attempt_feedback(request: HttpRequest, attempt_id: int) -> HttpResponse:
    row = _visible_attempt(request, attempt_id)
    vignette = bank().get(row.vignette_id)
    return render(request, "training/feedback.html", {
        "attempt": row, "vignette": vignette, "feedback": services.attempt_feedback(row),
        "own": row.user_id == request.user.pk})


def _rows(report: Any) -> list[dict[str, Any]]:
    if report is None:
        return []
    return [{"name": name, "item": item} for name, item in report.items.items()]


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    unit_ids = require_units(request.user, Capability.DECIDE_BANDS, "The training report is for supervisors.")
    audit_search(request, AuditAction.TRAINING_SUPERVISION, {"units": sorted(unit_ids)})
    now = timezone.now()
    versions = []
    for instrument_id, version in services.versions_trained():
        report = services.training_agreement(unit_ids, instrument_id, version)
        live, pairs = services.live_agreement(unit_ids, instrument_id, version)
        versions.append({"instrument": instrument_id, "version": version, "report": report,
                         "items": _rows(report), "live": live, "live_items": _rows(live), "live_pairs": pairs,
                         "raters": sorted(report.raters.values(), key=lambda r: r.rater) if report else []})
    recent = (Assessment.objects.filter(referral__unit_id__in=unit_ids).latest_versions()
              .select_related("created_by", "referral").order_by("-created_at")[:200])
    warnings = [(a, text) for a in recent if (text := services.uncertified_warning(a))]
    table = services.certification_table(unit_ids, now=now)
    return render(request, "training/supervision.html", {
        "table": table, "now": now, "versions": versions,
        "refreshers_overdue": sum(1 for row in table if row.status.label == "Refresher overdue"),
        "refreshers_due_soon": sum(row.due_soon for row in table),
        "overrides": services.override_rates(unit_ids), "warnings": warnings[:50], "warning_count": len(warnings),
        "units": Unit.objects.filter(pk__in=unit_ids),
        "completions": ModuleCompletion.objects.filter(unit_id__in=unit_ids).select_related("user"),
    })


@login_required
def standard(request: HttpRequest) -> HttpResponse:
    unit_ids = require_units(request.user, Capability.DECIDE_BANDS, "The pass standard is set by supervisors.")
    unit = Unit.objects.filter(pk__in=unit_ids).order_by("name").first()
    assert unit is not None
    current, share, row = standard_for(unit.pk)
    initial = {"min_item_agreement": round(current.min_item_agreement * 100),
               "min_band_exact": round(current.min_band_exact * 100), "min_vignettes": current.min_vignettes,
               "refresher_months": current.refresher_months, "double_coding_share": round(share * 100)}
    form = StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.standard_set(actor=request.user, unit=unit, min_item_agreement=data["min_item_agreement"] / 100,
                                  min_band_exact=data["min_band_exact"] / 100, min_vignettes=data["min_vignettes"],
                                  refresher_months=data["refresher_months"],
                                  double_coding_share=data["double_coding_share"] / 100)
        except services.TrainingInputError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Pass standard for {unit.name} recorded.")
            return redirect("training:supervision")
    return render(request, "training/standard.html", {"form": form, "unit": unit, "row": row})


@login_required
def double_coding(request: HttpRequest) -> HttpResponse:
    require_units(request.user, Capability.ASSESS, "Double-coding is for certified assessors.")
    audit_search(request, AuditAction.DOUBLECODING_LIST, {})
    return render(request, "training/double_coding.html", {
        "offers": services.double_coding_offers(request.user, now=timezone.now())})


@login_required
def second_coding(request: HttpRequest, assessment_id: int) -> HttpResponse:
    first = get_for_read(request, Assessment.objects.select_related("subject", "referral", "created_by"),
                         capability=Capability.ASSESS, detail={"page": "blind second coding"}, pk=assessment_id)
    instrument = first.instrument()
    if instrument is None:
        raise Http404("The instrument file that scored this assessment is not loaded")
    form = VignetteForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_coding_record(actor=request.user, assessment=first, answers=form.answers())
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, "Second coding recorded beside the first. It changes no band.")
            return redirect("training:double-coding")
    return render(request, "training/second_coding.html", {"first": first, "instrument": instrument, "form": form,
                                                           "referral": first.referral, "subject": first.subject})


@login_required
def module(request: HttpRequest, module_id: str) -> HttpResponse:
    require_units(request.user, Capability.ASSESS, "Knowledge modules are for officers who complete assessments.")
    item = modules.catalogue().get(module_id)
    if item is None:
        raise Http404("No such module")
    answers = {q.id: request.POST.get(q.id, "") for q in item.questions} if request.method == "POST" else None
    result = None
    if answers is not None:
        missing = [q.text for q in item.questions if answers[q.id] not in q.option_ids]
        if missing:
            messages.error(request, "Answer every question: " + "; ".join(missing))
        else:
            result = services.module_complete(actor=request.user, module=item, answers=answers)
    return render(request, "training/module.html", {"module": item, "result": result, "answers": answers or {}})
