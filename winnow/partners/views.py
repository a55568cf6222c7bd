"""Pages for working with other units. Thin: visibility from QuerySets (either side of a link sees it), writes from
services. A page shows one unit's own referral in full (through its own page) and the other's reference, unit and
contact only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from winnow.audit.reads import get_visible
from winnow.audit.services import AuditAction, audit_read, audit_search
from winnow.permissions import Capability, NotPermitted, can, require

from . import services
from .forms import AnswerForm, RequestForm
from .models import Deconfliction, InformationRequest, units_of


def _sides(record: Deconfliction, user: Any) -> dict[str, Any]:
    """The viewer's side and the other side of a link. A member of both units sees it from the new referral's."""
    if record.side_for(units_of(user)) == "new":
        mine, theirs, my_unit, their_unit = record.referral, record.other_referral, record.unit, record.other_unit
    else:
        mine, theirs, my_unit, their_unit = record.other_referral, record.referral, record.other_unit, record.unit
    return {"mine": mine, "theirs_reference": theirs.reference, "my_unit": my_unit, "their_unit": their_unit,
            "their_contact": services.contact_of(theirs)}


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.EXCHANGE_INFORMATION)
    units = units_of(request.user)
    records = Deconfliction.objects.visible_to(request.user).select_related(
        "referral", "other_referral", "unit", "other_unit")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    rfis = InformationRequest.objects.visible_to(request.user).select_related(
        "from_unit", "to_unit", "answer", "deconfliction")
    audit_search(request, AuditAction.PARTNERS_LIST, {"page": page.number})
    today = timezone.localdate()
    rows = [{"record": r, **_sides(r, request.user)} for r in page.object_list]
    return render(request, "partners/list.html", {
        "page": page, "rows": rows, "today": today,
        "to_answer": [r for r in rfis if r.to_unit_id in units and not r.answered],
        "sent": [r for r in rfis if r.from_unit_id in units and r.to_unit_id not in units][:100],
    })


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_visible(request, Deconfliction.objects.select_related(
        "referral__created_by", "other_referral__created_by", "unit", "other_unit"), pk=pk)
    sides = _sides(record, request.user)
    audit_read(request, record, unit_id=sides["my_unit"].pk, detail={"referral": sides["mine"].reference})
    can_ask = can(request.user, Capability.EXCHANGE_INFORMATION, sides["my_unit"].pk)
    return render(request, "partners/detail.html", {
        "record": record, **sides, "today": timezone.localdate(),
        "requests": record.requests.select_related("from_unit", "to_unit", "answer"),
        "form": RequestForm() if can_ask else None,
    })


@login_required
@require_POST
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_visible(request, Deconfliction, pk=pk)
    sides = _sides(record, request.user)
    require(request.user, Capability.EXCHANGE_INFORMATION, sides["my_unit"].pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            rfi = services.request_send(actor=request.user, record=record, from_unit_id=sides["my_unit"].pk,
                                        question=form.cleaned_data["question"], due_on=form.cleaned_data["due_on"])
        except services.PartnersInputError as exc:
            for field, reason in exc.problems:
                form.add_error(field if field in form.fields else None, reason)
        else:
            messages.success(request, f"Request RFI-{rfi.pk} sent to {rfi.to_unit.name}.")
            return redirect(rfi)
    audit_read(request, record, unit_id=sides["my_unit"].pk, detail={"referral": sides["mine"].reference})
    return render(request, "partners/detail.html", {
        "record": record, **sides, "today": timezone.localdate(), "form": form,
        "requests": record.requests.select_related("from_unit", "to_unit", "answer"),
    }, status=400)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rfi = get_visible(request, InformationRequest.objects.select_related(
        "from_unit", "to_unit", "created_by", "answer__by", "deconfliction"), pk=pk)
    units = units_of(request.user)
    asked = rfi.to_unit_id in units
    can_answer = asked and not rfi.answered and can(request.user, Capability.EXCHANGE_INFORMATION, rfi.to_unit_id)
    form = AnswerForm(request.POST or None) if can_answer else None
    if request.method == "POST":
        if form is None:
            raise NotPermitted(Capability.EXCHANGE_INFORMATION, rfi.to_unit_id,
                               f"Only {rfi.to_unit.name} answers RFI-{rfi.pk}, once.")
        if form.is_valid():
            try:
                services.request_answer(actor=request.user, rfi=rfi, answer=form.cleaned_data["answer"])
            except services.PartnersInputError as exc:
                form.add_error("answer", "; ".join(reason for _, reason in exc.problems))
            else:
                messages.success(request, f"Answer sent to {rfi.from_unit.name}.")
                return redirect(rfi)
    audit_read(request, rfi, unit_id=rfi.to_unit_id if asked else rfi.from_unit_id)
    sides = _sides(rfi.deconfliction, request.user)
    return render(request, "partners/request.html", {
        "rfi": rfi, "form": form, "asked": asked, "today": timezone.localdate(), **sides,
    }, status=400 if form is not None and form.errors else 200)
