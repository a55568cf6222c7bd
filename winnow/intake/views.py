"""Recording pages: one referral (form), a CSV/JSON file, a CyberTipline package. Thin: every channel records
through winnow.intake.services, which applies the one set of intake rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.core.cybertipline import DEFAULT_LIMITS, CyberTiplineError
from winnow.core.intake import IntakeError, csv_template, referral_from_mapping
from winnow.permissions import Capability, require_units

from . import services
from .cybertip import cybertipline_import, parse_upload
from .forms import CyberTiplineForm, ImportForm, ReferralForm


def _recording_units(request: HttpRequest) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=require_units(request.user, Capability.RECORD_REFERRALS)))


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
            )
        except IntakeError as exc:
            form.add_intake_errors(exc.errors)
        else:
            messages.success(request, f"Referral {referral.reference} recorded.")
            return redirect(referral)
    return render(request, "intake/new.html", {"form": form})


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
    return render(request, "intake/import.html", {"form": form, "errors": errors})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="winnow-referrals-template.csv"'
    return response


@login_required
def cybertipline_upload(request: HttpRequest) -> HttpResponse:
    units = _recording_units(request)
    form = CyberTiplineForm(request.POST or None, request.FILES or None, units=units)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        uploads = form.cleaned_data["files"]
        try:
            documents = []
            for upload in uploads:
                limit = DEFAULT_LIMITS.max_zip_bytes if len(uploads) == 1 else DEFAULT_LIMITS.max_document_bytes
                if upload.size > limit:  # checked before reading: a 200 MB upload is never read into memory
                    raise CyberTiplineError(upload.name, "", f"{upload.size:,} bytes; at most {limit:,} allowed")
                documents.append((upload.name, upload.read(limit + 1)))
            package, zip_content, zip_name = parse_upload(documents, report_id=form.cleaned_data["report_id"])
            result = cybertipline_import(actor=request.user, unit=unit, package=package, zip_content=zip_content,
                                         zip_name=zip_name,
                                         )
        except CyberTiplineError as exc:
            where = exc.document + (f", element {exc.element_path}" if exc.element_path else "")
            errors = [f"{where}: {exc.reason}", "Nothing was imported."]
        else:
            if result.created:
                messages.success(request, f"CyberTipline package imported as referral {result.referral.reference}.")
            else:
                messages.info(request, f"This package was already imported as {result.referral.reference}. "
                                       "Nothing new was created.")
            if result.warnings:
                messages.warning(request, f"{len(result.warnings)} element(s) or attribute(s) of the package were "
                                          "not read; they are kept in the stored documents and listed on the "
                                          "referral.")
            return redirect(result.referral)
    return render(request, "intake/cybertipline.html", {"form": form, "errors": errors})


