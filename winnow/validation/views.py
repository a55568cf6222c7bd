"""Outcome recording for a closed referral, and the validation report. Thin: rules live in services and core."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from winnow.accounts.models import Unit
from winnow.assessments.registry import registry
from winnow.audit.reads import get_for_read
from winnow.audit.services import AuditAction, audit_search
from winnow.core.validation import Report, ValidationInputError, validate
from winnow.core.validation.charts import rate_chart, roc_chart
from winnow.core.validation.tables import report_tables
from winnow.permissions import Capability, require_units
from winnow.referrals.models import Referral, Status

from .forms import FollowUpForm, OutcomeForm, ReportForm
from .models import SubjectOutcome
from .services import (
    OutcomeError,
    followup_record,
    followups_from_linkage,
    iioc_counts_from_exhibits,
    instrument_scale,
    later_referrals,
    outcome_record,
    validation_cases,
)

LIMITS = (
    "This report rests only on closed referrals whose subjects have a recorded outcome and an assessment by this "
    "instrument. The outcome is what the investigation found about contact sexual offending against a child "
    "(convicted, charged, or alleged with evidence); an investigation that found nothing does not prove there was "
    "nothing, so missed offending makes every figure here look better or worse than it is. Cases whose outcome is "
    "unknown are left out and counted, never read as no. Supervisors' overrides and the band itself changed what was "
    "investigated and how hard, so the outcome is not independent of the band. The figures describe this unit's "
    "past cases, not KIRAT's published validation, and they cannot say how the instrument would do elsewhere. With "
    "fewer than 100 cases with the outcome the report says the sample is too small to judge."
)


@login_required
def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral.objects.select_related("unit"), capability=Capability.CLOSE_REFERRALS,
                            detail={"page": "outcomes"}, pk=pk)
    if request.method == "POST":
        return _record(request, referral)
    subjects = []
    for subject in referral.subjects.all():
        current = SubjectOutcome.objects.current().filter(subject=subject).first()
        subjects.append({
            "subject": subject, "current": current,
            "history": list(SubjectOutcome.objects.filter(subject=subject).select_related("recorded_by")),
            "follow_ups": list(current.follow_ups.all()) if current else [],
            "later": later_referrals(current) if current else [],
            "form": OutcomeForm(prefix=f"s{subject.pk}"),
            "follow_up_form": FollowUpForm(prefix=f"f{current.pk}") if current else None,
        })
    return render(request, "validation/outcomes.html", {
        "referral": referral, "subjects": subjects, "closed": referral.status == Status.CLOSED,
        "iioc": iioc_counts_from_exhibits(referral),
    })


def _record(request: HttpRequest, referral: Referral) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "follow_up" or action == "linkage":
        outcome = get_object_or_404(SubjectOutcome.objects.filter(referral=referral), pk=request.POST.get("outcome_id"))
        if action == "linkage":
            made = followups_from_linkage(actor=request.user, outcome=outcome)
            messages.success(request, f"{len(made)} later referral(s) found by linkage recorded.")
            return redirect("validation:outcomes", pk=referral.pk)
        follow_up = FollowUpForm(request.POST, prefix=f"f{outcome.pk}")
        if follow_up.is_valid():
            data = follow_up.cleaned_data
            followup_record(actor=request.user, outcome=outcome, occurred_on=data["occurred_on"],
                            contact_offence=data["contact_offence"], detail=data["detail"])
            messages.success(request, "Follow-up recorded.")
        else:
            messages.error(request, "The follow-up was not recorded: " + "; ".join(
                str(e) for errors in follow_up.errors.values() for e in errors) + ".")
        return redirect("validation:outcomes", pk=referral.pk)
    subject = get_object_or_404(referral.subjects.all(), pk=request.POST.get("subject_id"))
    form = OutcomeForm(request.POST, prefix=f"s{subject.pk}")
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label or f}: {' '.join(map(str, e))}" for f, e in form.errors.items() if f in form.fields)
        messages.error(request, f"Nothing was recorded. {errors}")
        return redirect("validation:outcomes", pk=referral.pk)
    data = form.cleaned_data
    try:
        outcome_record(
            actor=request.user, subject=subject, contact_offending=data["contact_offending"],
            children_safeguarded=data["children_safeguarded"], victims_identified=data["victims_identified"],
            charge=data["charge"], court_outcome=data["court_outcome"], note=data["note"],
            correction_reason=data["correction_reason"],
        )
    except OutcomeError as exc:
        messages.error(request, f"Nothing was recorded: {exc}.")
    else:
        messages.success(request, f"Outcome recorded for {subject.display_name}.")
    return redirect("validation:outcomes", pk=referral.pk)


def _report_for(request: HttpRequest) -> tuple[ReportForm, dict[str, Any]]:
    unit_ids = require_units(request.user, Capability.READ_VALIDATION)
    units = list(Unit.objects.filter(pk__in=unit_ids))
    instruments = [(i.id, f"{i.title} ({i.id})") for i in registry().instruments()]
    params = request.GET.copy()
    params.setdefault("instrument", "phased-prioritisation")
    form = ReportForm(params, instruments=instruments, units=[(u.code, u.name) for u in units])
    context: dict[str, Any] = {"form": form, "units": units}
    if not form.is_valid():
        return form, context
    data = form.cleaned_data
    chosen = [u for u in units if not data["unit"] or u.code == data["unit"]]
    gathered = validation_cases(instrument_id=data["instrument"], version=data["version"] or None,
                                unit_ids=[u.pk for u in chosen], date_from=data["date_from"], date_to=data["date_to"])
    scale = instrument_scale(data["instrument"], data["version"] or None)
    context.update({"gathered": gathered, "chosen": chosen, "params": data})
    try:
        context["report"] = validate(gathered.cases, scale=scale)
    except ValidationInputError as exc:
        context["problem"] = str(exc)
    return form, context


@login_required
def report(request: HttpRequest) -> HttpResponse:
    form, context = _report_for(request)
    chosen = context.get("params") or {}  # the dates as read (their boxes, or one ISO value)
    audit_search(request, AuditAction.VALIDATION_REPORT, {
        **{k: request.GET.get(k, "") for k in ("instrument", "version", "unit")},
        **{k: str(chosen.get(k) or "") for k in ("date_from", "date_to")}})
    result: Report | None = context.get("report")
    if result is not None:
        context["tables"] = report_tables(result)
        auc = result.summary.auc
        context["roc"] = roc_chart(result.roc, f"ROC curve, AUC {auc.value:.3f}" if auc and auc.value is not None
                                   else "ROC curve")
        context["rates"] = rate_chart(result.rows, "Observed rate of contact offending per "
                                      + ("band" if result.kind == "band" else "score") + ", with 95% intervals")
        context["query"] = request.GET.urlencode()
    context["limits"] = LIMITS
    context["printable"] = request.GET.get("print") == "1"
    return render(request, "validation/report.html", context)


@login_required
def report_csv(request: HttpRequest) -> HttpResponse:
    form, context = _report_for(request)
    result: Report | None = context.get("report")
    table = request.GET.get("table", "rates")
    if result is None or table not in (tables := report_tables(result)):
        return HttpResponse("No such table, or no report for these choices.", status=404, content_type="text/plain")
    audit_search(request, AuditAction.VALIDATION_EXPORT, {"table": table, "instrument": request.GET.get("instrument", "")})
    header, rows = tables[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="winnow-validation-{table}.csv"'
    return response
