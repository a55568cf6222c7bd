"""Referral pages. Thin: visibility comes from QuerySets, writes from services, rules from winnow.core."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from winnow.accounts.models import CLOSE_REFERRALS, PROGRESS_REFERRALS, RECORD_REFERRALS
from winnow.audit.services import audit_read, audit_search

from . import services
from .forms import CloseForm
from .models import Identifier, IllegalTransition, Referral, Status, Subject


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = Referral.objects.visible_to(request.user).select_related("unit")
    status = request.GET.get("status", "")
    if status in Status.values:
        referrals = referrals.filter(status=status)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        referrals = referrals.filter(reference__icontains=query) | referrals.filter(source_reference__icontains=query)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    audit_search(request, "referral.list", {"status": status, "q": query, "page": page.number})
    return render(
        request,
        "referrals/list.html",
        {"page": page, "status": status, "q": query, "statuses": Status.choices,
         "can_record": bool(request.user.unit_ids(RECORD_REFERRALS))},  # type: ignore[union-attr]
    )


def _visible_referral(request: HttpRequest, pk: int) -> Referral:
    return get_object_or_404(Referral.objects.visible_to(request.user).select_related("unit", "package"), pk=pk)


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible_referral(request, pk)
    subjects = referral.subjects.prefetch_related(Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "id")))
    audit_read(request, referral, unit_id=referral.unit_id)
    user = request.user
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "subjects": subjects,
            "changes": referral.status_changes.select_related("by"),
            "can_progress": user.has_role(referral.unit_id, PROGRESS_REFERRALS),  # type: ignore[union-attr]
            "can_close": user.has_role(referral.unit_id, CLOSE_REFERRALS),  # type: ignore[union-attr]
            "next_statuses": [(s, Status(s).label) for s in referral.allowed_transitions() if s != Status.CLOSED],
        },
    )


@login_required
def referral_package(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible_referral(request, pk)
    package = referral.package
    audit_read(request, package, unit_id=referral.unit_id, detail={"referral": referral.reference})
    response = HttpResponse(bytes(package.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-package-{package.sha256[:12]}"'
    response["X-Content-SHA256"] = package.sha256
    return response


@login_required
@require_POST
def referral_transition(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible_referral(request, pk)
    if not request.user.has_role(referral.unit_id, PROGRESS_REFERRALS):  # type: ignore[union-attr]
        raise PermissionDenied("Your role does not move referrals on.")
    try:
        services.referral_transition(
            actor=request.user, referral=referral, to_status=request.POST.get("to", ""),
            request_id=request.request_id,  # type: ignore[attr-defined]
        )
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{referral.reference} is now {referral.get_status_display()}.")
    return redirect(referral)


@login_required
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible_referral(request, pk)
    if not request.user.has_role(referral.unit_id, CLOSE_REFERRALS):  # type: ignore[union-attr]
        raise PermissionDenied("Your role does not close referrals.")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_transition(
                actor=request.user, referral=referral, to_status=Status.CLOSED,
                disposition=form.cleaned_data["disposition"], reason=form.cleaned_data["reason"],
                request_id=request.request_id,  # type: ignore[attr-defined]
            )
        except IllegalTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{referral.reference} closed.")
            return redirect(referral)
    return render(request, "referrals/close.html", {"referral": referral, "form": form})


@login_required
def subject_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(Subject.objects.visible_to(request.user).select_related("referral"), pk=pk)
    audit_read(request, subject, unit_id=subject.unit_id, detail={"referral": subject.referral.reference})
    return render(
        request,
        "referrals/subject.html",
        {"subject": subject, "identifiers": subject.identifiers.all()},
    )
