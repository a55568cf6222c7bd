"""Assessments in the JSON API (/api/v1/assessments/...): list instruments, submit and read assessments, decide bands.

Added to `winnow.api.api.api` by one `add_router` line at the end of that module, which is always imported first
(by winnow.urls); the same error shape and token authentication apply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status as Reply

from winnow.audit.reads import get_for_read, get_visible
from winnow.errors import ErrorOut, error_response
from winnow.permissions import Capability, require
from winnow.referrals.models import Subject

from . import services
from .models import Assessment
from .registry import registry

router = Router(tags=["assessments"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_NOT_ITEMS = {"instrument", "assessment", "subject", "decision", "decided_band", "rationale"}


def _invalid(request: HttpRequest, exc: services.AssessmentInputError, what: str) -> HttpResponse:
    details = [
        {"field": where if ("." in where or where in _NOT_ITEMS) else f"answers.{where}", "reason": reason}
        for where, reason in exc.problems
    ]
    return error_response(request, 400, "invalid", f"The {what} is not valid; nothing was written.", details)


class OptionOut(Schema):
    id: str
    label: str


class ItemOut(Schema):
    id: str
    kind: str
    section: str
    question: str
    help: str
    options: list[OptionOut]
    minimum: int | None
    maximum: int | None
    unverified: bool


class InstrumentOut(Schema):
    id: str
    version: str
    title: str
    sha256: str
    status: str
    notice: str
    sets_referral_band: bool
    items: list[ItemOut]


class AssessmentIn(Schema):
    subject: int
    instrument: str
    answers: dict[str, Any] = {}
    evidence: dict[str, Any] = {}


class DecisionIn(Schema):
    decision: str
    rationale: str
    decided_band: str = ""


class DecisionOut(Schema):
    id: int
    decision: str
    computed_band: str
    decided_band: str
    rationale: str
    supervisor: str
    created_at: datetime

    @staticmethod
    def resolve_supervisor(obj: Any) -> str:
        return str(obj.supervisor.get_username())


class DriverOut(Schema):
    item: str
    question: str
    answer: str


class AssessmentOut(Schema):
    id: int
    referral_id: int
    subject_id: int
    instrument_id: str
    instrument_version: str
    instrument_sha256: str
    instrument_title: str
    instrument_notice: str
    instrument_status: str
    version: int
    supersedes_id: int | None
    answers: dict[str, str]
    evidence: dict[str, str]
    band: str
    band_label: str
    score: int | None
    score_max: int | None
    decided_by: str
    rule_id: str
    drivers: list[DriverOut]
    explanation: list[str]
    unknown_count: int
    unknown_items: list[str]
    rests_on_unknowns: bool
    not_scorable_reason: str
    applicability_warnings: list[str]
    created_by: str
    created_at: datetime
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_instrument_status(obj: Assessment) -> str:
        return obj.instrument_status()

    @staticmethod
    def resolve_created_by(obj: Assessment) -> str:
        return str(obj.created_by.get_username())

    @staticmethod
    def resolve_decisions(obj: Assessment) -> list[Any]:
        return list(obj.decisions.select_related("supervisor"))


@router.get("/instruments", response={200: list[InstrumentOut], **ERRORS}, summary="List the loaded instruments")
def list_instruments(request: HttpRequest) -> Any:
    return [
        {
            "id": i.id, "version": i.version, "title": i.title, "sha256": i.sha256, "status": i.provenance.status,
            "notice": i.provenance.notice, "sets_referral_band": i.sets_referral_priority,
            "items": [
                {"id": it.id, "kind": it.kind.value, "section": it.section, "question": it.question, "help": it.help,
                 "options": [{"id": o.id, "label": o.label} for o in it.options], "minimum": it.minimum,
                 "maximum": it.maximum, "unverified": it.unverified}
                for it in i.items
            ],
        }
        for i in registry().instruments()
    ]


@router.post("", response={201: AssessmentOut, **ERRORS}, summary="Submit an assessment of a subject")
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Any:
    subject = get_visible(request, Subject, pk=payload.subject)
    require(request.user, Capability.ASSESS, subject.unit_id, "Your role does not complete assessments.")
    try:
        assessment = services.assessment_record(
            actor=request.user, subject=subject, instrument_id=payload.instrument, answers=payload.answers,
            evidence=payload.evidence,
        )
    except services.AssessmentInputError as exc:
        return _invalid(request, exc, "assessment")
    return Reply(201, assessment)


@router.get("/{assessment_id}", response={200: AssessmentOut, **ERRORS}, summary="Read an assessment")
def get_assessment(request: HttpRequest, assessment_id: int) -> Any:
    return get_for_read(request, Assessment.objects.select_related("referral", "created_by"), detail={"via": "api"},
                        pk=assessment_id)


@router.post("/{assessment_id}/decisions", response={201: DecisionOut, **ERRORS},
             summary="Confirm or override an assessment's band (supervisors of the referral's unit)")
def decide(request: HttpRequest, assessment_id: int, payload: DecisionIn) -> Any:
    assessment = get_visible(request, Assessment.objects.select_related("referral"), pk=assessment_id)
    try:
        decision = services.band_decide(
            actor=request.user, assessment=assessment, decision=payload.decision, rationale=payload.rationale,
            decided_band=payload.decided_band,
        )
    except services.AssessmentInputError as exc:
        return _invalid(request, exc, "decision")
    return Reply(201, decision)
