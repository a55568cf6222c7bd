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
from winnow.audit.reads import get_for_read
from winnow.core.cybertipline import DEFAULT_LIMITS, CyberTiplineError
from winnow.core.intake import IntakeError, csv_template, referral_from_mapping
from winnow.permissions import Capability, require_units
from winnow.referrals.models import IntakeCorrection, Referral

from . import corrections, services
from .cybertip import cybertipline_import, parse_upload
from .forms import CorrectionForm, CyberTiplineForm, ImportForm, ReferralForm


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
                                         immediate_danger=form.cleaned_data["immediate_danger"])
        except CyberTiplineError as exc:
            where = exc.document + (f", element {exc.element_path}" if exc.element_path else "")
            errors = [f"{where}: {exc.reason}", "Nothing was imported."]
        else:
            if result.created:
                messages.success(request, f"CyberTipline package imported as referral {result.referral.reference}.")
            else:
                messages.info(request, f"This package was already imported as {result.referral.reference}. "
                                       "Nothing new was created.")
            return redirect(result.referral)
    return render(request, "intake/cybertipline.html", {"form": form, "errors": errors})




@login_required
def referral_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one intake fact (?fact=..., and &subject=... for a person's details) as a new record."""
    referral = get_for_read(request, Referral.objects.select_related("unit"), capability=Capability.PROGRESS_REFERRALS,
                            detail={"page": "correct"}, pk=pk)
    fact = request.GET.get("fact", "")
    if fact not in IntakeCorrection.Field.values:
        return render(request, "intake/correct_choose.html", {
            "referral": referral, "facts": [(f, label) for f, label in IntakeCorrection.Field.choices
                                            if f in IntakeCorrection.REFERRAL_FIELDS],
            "subject_facts": [(f, label) for f, label in IntakeCorrection.Field.choices
                              if f not in IntakeCorrection.REFERRAL_FIELDS],
            "subjects": list(referral.subjects.all()),
        })
    subject = None
    if fact not in IntakeCorrection.REFERRAL_FIELDS:
        subject_id = request.GET.get("subject", "")
        subject = referral.subjects.filter(pk=int(subject_id)).first() if subject_id.isdigit() else None
        if subject is None:
            messages.error(request, "Choose the person whose details you are correcting.")
            return redirect("intake:correct", pk=referral.pk)
    form = CorrectionForm(request.POST or None, fact=fact)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.referral_correct(actor=request.user, referral=referral, field=fact, subject=subject,
                                         value=form.cleaned_data["value"], reason=form.cleaned_data["reason"])
        except corrections.CorrectionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        else:
            messages.success(request, f"{IntakeCorrection.Field(fact).label} corrected on {referral.reference}. "
                                      "The recorded value is kept beside it.")
            return redirect(referral)
    return render(request, "intake/correct.html", {
        "referral": referral, "form": form, "fact": IntakeCorrection.Field(fact), "subject": subject,
        "current": IntakeCorrection.display(corrections.current_value(referral, fact, subject)),
    })
