"""Safeguarding pages. Thin: visibility from QuerySets (and get_for_read, which audits the read), writes from
services, deadlines from winnow.core.safeguarding.

Every member of a unit reads a referral's safeguarding (as they read its case actions); handlers, investigators
and supervisors record (Capability.RECORD_SAFEGUARDING) and see the list of what is due.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from winnow.accounts.models import User
from winnow.audit.reads import get_for_read
from winnow.audit.services import AuditAction, audit_search
from winnow.permissions import Capability, can, require_units, roles_with
from winnow.referrals.models import Referral

from . import services
from .forms import RecordForm, ReviseForm, WithdrawForm
from .models import Concern, SafeguardingReferral

SHOW = {"open": "Due and overdue", "overdue": "Overdue only", "all": "All, including those made"}
PAGE = 200


def _officers(unit_id: int) -> list[User]:
    return list(User.objects.filter(memberships__unit_id=unit_id, is_active=True,
                                    memberships__role__in=roles_with(Capability.RECORD_SAFEGUARDING))
                .distinct().order_by("username"))


def _add_problems(form: Any, problems: list[tuple[str, str]]) -> None:
    for field, reason in problems:
        form.add_error(field if field in form.fields else None,
                       reason if field in form.fields else f"{field}: {reason}")


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    units = require_units(request.user, Capability.RECORD_SAFEGUARDING,
                          "The safeguarding list is for handlers, investigators and supervisors.")
    now = timezone.now()
    show = request.GET.get("show", "open")
    show = show if show in SHOW else "open"
    concerns = Concern.objects.visible_to(request.user).filter(unit_id__in=units)
    if show == "open":
        concerns = concerns.uncovered()
    elif show == "overdue":
        concerns = concerns.overdue(now)
    rows = [(c, c.standing(now)) for c in concerns.select_related("referral", "subject", "unit")
            .prefetch_related("coverage__safeguarding_referral__versions",
                              "coverage__safeguarding_referral__original").order_by("due_at", "id")[:PAGE]]
    audit_search(request, AuditAction.SAFEGUARDING_LIST, {"show": show})
    return render(request, "safeguarding/list.html", {"rows": rows, "show": show, "choices": SHOW, "page": PAGE})


def _chains(referral: Referral) -> list[list[SafeguardingReferral]]:
    records = list(SafeguardingReferral.objects.filter(referral=referral)
                   .select_related("made_by", "recorded_by").order_by("version", "id"))
    firsts = [r for r in records if r.original_id is None]
    return [[f, *sorted((r for r in records if r.original_id == f.pk), key=lambda r: r.version)] for f in firsts]


@login_required
def referral_safeguarding(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral.objects.select_related("unit"),
                            action=AuditAction.REFERRAL_SAFEGUARDING_READ, pk=pk)
    now = timezone.now()
    concerns = list(Concern.objects.filter(referral=referral).select_related("subject", "raised_by",
                                                                             "withdrawal__withdrawn_by")
                    .prefetch_related("coverage__safeguarding_referral__versions",
                                      "coverage__safeguarding_referral__original"))
    chains = _chains(referral)
    covers = {f[0].pk: [c.concern for c in f[0].covers.select_related("concern")] for f in chains}
    return render(request, "safeguarding/referral.html", {
        "referral": referral, "concerns": [(c, c.standing(now)) for c in concerns],
        "chains": [(chain, covers[chain[0].pk]) for chain in chains],
        "can_record": can(request.user, Capability.RECORD_SAFEGUARDING, referral.unit_id),
        "can_withdraw": can(request.user, Capability.DECIDE_BANDS, referral.unit_id),
    })


@login_required
def concern_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor records, with a reason, that a concern needs no safeguarding referral (GET shows the form)."""
    concern = get_for_read(request, Concern.objects.select_related("referral", "subject"),
                           capability=Capability.DECIDE_BANDS, action=AuditAction.REFERRAL_SAFEGUARDING_READ,
                           detail={"page": "withdraw concern"}, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_withdraw(actor=request.user, concern=concern, reason=form.cleaned_data["reason"])
        except services.SafeguardingInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, "Concern withdrawn; it stays on record with your reason.")
            return redirect("safeguarding:referral", pk=concern.referral_id)
    return render(request, "safeguarding/withdraw.html", {"concern": concern, "referral": concern.referral,
                                                           "form": form}, status=400 if form.errors else 200)


@login_required
def record_new(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, Referral.objects.select_related("unit"),
                            capability=Capability.RECORD_SAFEGUARDING, action=AuditAction.REFERRAL_SAFEGUARDING_READ,
                            detail={"page": "record safeguarding referral"}, pk=pk)
    open_concerns = list(Concern.objects.filter(referral=referral).uncovered().order_by("due_at", "id"))
    form = RecordForm(request.POST or None, officers=_officers(referral.unit_id),
                      concern_choices=[(c.pk, f"{c.get_trigger_display()} (due by the end of "
                                              f"{c.due_day:%d %b %Y})") for c in open_concerns],
                      initial={"made_by": request.user.pk, "concerns": [c.pk for c in open_concerns]})
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["concerns"])
        try:
            services.safeguarding_referral_record(
                actor=request.user, referral=referral, concerns=[c for c in open_concerns if c.pk in chosen],
                **form.facts())
        except services.SafeguardingInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, "Safeguarding referral recorded.")
            return redirect("safeguarding:referral", pk=referral.pk)
    return render(request, "safeguarding/record.html", {"referral": referral, "form": form,
                                                         "has_concerns": bool(open_concerns)})


@login_required
def record_revise(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_for_read(request, SafeguardingReferral.objects.select_related("referral", "made_by"),
                          capability=Capability.RECORD_SAFEGUARDING, detail={"page": "revise"}, pk=pk)
    referral = record.referral
    current = record.current()
    if current.pk != record.pk:
        messages.info(request, f"Version {record.version} has been replaced; this is version {current.version}.")
        return redirect("safeguarding:revise", pk=current.pk)
    form = ReviseForm(request.POST or None, officers=_officers(referral.unit_id), initial={
        "made_at": record.made_at, "local_authority": record.local_authority, "recipient": record.recipient,
        "made_by": record.made_by_id, "strategy_held_on": record.strategy_held_on,
        "strategy_outcome": record.strategy_outcome, "strategy_notes": record.strategy_notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.safeguarding_referral_revise(actor=request.user, record=record,
                                                  reason=form.cleaned_data["reason"], **form.facts())
        except services.SafeguardingInputError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, "New version recorded; the earlier one is kept.")
            return redirect("safeguarding:referral", pk=referral.pk)
    return render(request, "safeguarding/revise.html", {"referral": referral, "record": record, "form": form})
