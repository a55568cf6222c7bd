"""Deconfliction pages. Thin: visibility from QuerySets, writes from services, rules from winnow.core."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from winnow.accounts.models import Unit
from winnow.audit.reads import get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_search
from winnow.permissions import Capability, can, require, require_units

from . import services
from .forms import DecisionForm, RunForm, UndoForm
from .models import LinkProposal, Merge, Person


def _units(request: HttpRequest, capability: Capability) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=require_units(request.user, capability)))


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = (
        LinkProposal.objects.visible_to(request.user).pending()
        .select_related("left_subject__referral", "right_subject__referral", "unit")
    )
    page = Paginator(proposals, 50).get_page(request.GET.get("page"))
    audit_search(request, AuditAction.PROPOSAL_LIST, {"page": page.number})
    can_run = can(request.user, Capability.DECIDE_LINKS)
    run_form = RunForm(units=list(Unit.objects.for_user(request.user, Capability.DECIDE_LINKS))) if can_run else None
    return render(request, "linkage/proposals.html", {"page": page, "run_form": run_form})


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_for_read(request, LinkProposal.objects.select_related(
        "left_subject__referral", "right_subject__referral", "decision__by"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Capability.DECIDE_LINKS, proposal.unit_id)
        if form.is_valid():
            try:
                services.proposal_decide(
                    proposal=proposal, accept=form.cleaned_data["outcome"] == "accept", actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except services.LinkageRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Decision recorded.")
            return redirect(proposal)
    merge = getattr(proposal, "merge", None)
    return render(request, "linkage/proposal.html", {
        "proposal": proposal, "form": form, "merge": merge,
        "can_decide": can(request.user, Capability.DECIDE_LINKS, proposal.unit_id),
    })


@login_required
@require_POST
def run_linkage(request: HttpRequest) -> HttpResponse:
    units = _units(request, Capability.DECIDE_LINKS)
    form = RunForm(request.POST, units=units)
    if not form.is_valid():
        messages.error(request, "Choose one of your units.")
        return redirect("linkage:proposals")
    unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
    run = services.people_link(unit=unit, actor=request.user)
    messages.success(request, f"Person linkage ran over {run.subjects} people in {unit.name}: "
                              f"{run.proposals_created} new proposals.")
    return redirect("linkage:proposals")


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_read(request, Person, pk=pk)
    merges = person.merges.select_related("proposal", "by", "undo__by").prefetch_related("memberships__subject")
    return render(request, "linkage/person.html", {
        "person": person, "members": services.person_members(person), "merges": merges,
        "undo_form": UndoForm(),
        "can_decide": can(request.user, Capability.DECIDE_LINKS, person.unit_id),
    })


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_visible(request, Merge, capability=Capability.DECIDE_LINKS, pk=pk)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Undoing a merge needs a reason.")
    else:
        try:
            services.merge_undo(merge=merge, actor=request.user, reason=form.cleaned_data["reason"])
        except services.LinkageRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Merge {merge.pk} undone.")
    return redirect(merge.person)
