"""Assessment pages. Thin: visibility from QuerySets, writes from services, scoring from winnow.core.instruments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from winnow.audit.services import audit_read
from winnow.core.instruments import Instrument, ItemKind
from winnow.referrals.models import Subject

from . import services
from .forms import DecisionForm, InstrumentForm, YouthPathwayForm
from .models import Assessment
from .registry import registry


def _subject(request: HttpRequest, pk: int) -> Subject:
    return get_object_or_404(Subject.objects.visible_to(request.user).select_related("referral", "referral__unit"),
                             pk=pk)


def _require(request: HttpRequest, unit_id: int, roles: frozenset[Any], what: str) -> None:
    if not request.user.has_role(unit_id, roles):  # type: ignore[union-attr]
        raise PermissionDenied(f"Your role does not {what}.")


def _shown(instrument: Instrument | None, item_id: str, text: str) -> tuple[str, str]:
    """(question, answer) for display; the item id and raw text when the file that scored it is not loaded."""
    if instrument is None:
        return item_id, text
    item = instrument.item(item_id)
    if text == "unknown":
        return item.question, "Unknown"
    if item.kind is ItemKind.YESNO:
        return item.question, {"yes": "Yes", "no": "No"}.get(text, text)
    if item.kind is ItemKind.CHOICE:
        return item.question, item.option_label(text)
    return item.question, text


@login_required
def subject_assessments(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    audit_read(request, subject, unit_id=subject.unit_id, detail={"page": "assessments"})
    today = timezone.localdate()
    return render(request, "assessments/subject.html", {
        "subject": subject,
        "referral": subject.referral,
        "age": services.subject_age(subject, today=today),
        "under_18": services.is_under_18(subject, today=today),
        "instruments": registry().instruments(),
        "assessments": subject.assessments.select_related("created_by").prefetch_related("decisions"),
        "youth_decisions": subject.youth_decisions.select_related("created_by"),
        "can_assess": request.user.has_role(subject.unit_id, services.ASSESS),  # type: ignore[union-attr]
    })


@login_required
def assessment_new(request: HttpRequest, pk: int, instrument_id: str) -> HttpResponse:
    subject = _subject(request, pk)
    _require(request, subject.unit_id, services.ASSESS, "complete assessments")
    instrument = registry().current(instrument_id)
    if instrument is None:
        raise Http404("No such instrument")
    previous = subject.assessments.filter(instrument_id=instrument.id).latest_versions().first()
    form = InstrumentForm(
        request.POST or None, instrument=instrument,
        initial_answers=previous.answers if previous else None, initial_notes=previous.evidence if previous else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user, subject=subject, instrument_id=instrument.id, answers=form.answers(),
                evidence=form.notes(), request_id=request.request_id,  # type: ignore[attr-defined]
            )
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, f"Assessment recorded: {assessment.band_label or 'score ' + assessment.score_text()}.")
            return redirect(assessment)
    if request.method != "POST":
        audit_read(request, subject, unit_id=subject.unit_id, detail={"page": "assessment form",
                                                                      "instrument": instrument.id})
    today = timezone.localdate()
    return render(request, "assessments/new.html", {
        "subject": subject, "referral": subject.referral, "instrument": instrument, "form": form,
        "previous": previous, "under_18": services.is_under_18(subject, today=today),
        "warnings": services.subject_warnings(instrument, subject, today=today),
    })


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related("subject", "referral", "created_by"), pk=pk)
    audit_read(request, assessment, unit_id=assessment.referral.unit_id,
               detail={"referral": assessment.referral.reference})
    instrument = assessment.instrument()
    answers = [(*_shown(instrument, item_id, text), text == "unknown", assessment.evidence.get(item_id, ""))
               for item_id, text in assessment.answers.items()]
    later = Assessment.objects.filter(supersedes=assessment).first()
    return render(request, "assessments/detail.html", {
        "assessment": assessment, "subject": assessment.subject, "referral": assessment.referral,
        "answers": answers, "instrument_status": assessment.instrument_status(), "later": later,
        "decisions": assessment.decisions.select_related("supervisor"),
        "can_decide": (assessment.sets_referral_band and later is None
                       and request.user.has_role(assessment.referral.unit_id, services.DECIDE_BANDS)),  # type: ignore[union-attr]
        "can_assess": instrument is not None and registry().current(assessment.instrument_id) is instrument
        and request.user.has_role(assessment.referral.unit_id, services.ASSESS),  # type: ignore[union-attr]
    })


@login_required
def assessment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related("subject", "referral"), pk=pk)
    _require(request, assessment.referral.unit_id, services.DECIDE_BANDS, "confirm or override bands")
    form = DecisionForm(request.POST or None, band_choices=assessment.band_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.band_decide(
                actor=request.user, assessment=assessment, decision=form.cleaned_data["decision"],
                decided_band=form.cleaned_data["decided_band"], rationale=form.cleaned_data["rationale"],
                request_id=request.request_id,  # type: ignore[attr-defined]
            )
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, f"Decision recorded; {assessment.referral.reference} re-prioritised.")
            return redirect(assessment)
    if request.method != "POST":
        audit_read(request, assessment, unit_id=assessment.referral.unit_id, detail={"page": "decide"})
    return render(request, "assessments/decide.html", {
        "assessment": assessment, "subject": assessment.subject, "referral": assessment.referral, "form": form})


@login_required
def youth_pathway_new(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    _require(request, subject.unit_id, services.ASSESS, "record the youth pathway")
    form = YouthPathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.youth_pathway_record(
                actor=request.user, subject=subject, request_id=request.request_id,  # type: ignore[attr-defined]
                **form.kwargs())
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, "Youth pathway decision recorded.")
            return redirect("assessments:subject", subject.pk)
    if request.method != "POST":
        audit_read(request, subject, unit_id=subject.unit_id, detail={"page": "youth pathway form"})
    return render(request, "assessments/youth.html", {
        "subject": subject, "referral": subject.referral, "form": form,
        "age": services.subject_age(subject, today=timezone.localdate())})
