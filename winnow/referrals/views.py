"""Referral pages. Thin: visibility comes from QuerySets, writes from services, rules from winnow.core."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from winnow.accounts.models import Unit
from winnow.audit.reads import audit_read_of, get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_search
from winnow.core.intake import IntakeError, csv_template, referral_from_mapping
from winnow.permissions import Capability, can, require_units

from . import services
from .forms import CloseForm, ImportForm, ReferralForm
from .models import Identifier, IllegalTransition, Referral, Status, Subject


def _recording_units(request: HttpRequest) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=require_units(request.user, Capability.RECORD_REFERRALS)))


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
    audit_search(request, AuditAction.REFERRAL_LIST, {"status": status, "q": query, "page": page.number})
    return render(
        request,
        "referrals/list.html",
        {"page": page, "status": status, "q": query, "statuses": Status.choices,
         "can_record": can(request.user, Capability.RECORD_REFERRALS)},
    )


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    units = _recording_units(request)
    form = ReferralForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        mapping = form.as_mapping()
        try:
            draft = referral_from_mapping(mapping, now=timezone.now())
            referral = services.referral_record(
                actor=request.user,
                unit=unit,
                draft=draft,
                raw=services.canonical_json({"unit": unit.code, **mapping}),
                media_type="application/json",
                via="form",
                request_id=request.request_id,  # type: ignore[attr-defined]
            )
        except IntakeError as exc:
            form.add_intake_errors(exc.errors)
        else:
            messages.success(request, f"Referral {referral.reference} recorded.")
            return redirect(referral)
    return render(request, "referrals/new.html", {"form": form})


@login_required
def referral_import(request: HttpRequest) -> HttpResponse:
    units = _recording_units(request)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        upload = form.cleaned_data["file"]
        limit = settings.WINNOW_IMPORT_MAX_BYTES
        if upload.size > limit:
            errors.append(f"{upload.name}: the file is {upload.size:,} bytes; the limit is {limit:,} bytes. Nothing was imported.")
        else:
            try:
                result = services.referrals_import(
                    actor=request.user,
                    unit=unit,
                    filename=upload.name,
                    content=upload.read(),
                    max_bytes=limit,
                    request_id=request.request_id,  # type: ignore[attr-defined]
                )
            except IntakeError as exc:
                errors = [f"{upload.name}: {error}" for error in exc.errors]
                errors.append("Nothing was imported: correct the file and upload it again.")
            else:
                if result.created:
                    messages.success(request, f"{upload.name}: {result.referral_count} referrals imported.")
                else:
                    messages.info(
                        request,
                        f"{upload.name} was already imported on "
                        f"{timezone.localtime(result.batch.created_at):%d %b %Y %H:%M} "
                        f"({result.referral_count} referrals). Nothing new was created.",
                    )
                return redirect("referrals:list")
    return render(request, "referrals/import.html", {"form": form, "errors": errors})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="winnow-referrals-template.csv"'
    return response


_REFERRALS = Referral.objects.select_related("unit", "package")


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_for_read(request, _REFERRALS, pk=pk)
    subjects = referral.subjects.prefetch_related(Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "id")))
    user = request.user
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "subjects": subjects,
            "changes": referral.status_changes.select_related("by"),
            "can_progress": can(user, Capability.PROGRESS_REFERRALS, referral.unit_id),
            "can_close": can(user, Capability.CLOSE_REFERRALS, referral.unit_id),
            "next_statuses": [(s, Status(s).label) for s in referral.allowed_transitions() if s != Status.CLOSED],
        },
    )


@login_required
def referral_package(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_visible(request, _REFERRALS, pk=pk)
    package = referral.package
    audit_read_of(request, package, detail={"referral": referral.reference})
    response = HttpResponse(bytes(package.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-package-{package.sha256[:12]}"'
    response["X-Content-SHA256"] = package.sha256
    return response


@login_required
@require_POST
def referral_transition(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_visible(request, _REFERRALS, capability=Capability.PROGRESS_REFERRALS, pk=pk)
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
    referral = get_for_read(request, _REFERRALS, capability=Capability.CLOSE_REFERRALS, detail={"page": "close"}, pk=pk)
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
    subject = get_for_read(request, Subject.objects.select_related("referral"),
                           detail=lambda s: {"referral": s.referral.reference}, pk=pk)
    return render(
        request,
        "referrals/subject.html",
        {"subject": subject, "identifiers": subject.identifiers.all()},
    )
