"""The queue, my work, case actions, the supervisor dashboard and the capacity forecast. Thin views."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from winnow.accounts.models import Unit, User
from winnow.audit.reads import get_for_read
from winnow.audit.services import AuditAction, audit_search
from winnow.core.charts import bar_chart
from winnow.core.priority import Band
from winnow.core.workload import METHOD, forecast
from winnow.input_guard import max_page
from winnow.permissions import Capability, can, require, require_units, roles_with, units_with
from winnow.referrals.models import SOURCE_LABELS, Referral

from . import stats
from .forms import AssignForm, CaseActionForm, ForecastForm, QueueFilterForm
from .services import AssignmentError, case_action_record, referrals_assign

PAGE_SIZE = 50


def _officers(unit_ids: set[int]) -> list[User]:
    return list(
        User.objects.filter(memberships__unit_id__in=unit_ids, memberships__role__in=roles_with(Capability.TAKE_WORK), is_active=True)
        .distinct().order_by("username")
    )


def _page(queryset: Any, number: int) -> tuple[list[Referral], bool]:
    """Keyset-free paging without COUNT(*): fetch one row more than a page to know whether there is a next page."""
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _queue(request: HttpRequest, *, mine: bool) -> HttpResponse:
    user = request.user
    unit_ids = user.unit_ids()  # type: ignore[union-attr]
    units = list(Unit.objects.filter(pk__in=unit_ids))
    officers = _officers(unit_ids)
    form = QueueFilterForm(request.GET or None, units=units, officers=officers,
                           sources=[(s.value, label) for s, label in SOURCE_LABELS.items()])
    referrals = Referral.objects.visible_to(user).queue().select_related("unit", "assigned_to")
    if mine:
        referrals = referrals.filter(assigned_to=user)
    now = timezone.now()
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            referrals = referrals.filter(unit_id=data["unit"])
        if data["band"]:
            referrals = referrals.filter(band="" if data["band"] == "unassessed" else data["band"])
        if data["status"]:
            referrals = referrals.filter(status=data["status"])
        if data["officer"] and not mine:
            referrals = referrals.filter(assigned_to_id=data["officer"])
        if data["source"]:
            referrals = referrals.filter(source=data["source"])
        if data["overdue"]:
            referrals = referrals.overdue(now)
        filters = {k: str(v) for k, v in data.items() if v}
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), max_page())
    except ValueError:
        number = 1
    rows, has_next = _page(referrals, number)
    audit_search(request, AuditAction.QUEUE_MINE if mine else AuditAction.QUEUE_LIST, {**filters, "page": number})
    can_assign = can(user, Capability.ASSIGN_WORK) and not mine
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workload/queue.html", {
        "form": form, "rows": [(r, r.deadline_at is not None and r.actioned_at is None and r.deadline_at < now) for r in rows],
        "page": number, "has_next": has_next, "query": query.urlencode(), "mine": mine,
        "can_assign": can_assign, "officers": officers, "band_labels": stats.BAND_LABELS,
    })


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    return _queue(request, mine=False)


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    return _queue(request, mine=True)


@login_required
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    user = request.user
    assigner_units = require_units(user, Capability.ASSIGN_WORK, "Only supervisors assign work.")
    ids = [int(v) for v in request.POST.getlist("referrals") if v.isdigit()]
    form = AssignForm(request.POST, officers=_officers(assigner_units), referral_ids=ids)
    if not ids:
        messages.error(request, "Choose at least one referral to assign.")
    elif not form.is_valid():
        messages.error(request, "Choose an officer in your units.")
    else:
        referrals = list(Referral.objects.visible_to(user).filter(pk__in=ids, unit_id__in=assigner_units))
        if len(referrals) != len(set(ids)):
            messages.error(request, "Some of those referrals are not in a unit you supervise; nothing was assigned.")
        else:
            assignee = User.objects.get(pk=form.cleaned_data["assignee"])
            try:
                referrals_assign(actor=user, referrals=referrals, assignee=assignee)
            except AssignmentError as exc:
                messages.error(request, f"{exc}; nothing was assigned.")
            else:
                messages.success(request, f"{len(referrals)} referral(s) assigned to {assignee.get_username()}.")
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/queue/") else "workload:queue")


@login_required
def case_actions(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral.objects.select_related("unit"), action=AuditAction.REFERRAL_ACTIONS_READ,
                            pk=pk)
    can_act = can(request.user, Capability.RECORD_CASE_ACTIONS, referral.unit_id)
    if request.method == "POST":
        require(request.user, Capability.RECORD_CASE_ACTIONS, referral.unit_id,
                "Only investigators and supervisors record case actions.")
    form = CaseActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_action_record(actor=request.user, referral=referral,
                               **form.cleaned_data)
        except AssignmentError as exc:
            form.add_error("occurred_at", str(exc))
        else:
            messages.success(request, "Action recorded.")
            return redirect("workload:actions", pk=referral.pk)
    return render(request, "workload/actions.html", {
        "referral": referral, "actions": referral.actions.select_related("recorded_by"),
        "assignments": referral.assignments.select_related("assignee", "assigned_by"), "form": form, "can_act": can_act,
    })


def _dashboard_referrals(request: HttpRequest) -> Any:
    units = require_units(request.user, Capability.READ_DASHBOARD, "The dashboard is for supervisors and analysts.")
    referrals = Referral.objects.filter(unit_id__in=units)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        referrals = referrals.filter(unit_id=int(unit))
    return referrals


def _charts(data: stats.Dashboard) -> dict[str, Any]:
    bands = [b.value for b in Band] + [stats.UNASSESSED]
    labels = [stats.BAND_LABELS[b] for b in bands]
    week_labels = [f"{w:%d %b}" for w in data.weeks]
    return {
        "open": bar_chart("Open and overdue referrals by band", labels, ["Open", "Overdue"],
                          [[data.open_by_band[b] for b in bands], [data.overdue_by_band[b] for b in bands]]),
        "flow": bar_chart("Weekly intake and completions", week_labels, ["Intake", "Completions"],
                          [data.intake, data.completions]),
        "backlog": bar_chart("Open referrals at the end of each week", week_labels, ["Backlog"], [data.backlog], lines=[0]),
        "action": bar_chart("Days from receipt to first enforcement action", [stats.BAND_LABELS[a.band] for a in data.action_times],
                            ["Median", "90th percentile", "Target"],
                            [[a.median_days or 0 for a in data.action_times], [a.p90_days or 0 for a in data.action_times],
                             [a.target_days for a in data.action_times]], lines=[2]),
    }


def _table(data: stats.Dashboard, name: str) -> tuple[list[str], list[list[Any]]]:
    if name == "open":
        return ["Band", "Open", "Overdue"], [[stats.BAND_LABELS[b], data.open_by_band[b], data.overdue_by_band[b]] for b in stats.BAND_KEYS]
    if name == "flow":
        return ["Week starting", "Intake", "Completions"], [[f"{w:%Y-%m-%d}", i, c] for w, i, c in zip(data.weeks, data.intake, data.completions, strict=True)]
    if name == "backlog":
        return ["Week starting", "Open at week end"], [[f"{w:%Y-%m-%d}", b] for w, b in zip(data.weeks, data.backlog, strict=True)]
    if name == "action":
        return (["Band", "Actioned", "Median days", "90th percentile days", "Target days", "Within target"],
                [[stats.BAND_LABELS[a.band], a.count, _round(a.median_days), _round(a.p90_days), a.target_days, a.within_target]
                 for a in data.action_times])
    raise ValueError(name)


def _round(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    referrals = _dashboard_referrals(request)
    data = stats.dashboard(referrals, now=timezone.now())
    audit_search(request, AuditAction.DASHBOARD_READ, {"unit": request.GET.get("unit", "")})
    charts = _charts(data)
    sections = [(name, charts[name], *_table(data, name)) for name in ("open", "action", "flow", "backlog")]
    units = Unit.objects.filter(pk__in=units_with(request.user, Capability.READ_DASHBOARD))
    return render(request, "workload/dashboard.html", {
        "sections": sections, "units": units, "unit": request.GET.get("unit", ""),
        "totals": {"open": sum(data.open_by_band.values()), "overdue": sum(data.overdue_by_band.values())},
    })


@login_required
def dashboard_csv(request: HttpRequest, name: str) -> HttpResponse:
    referrals = _dashboard_referrals(request)
    data = stats.dashboard(referrals, now=timezone.now())
    try:
        header, rows = _table(data, name)
    except ValueError:
        return HttpResponse("No such table.", status=404, content_type="text/plain")
    audit_search(request, AuditAction.DASHBOARD_EXPORT, {"table": name, "unit": request.GET.get("unit", "")})
    response = HttpResponse(stats.csv_rows([header, *rows]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="winnow-{name}.csv"'
    return response


@login_required
def capacity_forecast(request: HttpRequest) -> HttpResponse:
    referrals = _dashboard_referrals(request)
    form = ForecastForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {"history_weeks": 8, "officers": 6, "change": 0}
    if request.GET and not form.is_valid():
        params = {"history_weeks": 8, "officers": 6, "change": 0}
    now = timezone.now()
    days = {Band(k): v for k, v in settings.WINNOW_DEADLINE_DAYS.items()}
    weekly_intake = stats.weekly_intake_by_band(referrals, now=now, weeks=params["history_weeks"])
    weekly_capacity = stats.weekly_capacity(referrals, now=now, weeks=params["history_weeks"])
    # One set of inputs for both runs (a partial keeps forecast's keyword types, a dict of them would not).
    run = partial(forecast, backlog_ages=stats.backlog_ages(referrals, now=now), weekly_intake=weekly_intake,
                  weekly_capacity=weekly_capacity, deadline_days=days, officers=params["officers"])
    if params["officers"] + params["change"] < 0:
        form.add_error("change", "Cannot lose more officers than the unit has.")
        params["change"] = 0
    baseline = run()
    what_if = run(officer_change=params["change"])
    weeks = [f"Week {w.week}" for w in baseline]
    chart = bar_chart(
        "Projected backlog and overdue", weeks,
        ["Backlog (as now)", "Overdue (as now)", "Backlog (what-if)", "Overdue (what-if)"],
        [[w.total_backlog for w in baseline], [w.total_overdue for w in baseline],
         [w.total_backlog for w in what_if], [w.total_overdue for w in what_if]], lines=[2, 3],
    )
    rows = [[f"Week {b.week}", f"{b.total_backlog:.0f}", f"{b.total_overdue:.0f}", f"{w.total_backlog:.0f}", f"{w.total_overdue:.0f}"]
            for b, w in zip(baseline, what_if, strict=True)]
    if request.GET.get("format") == "csv":
        response = HttpResponse(stats.csv_rows([["Week", "Backlog", "Overdue", "Backlog what-if", "Overdue what-if"], *rows]),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="winnow-forecast.csv"'
        return response
    audit_search(request, AuditAction.FORECAST_READ, {k: str(v) for k, v in params.items()})
    return render(request, "workload/forecast.html", {
        "form": form, "chart": chart, "rows": rows, "method": METHOD, "params": params,
        "intake": {b.label: f"{v:.1f}" for b, v in weekly_intake.items()},
        "capacity": f"{weekly_capacity:.1f}",
    })
