"""The queue, my work, case actions, the supervisor dashboard and the capacity forecast. Thin views."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from winnow.accounts.models import Unit, User
from winnow.audit.reads import get_for_read
from winnow.audit.services import AuditAction, audit_search
from winnow.core.charts import bar_chart
from winnow.core.priority import Band
from winnow.core.workload import METHOD, forecast
from winnow.permissions import Capability, can, require, require_units, roles_with, units_with
from winnow.referrals.models import SOURCE_LABELS, Referral, Status, Subject
from winnow.safeguarding import panels as safeguarding

from . import stats
from .forms import AssignForm, CaseActionForm, ForecastForm, QueueFilterForm
from .paging import KEY, Cursor, keyset_page
from .services import AssignmentError, case_action_record, referrals_assign

PAGE_SIZE = 50


def _officers(unit_ids: set[int]) -> list[User]:
    return list(
        User.objects.filter(memberships__unit_id__in=unit_ids, memberships__role__in=roles_with(Capability.TAKE_WORK), is_active=True)
        .distinct().order_by("username")
    )


# Totals count at most this many rows, then say "1000+". An exact COUNT of a national queue (400,000 open at 1M
# referrals) costs about a second on PostgreSQL; counting the first 1,001 rows in queue order is a short walk of the
# queue index, whatever the size. Exact figures by band are on the dashboard.
TOTAL_CAP = 1_000


def _capped_count(queryset: Any) -> tuple[int, bool]:
    """How many rows, counting no further than TOTAL_CAP: (count, True if there are more)."""
    n = queryset.order_by(*KEY).values("id")[: TOTAL_CAP + 1].count()
    return min(n, TOTAL_CAP), n > TOTAL_CAP


def _decisions_waiting(user: Any, referrals: Any) -> dict[str, Any] | None:
    """For a supervisor: computed bands awaiting their decision, most dangerous then oldest first."""
    units = units_with(user, Capability.DECIDE_BANDS)
    if not units:
        return None
    waiting = referrals.filter(band_provisional=True, unit_id__in=units)
    rows = list(waiting.select_related("band_computed_by").order_by("priority_tier", "band_decided_at", "id")[:10])
    count, over = (len(rows), False) if len(rows) < 10 else _capped_count(waiting)  # fewer than 10 are all of them
    return {"rows": rows, "count": count, "over": over}


# What a queue row shows, and no more: a referral row is wide (facts, corrections, band, deadline) and a user row
# carries its password hash and dates; with only these columns a 50-row page makes about a fifth fewer Python
# calls (131k -> 107k per request with the text below made in the view; docs/benchmarks.md).
_ROW_FIELDS = ("id", "reference", "unit_id", "summary", "status", "band", "band_provisional", "priority_tier",
               "deadline_at", "actioned_at", "received_at", "immediate_danger", "danger_corrected",
               "assigned_to__username", "band_computed_by__username")
_ROW_SUBJECT_FIELDS = ("id", "referral_id", "role", "given_names", "family_name")


_STATUS_LABELS = dict(Status.choices)


def _row(referral: Referral, now: Any, detail_url: str) -> dict[str, Any]:
    """A queue row, its text made here rather than looked up cell by cell in the template (50 rows a page)."""
    overdue_days = None
    if referral.deadline_at is not None and referral.actioned_at is None and referral.deadline_at < now:
        overdue_days = max(1, -(-int((now - referral.deadline_at).total_seconds()) // 86400))  # part days count
    subjects = list(referral.subjects.all())
    summary = (referral.summary.strip().splitlines() or [""])[0]
    computed_by = referral.band_computed_by
    return {"referral": referral, "overdue_days": overdue_days, "url": f"{detail_url}{referral.pk}/",
            "subject": ", ".join(s.display_name for s in subjects if s.role == "reported") or (
                subjects[0].display_name if subjects else ""),
            "summary": summary if len(summary) <= 120 else summary[:119] + "…",
            "band_label": stats.BAND_LABELS.get(referral.band, referral.band),
            "computed_by": computed_by.username if computed_by else "an assessor",
            "deadline": _when(referral.deadline_at, "%d %b %Y %H:%M"),
            "received": _when(referral.received_at, "%d %b %Y"),
            "status_label": _STATUS_LABELS.get(referral.status, referral.status),
            "officer": referral.assigned_to.username if referral.assigned_to else "Unassigned"}


def _when(moment: Any, form: str) -> str:
    """As the template's date filter shows it (UK time; English month names: USE_I18N is off)."""
    return "" if moment is None else timezone.localtime(moment).strftime(form)


def _queue(request: HttpRequest, *, mine: bool) -> HttpResponse:  # noqa: C901 - one branch a filter
    user = request.user
    unit_ids = user.unit_ids()  # type: ignore[union-attr]
    units = list(Unit.objects.filter(pk__in=unit_ids))
    officers = _officers(unit_ids)
    form = QueueFilterForm(request.GET or None, units=units, officers=officers,
                           sources=[(s.value, label) for s, label in SOURCE_LABELS.items()])
    visible = Referral.objects.visible_to(user).open()
    referrals = visible
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
            referrals = referrals.from_source(data["source"])
        if data["overdue"]:
            referrals = referrals.overdue(now)
        filters = {k: str(v) for k, v in data.items() if v}
    after = Cursor.decode(request.GET.get("after", ""))
    before = Cursor.decode(request.GET.get("before", "")) if after is None else None
    page = keyset_page(
        referrals.select_related("assigned_to", "band_computed_by").only(*_ROW_FIELDS).prefetch_related(
            Prefetch("subjects", queryset=Subject.objects.order_by("id").only(*_ROW_SUBJECT_FIELDS))),
        after=after, before=before, size=PAGE_SIZE)
    audit_search(request, AuditAction.QUEUE_MINE if mine else AuditAction.QUEUE_LIST,
                 {**filters, "after": request.GET.get("after", ""), "before": request.GET.get("before", "")})
    can_assign = can(user, Capability.ASSIGN_WORK) and not mine
    detail_url = reverse("referrals:detail", args=[0]).removesuffix("0/")  # once, not a reverse() per row
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    total, total_over = _capped_count(referrals)
    overdue, overdue_over = _capped_count(referrals.overdue(now))
    return render(request, "workload/queue.html", {
        "form": form, "rows": [_row(r, now, detail_url) for r in page.rows], "page": page, "query": query.urlencode(),
        "mine": mine, "can_assign": can_assign, "officers": officers, "band_labels": stats.BAND_LABELS,
        "next_cursor": page.next.encode() if page.next else "",
        "previous_cursor": page.previous.encode() if page.previous else "",
        "totals": {"open": total, "open_over": total_over, "overdue": overdue, "overdue_over": overdue_over,
                   "cap": TOTAL_CAP},
        "decisions": None if mine else _decisions_waiting(user, visible),
        "safeguarding_overdue": None if mine else safeguarding.overdue(units_with(user, Capability.ASSIGN_WORK), now),
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


def _dashboard_units(request: HttpRequest) -> set[int]:
    """The units the dashboard shows: the person's dashboard units, or the one chosen."""
    units = units_with(request.user, Capability.READ_DASHBOARD)
    unit = request.GET.get("unit", "")
    return units & {int(unit)} if unit.isdigit() else units


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
        "decisions": _decisions_waiting(request.user, referrals.open()),
        "safeguarding_overdue": safeguarding.overdue(_dashboard_units(request), timezone.now()),
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
