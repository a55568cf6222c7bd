"""NCMEC report pages: informational reports to close with a reason, and groups of reports about one viral file to
work once. Thin: groups from `ncmec`, closures through the referral lifecycle."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from winnow.audit.reads import get_visible
from winnow.audit.services import AuditAction, audit_record, audit_search
from winnow.forms import GovukFormMixin
from winnow.permissions import Capability, can, require, require_units
from winnow.referrals.models import IllegalTransition, Referral

from . import ncmec


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label="Why no action is needed", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class WorkGroupForm(GovukFormMixin, forms.Form):
    lead = forms.TypedChoiceField(label="The report to work", coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label="Why these reports are one piece of work", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    units = require_units(request.user, Capability.READ_REFERRALS)
    audit_search(request, AuditAction.CYBERTIP_REPORTS_LIST, {})
    return render(request, "intake/ncmec_reports.html", {
        "informational": list(ncmec.informational_reports(units)[:200]),
        "groups": ncmec.viral_groups(units),
        "can_close": can(request.user, Capability.CLOSE_REFERRALS),
        "form": ReasonForm(),
    })


@login_required
@require_POST
def close_informational(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_visible(request, Referral, capability=Capability.CLOSE_REFERRALS, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Closing an informational report needs a reason.")
        return redirect("intake:ncmec-reports")
    try:
        ncmec.informational_close(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
    except (IllegalTransition, ncmec.NcmecRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{referral.reference} closed as informational.")
    return redirect("intake:ncmec-reports")


@login_required
def group_detail(request: HttpRequest, unit_id: int, digest: str) -> HttpResponse:
    if unit_id not in request.user.unit_ids():  # type: ignore[union-attr]
        raise Http404
    found = ncmec.viral_groups({unit_id}, digest=digest.lower())
    if not found:
        raise Http404
    group = found[0]
    audit_record(actor=request.user, action=AuditAction.VIRALGROUP_READ, unit_id=unit_id, target=group.referrals[0],
                 detail={"digest": group.digest, "referrals": [r.reference for r in group.referrals]})
    may_work = can(request.user, Capability.CLOSE_REFERRALS, unit_id) and not group.worked
    form = WorkGroupForm(request.POST or None) if may_work else None
    if form is not None:
        form.choice_field("lead").choices = [(r.pk, r.reference) for r in group.open]
    if request.method == "POST":
        require(request.user, Capability.CLOSE_REFERRALS, unit_id)
        if form is None:
            messages.error(request, "This group has been worked: one report is left open.")
            return redirect(request.path)
        if form.is_valid():
            lead = next(r for r in group.referrals if r.pk == form.cleaned_data["lead"])
            try:
                closed = ncmec.viral_group_work(actor=request.user, group=group, lead=lead,
                                                reason=form.cleaned_data["reason"])
            except ncmec.NcmecRefused as exc:
                for field, reason in exc.problems:
                    form.add_error(field, reason)
            else:
                messages.success(request, f"{len(closed)} reports closed as duplicates of {lead.reference}.")
                return redirect(request.path)
    return render(request, "intake/ncmec_group.html", {"group": group, "form": form},
                  status=400 if form is not None and form.errors else 200)
