"""The victim-identification queue and series pages. Thin views: the services decide, these show and audit.

No view here shows, links to or serves image content: counts, hashes and EXIF facts only. An officer who must
view the material uses the unit's forensic tools, outside Winnow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from winnow.audit.services import AuditAction, audit_read, audit_record, audit_search
from winnow.core.series import AGE_BANDS, STATUS_LABELS, Status, order_key, reasons
from winnow.permissions import Capability, NotPermitted, require_units
from winnow.referrals.models import Referral

from .forms import ExportForm, LocationForm, TransitionForm
from .models import Series, SeriesExport, SeriesMember
from .services import (
    Child,
    SeriesError,
    SeriesView,
    canonical_map,
    queue_for,
    series_export,
    series_pending,
    series_transition,
    series_view,
)

NOT_FOR_YOU = "The victim-identification queue is for forensic / victim-identification officers and supervisors."


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    units = require_units(request.user, Capability.WORK_SERIES, NOT_FOR_YOU)
    waiting_scans, waiting_sets = series_pending()
    now = timezone.now()
    rows = sorted(queue_for(request.user, units), key=lambda v: order_key(v.signals, now))
    audit_search(request, AuditAction.SERIES_QUEUE, {"series": len(rows), "units": sorted(units)})
    return render(request, "victimid/queue.html", {
        "rows": [(v, reasons(v.signals, now)) for v in rows], "waiting_scans": waiting_scans, "waiting_sets": waiting_sets, "age_bands": AGE_BANDS,
    })


def _series_for(request: HttpRequest, pk: int) -> tuple[Series, int]:
    """The series (404 unless one of the user's units holds members) and the unit whose members the user works."""
    user: Any = request.user
    series = Series.objects.visible_to(user).filter(pk=pk).first()
    if series is None:
        canon = canonical_map()
        if pk in canon and Series.objects.visible_to(user).filter(pk=canon[pk]).exists():
            raise _Moved(canon[pk])
        raise Http404("no such series among your units")
    units = require_units(user, Capability.WORK_SERIES, NOT_FOR_YOU)
    holding = sorted(set(SeriesMember.objects.filter(series=series, unit_id__in=units)
                         .values_list("unit_id", flat=True)))
    asked = request.GET.get("unit") or request.POST.get("unit") or ""
    if asked.isdigit() and int(asked) in holding:
        return series, int(asked)
    if not holding:
        raise NotPermitted(Capability.WORK_SERIES, None, NOT_FOR_YOU)
    return series, holding[0]


class _Moved(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, pk: int) -> None:
        self.pk = pk


def _render(request: HttpRequest, view: SeriesView, **forms: Any) -> HttpResponse:
    now = timezone.now()
    referrals = [(r.pk, r.reference) for r in view.referrals]
    context = {
        "v": view, "series": view.series, "reasons": reasons(view.signals, now),
        "step_form": forms.get("step_form") or TransitionForm(current=view.status, referrals=referrals),
        "export_form": forms.get("export_form") or ExportForm(),
        "location_form": forms.get("location_form") or LocationForm(),
        "exports": SeriesExport.objects.filter(series_id__in=view.ids, unit_id=view.unit_id).select_related("by"),
        "can_move": bool(TransitionForm(current=view.status, referrals=referrals).choice_field("to").choices),
        "status_labels": STATUS_LABELS, "age_bands": dict(AGE_BANDS),
    }
    return render(request, "victimid/series.html", context, status=400 if forms else 200)


@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        series, unit_id = _series_for(request, pk)
    except _Moved as moved:
        return redirect("victimid:series", moved.pk)
    view = series_view(series, unit_id)
    audit_read(request, series, unit_id=unit_id, action=AuditAction.SERIES_READ,
               detail={"members": len(view.items), "referrals": [r.reference for r in view.referrals]})
    return _render(request, view)


@login_required
@require_POST
def series_step(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        series, unit_id = _series_for(request, pk)
    except _Moved as moved:
        return redirect("victimid:series", moved.pk)
    view = series_view(series, unit_id)
    form = TransitionForm(request.POST, current=view.status, referrals=[(r.pk, r.reference) for r in view.referrals])
    if form.is_valid():
        d = form.cleaned_data
        referral = Referral.objects.filter(pk=int(d["referral"]), unit_id=unit_id).first() if d["referral"] else None
        child = None
        if d["to"] == Status.CHILD_IDENTIFIED:
            child = Child(d["child_given_names"], d["child_family_name"], d["child_date_of_birth"],
                          d["child_sex"] or "unknown")
        try:
            series_transition(actor=request.user, series=series, unit_id=unit_id, to=d["to"], reason=d["reason"],
                              grading=d["grading"], age_band=d["age_band"], child=child, referral=referral,
                              safeguarding_note=d["safeguarding_note"], safeguarding_date=d["safeguarding_date"])
        except SeriesError as exc:
            field, _, message = str(exc).partition(": ")
            target = {"status": "to", "child": "child_given_names", "safeguarding": "safeguarding_note",
                      "age band": "age_band"}.get(field, field if field in form.fields else "reason")
            form.add_error(target, f"{message or exc}. Nothing was recorded.")
        else:
            messages.success(request, f"Series {series.name}: {STATUS_LABELS[Status(d['to'])].lower()} recorded.")
            return redirect(f"{series.get_absolute_url()}?unit={unit_id}")
    return _render(request, view, step_form=form)


@login_required
@require_POST
def series_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        series, unit_id = _series_for(request, pk)
    except _Moved as moved:
        return redirect("victimid:series", moved.pk)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            done = series_export(actor=request.user, series=series, unit_id=unit_id,
                                 recipient=form.cleaned_data["recipient"])
        except SeriesError as exc:
            form.add_error("recipient", f"{str(exc).partition(': ')[2] or exc}. Nothing was exported.")
        else:
            response = HttpResponse(done.data, content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{series.name}-vics-2.0.json"'
            return response
    return _render(request, series_view(series, unit_id), export_form=form)


@login_required
@require_POST
def series_location(request: HttpRequest, pk: int) -> HttpResponse:
    """An explicit, audited request for location data. The scanner records only that GPS data is present, never
    the coordinates, so the answer says where the coordinates are: in the exhibits, read with forensic tools."""
    try:
        series, unit_id = _series_for(request, pk)
    except _Moved as moved:
        return redirect("victimid:series", moved.pk)
    view = series_view(series, unit_id)
    form = LocationForm(request.POST)
    if not form.is_valid():
        return _render(request, view, location_form=form)
    located = [it for it in view.items if it.has_gps]
    exhibits = sorted({f"{it.referral.reference} {it.exhibit.label}" for it in located})
    audit_record(actor=request.user, action=AuditAction.SERIES_LOCATION, unit_id=unit_id, target=series,
                 detail={"reason": form.cleaned_data["reason"], "members_with_location": len(located),
                         "exhibits": exhibits})
    if located:
        messages.info(request, f"{len(located)} member(s) carry location data, on {', '.join(exhibits)}. Winnow's "
                               "scan records only that it is present, never the coordinates: read them from the "
                               "exhibit with the unit's forensic tools. Your request has been recorded.")
    else:
        messages.info(request, "No member of this series held by your unit carries location data. Your request "
                               "has been recorded.")
    return redirect(f"{series.get_absolute_url()}?unit={unit_id}")
