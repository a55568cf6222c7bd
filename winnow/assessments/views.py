"""Assessment pages. Thin: visibility from QuerySets, writes from services, scoring from winnow.core.instruments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from winnow.audit.reads import get_for_read
from winnow.core.instruments import Instrument, ItemKind
from winnow.permissions import Capability, can
from winnow.referrals.models import Subject

from . import notices, services
from .forms import DecisionForm, InstrumentForm, YouthPathwayForm
from .models import Assessment
from .registry import registry


def _subject(request: HttpRequest, pk: int, page: str, capability: Capability | None = None,
             **detail: Any) -> Subject:
    """The subject, scoped to the user's units, with its read audited (the page says which view read it)."""
    return get_for_read(request, Subject.objects.select_related("referral", "referral__unit"), capability=capability,
                        detail={"page": page, **detail}, pk=pk)


_ASSESSMENTS = Assessment.objects.select_related("subject", "referral", "created_by")


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
    subject = _subject(request, pk, "assessments")
    today = timezone.localdate()
    offered, not_offered = services.instruments_offered(subject, today=today)
    return render(request, "assessments/subject.html", {
        "subject": subject,
        "referral": subject.referral,
        "age": services.subject_age(subject, today=today),
        "under_18": services.is_under_18(subject, today=today),
        "instruments": offered, "not_offered": not_offered,
        "assessments": subject.assessments.select_related("created_by").prefetch_related("decisions"),
        "youth_decisions": subject.youth_decisions.select_related("created_by"),
        "can_assess": can(request.user, Capability.ASSESS, subject.unit_id),
    })


@login_required
def assessment_new(request: HttpRequest, pk: int, instrument_id: str) -> HttpResponse:
    instrument = registry().current(instrument_id)
    if instrument is None:
        raise Http404("No such instrument")
    subject = _subject(request, pk, "assessment form", Capability.ASSESS, instrument=instrument.id)
    previous = subject.assessments.filter(instrument_id=instrument.id).latest_versions().first()
    form = InstrumentForm(
        request.POST or None, instrument=instrument,
        initial_answers=previous.answers if previous else None, initial_notes=previous.evidence if previous else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user, subject=subject, instrument_id=instrument.id, answers=form.answers(),
                evidence=form.notes(),
            )
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, f"Assessment recorded: {assessment.band_label or 'score ' + assessment.score_text()}.")
            return redirect(assessment)
    today = timezone.localdate()
    return render(request, "assessments/new.html", {
        "subject": subject, "referral": subject.referral, "instrument": instrument, "form": form,
        "previous": previous, "under_18": services.is_under_18(subject, today=today),
        "warnings": services.subject_warnings(instrument, subject, today=today),
    })


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_for_read(request, _ASSESSMENTS, detail=lambda a: {"referral": a.referral.reference}, pk=pk)
    instrument = assessment.instrument()
    answers = [(*_shown(instrument, item_id, text), text == "unknown", assessment.evidence.get(item_id, ""))
               for item_id, text in assessment.answers.items()]
    later = Assessment.objects.filter(supersedes=assessment).first()
    return render(request, "assessments/detail.html", {
        "assessment": assessment, "subject": assessment.subject, "referral": assessment.referral,
        "answers": answers, "notices": notices.for_assessment(assessment), "instrument_status": assessment.instrument_status(), "later": later,
        "decisions": assessment.decisions.select_related("supervisor"),
        "can_decide": (assessment.sets_referral_band and later is None
                       and can(request.user, Capability.DECIDE_BANDS, assessment.referral.unit_id)),
        "can_assess": instrument is not None and registry().current(assessment.instrument_id) is instrument
        and can(request.user, Capability.ASSESS, assessment.referral.unit_id),
    })


@login_required
def assessment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_for_read(request, _ASSESSMENTS, capability=Capability.DECIDE_BANDS, detail={"page": "decide"},
                              pk=pk)
    form = DecisionForm(request.POST or None, band_choices=assessment.band_choices())
    if request.method == "POST" and form.is_valid():
        try:
            services.band_decide(
                actor=request.user, assessment=assessment, decision=form.cleaned_data["decision"],
                decided_band=form.cleaned_data["decided_band"], rationale=form.cleaned_data["rationale"],
            )
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, f"Decision recorded; {assessment.referral.reference} re-prioritised.")
            return redirect(assessment)
    return render(request, "assessments/decide.html", {
        "assessment": assessment, "subject": assessment.subject, "referral": assessment.referral, "form": form,
        "notices": notices.for_assessment(assessment)})


@login_required
def youth_pathway_new(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk, "youth pathway form", Capability.ASSESS)
    form = YouthPathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.youth_pathway_record(
                actor=request.user, subject=subject,
                **form.kwargs())
        except services.AssessmentInputError as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, "Youth pathway decision recorded.")
            return redirect("assessments:subject", subject.pk)
    return render(request, "assessments/youth.html", {
        "subject": subject, "referral": subject.referral, "form": form,
        "age": services.subject_age(subject, today=timezone.localdate())})
