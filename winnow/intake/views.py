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
from winnow.core.cybertipline import DEFAULT_LIMITS
from winnow.core.intake import IntakeError, csv_template, referral_from_mapping
from winnow.core.intake.mapping import subject_from_mapping
from winnow.permissions import Capability, require_units
from winnow.referrals.models import IntakeCorrection, Referral, Status
from winnow.worker.jobs import job_create
from winnow.worker.models import Job

from . import corrections, services
from .forms import AddSubjectForm, CorrectionForm, CyberTiplineForm, ImportForm, ReferralForm


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
    """Checks the form and the size here; the worker parses and imports the file (winnow.intake.jobs)."""
    units = _recording_units(request)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.WINNOW_IMPORT_MAX_BYTES
        if upload.size > limit:
            errors.append(f"{upload.name}: the file is {upload.size:,} bytes; the limit is {limit:,} bytes. Nothing was imported.")
        else:
            job = job_create(actor=request.user, kind=Job.Kind.REFERRAL_IMPORT, unit_id=form.cleaned_data["unit"],
                             uploads=[upload], params={})
            return redirect(job)
    return render(request, "intake/import.html", {"form": form, "errors": errors})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="winnow-referrals-template.csv"'
    return response


@login_required
def cybertipline_upload(request: HttpRequest) -> HttpResponse:
    """Checks the form and the sizes here; the worker parses and imports the package (winnow.intake.jobs)."""
    units = _recording_units(request)
    form = CyberTiplineForm(request.POST or None, request.FILES or None, units=units)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["files"]
        limit = DEFAULT_LIMITS.max_zip_bytes if len(uploads) == 1 else DEFAULT_LIMITS.max_document_bytes
        for upload in uploads:
            if upload.size > limit:  # checked before storing
                errors = [f"{upload.name}: {upload.size:,} bytes; at most {limit:,} allowed", "Nothing was imported."]
                break
        else:
            job = job_create(actor=request.user, kind=Job.Kind.CYBERTIPLINE, unit_id=form.cleaned_data["unit"],
                             uploads=uploads, params={"report_id": form.cleaned_data["report_id"],
                                                      "immediate_danger": bool(form.cleaned_data["immediate_danger"])})
            return redirect(job)
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


@login_required
def subject_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to a referral already recorded (identified by a subscriber check, a second suspect), with how
    they were identified; who may correct its intake facts may add them."""
    referral = get_for_read(request, Referral.objects.select_related("unit"), capability=Capability.PROGRESS_REFERRALS,
                            detail={"page": "add a person"}, pk=pk)
    if referral.status == Status.CLOSED:
        messages.error(request, f"{referral.reference} is closed: people are not added to a closed referral.")
        return redirect(referral)
    form = AddSubjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = subject_from_mapping(form.as_mapping(), now=timezone.now())
            subject = services.subject_add(actor=request.user, referral=referral, draft=draft,
                                           reason=form.cleaned_data["reason"])
        except IntakeError as exc:
            form.add_intake_errors(exc.errors)
        else:
            messages.success(request, f"{subject.display_name} added to {referral.reference}. Assess them under "
                                      "Assessments below.")
            return redirect(f"{referral.get_absolute_url()}#person-{subject.pk}")
    return render(request, "intake/add_subject.html", {"referral": referral, "form": form,
                                                       "subjects": list(referral.subjects.all())})
