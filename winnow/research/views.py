"""Case facts on a referral, and the trends pages. Thin: counts come from gather, figures from winnow.core.trends.

Trends are read per unit by analysts and supervisors (READ_TRENDS); a unit the user is not in answers 404, a role
without the capability 403. Every page and CSV is an audited search. Case facts are recorded by those who record
case actions (investigators and supervisors); reading them is an audited read of the subject.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.audit.reads import get_for_read
from winnow.audit.services import AuditAction, audit_search
from winnow.core.trends import HIDDEN, TrendTable, life_table, trend_table
from winnow.core.trends.charts import life_chart, share_chart
from winnow.permissions import Capability, can, require_units
from winnow.referrals.models import Referral

from .export import ExportRefused, export_approve
from .forms import ApprovalForm
from .gather import (
    SECTIONS,
    covid_period,
    km_intervals,
    rereferral,
    section_tables,
    threshold,
    today_london,
    youth_by_year,
)
from .models import CaseFact, ExportApproval, TrendCount
from .services import CaseFactError, case_facts_record, current_facts, exhibit_facts, measures

PAGES = {**SECTIONS, "reoffending": "Re-referral (time to a later linked referral)", "youth": "Youth-produced imagery"}


def _unit(request: HttpRequest) -> tuple[Unit, list[Unit]]:
    allowed = require_units(request.user, Capability.READ_TRENDS)
    units = list(Unit.objects.filter(pk__in=allowed).order_by("code"))
    code = request.GET.get("unit") or units[0].code
    chosen = next((u for u in units if u.code == code), None)
    if chosen is None:
        raise Http404("No such unit among yours")
    return chosen, units


def _common(request: HttpRequest, unit: Unit, units: list[Unit], page: str) -> dict[str, Any]:
    start, end = covid_period()
    return {"unit": unit, "units": units, "page": page, "pages": PAGES, "covid_start": start, "covid_end": end,
            "threshold": threshold(), "hidden": HIDDEN, "title": PAGES.get(page, "Offending trends"),
            "demo": CaseFact.objects.filter(unit=unit, fictional_demo=True).exists()}


def _rows(table: TrendTable) -> list[dict[str, Any]]:
    """The table as the template draws it: each cell's count and, beside it, its share and 95% interval."""
    rows = []
    for code, label in table.options:
        cells = []
        for period in table.periods:
            cell = table.cells[(code, period)]
            s = cell.share
            text = (f"{s.value:.0%} ({s.low:.0%}-{s.high:.0%})" if cell.count is not None and s is not None
                    and s.value is not None and s.low is not None and s.high is not None else "")
            cells.append({"text": cell.text(), "share": text})
        rows.append({"label": label, "cells": cells, "trend": table.trends.get(code)})
    return rows


@login_required
def trends(request: HttpRequest) -> HttpResponse:
    unit, units = _unit(request)
    audit_search(request, AuditAction.TRENDS_READ, {"unit": unit.code, "page": "index"})
    # Every subject with facts has its derived age band: the count of those is the count of subjects recorded.
    recorded = TrendCount.objects.filter(unit=unit, measure="age_band", value="").aggregate(n=Sum("cases"))["n"] or 0
    context = _common(request, unit, units, "index")
    context.update({"recorded": recorded,
                    "can_approve": can(request.user, Capability.APPROVE_RESEARCH_EXPORT, unit.pk)})
    return render(request, "research/index.html", context)


def _period(request: HttpRequest) -> str:
    return "quarter" if request.GET.get("period") == "quarter" else "year"


@login_required
def section(request: HttpRequest, section: str) -> HttpResponse:
    if section not in PAGES:
        raise Http404("No such trends page")
    unit, units = _unit(request)
    period = _period(request)
    audit_search(request, AuditAction.TRENDS_READ, {"unit": unit.code, "page": section, "period": period})
    context = _common(request, unit, units, section)
    context["period"] = period
    covid = (context["covid_start"], context["covid_end"])
    if section == "reoffending":
        data = rereferral(unit.pk, today=today_london(timezone.now()))
        life = life_table(km_intervals(data.km), threshold())
        events = data.km.events if data.km.events == 0 or data.km.events >= threshold() else HIDDEN
        # Drawn from the suppressed life table, not the full curve, so the chart hides what the table hides.
        context.update({"rereferral": data, "life": life,
                        "km": life_chart(life, n=data.km.n, events=events, max_days=365 * 5)})
        return render(request, "research/reoffending.html", context)
    if section == "youth":
        table = _youth_table(unit.pk)
        context.update({"figures": [{"table": table, "chart": share_chart(table, covid=covid), "code": "youth",
                                     "rows": _rows(table)}]})
        return render(request, "research/section.html", context)
    figures = []
    for tables in section_tables(unit.pk, section):
        table = tables.by_quarter if period == "quarter" else tables.by_year
        figures.append({"table": table, "chart": share_chart(table, covid=covid, skip=("unknown",)),
                        "code": tables.measure.code, "kind": tables.measure.kind, "rows": _rows(table)})
    context["figures"] = figures
    return render(request, "research/section.html", context)


def _youth_table(unit_id: int) -> Any:
    data = youth_by_year(unit_id)
    years = sorted(data["all"])
    return trend_table(measure="youth", label="Referrals on the youth pathway (youth-produced imagery)",
                       options=[("youth", "Youth pathway")], periods=[str(y) for y in years],
                       counts={("youth", str(y)): c for y, c in data["youth"].items()},
                       n={str(y): c for y, c in data["all"].items()}, threshold=threshold(), one_choice=False)


@login_required
def section_csv(request: HttpRequest, section: str) -> HttpResponse:
    if section not in PAGES or section == "reoffending":
        raise Http404("No such table")
    unit, _ = _unit(request)
    period = _period(request)
    audit_search(request, AuditAction.TRENDS_EXPORT, {"unit": unit.code, "page": section, "period": period})
    tables = [_youth_table(unit.pk)] if section == "youth" else [
        t.by_quarter if period == "quarter" else t.by_year for t in section_tables(unit.pk, section)]
    out = io.StringIO()
    writer = csv.writer(out)
    for i, table in enumerate(tables):
        header, rows = table.csv_rows()
        if i == 0:
            writer.writerow(header)
        writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="winnow-trends-{unit.code}-{section}-{period}.csv"'
    return response


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    """Research export approvals: a supervisor of the unit approves one export, with its purpose and recipient;
    `winnow research-export --unit CODE --out DIR` writes it. Lists the unit's approvals and the exports made."""
    allowed = require_units(request.user, Capability.APPROVE_RESEARCH_EXPORT)
    units = list(Unit.objects.filter(pk__in=allowed).order_by("code"))
    code = request.GET.get("unit") or units[0].code
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        raise Http404("No such unit among yours")
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approval = export_approve(actor=request.user, unit=unit, purpose=form.cleaned_data["purpose"],
                                      recipient=form.cleaned_data["recipient"],
                                      record_level=form.cleaned_data["record_level"])
        except ExportRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Approval {approval.pk} recorded. Run: winnow research-export --unit "
                             f"{unit.code} --out DIR{' --record-level' if approval.record_level else ''}")
            return redirect(f"{reverse('research:exports')}?unit={unit.code}")
    audit_search(request, AuditAction.RESEARCH_EXPORT_LIST, {"unit": unit.code})
    approvals = (ExportApproval.objects.filter(unit=unit).select_related("approved_by", "export")
                 .order_by("-approved_at", "-id"))
    context = _common(request, unit, units, "exports")
    context.update({"form": form, "approvals": approvals, "title": "Research exports"})
    return render(request, "research/exports.html", context, status=400 if form.errors else 200)


@login_required
def facts(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral.objects.select_related("unit"),
                            capability=Capability.RECORD_CASE_ACTIONS, action=AuditAction.CASEFACTS_READ,
                            detail=lambda r: {"referral": r.reference}, pk=pk)
    if request.method == "POST":
        raw_id = request.POST.get("subject_id", "")
        if not raw_id.isdigit():
            raise Http404("No such subject on this referral")
        subject = get_object_or_404(referral.subjects.all(), pk=int(raw_id))
        chosen = {m.code: request.POST.getlist(f"{m.code}") for m in measures() if m.code != "age_band"}
        chosen = {code: values for code, values in chosen.items() if values}
        try:
            changed = case_facts_record(actor=request.user, subject=subject, facts=chosen,
                                        reason=request.POST.get("reason", ""))
        except CaseFactError as exc:
            messages.error(request, f"Nothing was recorded: {exc}.")
        else:
            messages.success(request, f"{len(changed)} measure(s) recorded for {subject.display_name}."
                             if changed else "Nothing changed.")
        return redirect("research:facts", pk=referral.pk)
    suggested, files = exhibit_facts(referral)
    subjects = []
    for subject in referral.subjects.all():
        current = current_facts(subject)
        subjects.append({"subject": subject, "measures": [
            {"measure": m, "current": current.get(m.code, ()), "derived": m.code == "age_band",
             "suggested": "" if m.code in current else suggested.get(m.code, "")} for m in measures()],
            "history": CaseFact.objects.filter(subject=subject, current=False).count()})
    return render(request, "research/facts.html", {"referral": referral, "subjects": subjects, "files": files})
