"""Safeguarding in the JSON API (/api/v1/safeguarding/...): what is due, one referral's safeguarding, recording a
safeguarding referral and a new version of one. The same rules as the pages: another unit's referral is a 404, a
role that does not record safeguarding referrals a 403 naming the capability, no token a 401.

Added to `winnow.api.api.api` by one `add_router` line; the same error shape and token authentication apply.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply

from winnow.accounts.models import User
from winnow.audit.reads import get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_search
from winnow.errors import ErrorOut, StrictQuery, error_response
from winnow.permissions import Capability, require, require_units
from winnow.referrals.models import Referral

from . import services
from .models import Concern, SafeguardingReferral

router = Router(tags=["safeguarding"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PAGE_SIZE = 100


def _invalid(request: HttpRequest, exc: services.SafeguardingInputError) -> HttpResponse:
    return error_response(request, 400, "invalid", "The safeguarding referral is not valid; nothing was written.",
                          [{"field": field, "reason": reason} for field, reason in exc.problems])


class ConcernOut(Schema):
    id: int
    referral_id: int
    reference: str
    trigger: str
    trigger_label: str
    subject_id: int | None
    reason: str
    raised_at: datetime
    raised_by: str
    due_at: datetime
    state: str
    standing: str

    @staticmethod
    def resolve_reference(obj: Concern) -> str:
        return obj.referral.reference

    @staticmethod
    def resolve_trigger_label(obj: Concern) -> str:
        return obj.get_trigger_display()

    @staticmethod
    def resolve_raised_by(obj: Concern) -> str:
        return str(obj.raised_by.get_username())

    @staticmethod
    def resolve_state(obj: Concern) -> str:
        return obj.standing(timezone.now()).state.value

    @staticmethod
    def resolve_standing(obj: Concern) -> str:
        return obj.standing(timezone.now()).text


class ConcernPage(Schema):
    count: int
    page: int
    results: list[ConcernOut]


class ConcernFilters(StrictQuery):
    show: Literal["open", "overdue", "all"] = Field(
        "open", description="open: no safeguarding referral yet; overdue: past the deadline with none; all")
    page: int = Field(1, ge=1, le=100_000, description="Page number, 1 to 100,000 (100 a page)")


class RecordOut(Schema):
    id: int
    first_id: int
    version: int
    supersedes_id: int | None
    made_at: datetime
    local_authority: str
    recipient: str
    made_by: str
    strategy_held_on: date | None
    strategy_outcome: str
    strategy_notes: str
    reason: str
    recorded_at: datetime
    recorded_by: str
    concerns: list[int]

    @staticmethod
    def resolve_made_by(obj: SafeguardingReferral) -> str:
        return str(obj.made_by.get_username())

    @staticmethod
    def resolve_recorded_by(obj: SafeguardingReferral) -> str:
        return str(obj.recorded_by.get_username())

    @staticmethod
    def resolve_concerns(obj: SafeguardingReferral) -> list[int]:
        return sorted(obj.first().covers.values_list("concern_id", flat=True))


class ReferralSafeguardingOut(Schema):
    referral_id: int
    reference: str
    concerns: list[ConcernOut]
    records: list[RecordOut] = Field(description="Every version of every safeguarding referral, oldest first")


Outcome = Literal["", "section_47", "section_17", "immediate_protection", "no_further_action", "other"]


class FactsIn(Schema):
    made_at: datetime = Field(description="When the referral was made: ISO 8601 with an offset")
    local_authority: str = Field(max_length=200, description="To whom: the local authority")
    recipient: str = Field(max_length=200, description="To whom: the team or person")
    made_by: str = Field("", max_length=150, description="The officer's username (default: you)")
    strategy_held_on: date | None = None
    strategy_outcome: Outcome = ""
    strategy_notes: str = Field("", max_length=5000)


class RecordIn(FactsIn):
    concerns: list[int] = Field([], max_length=100, description="Ids of this referral's concerns it answers")


class VersionIn(FactsIn):
    reason: str = Field(max_length=5000, description="Why: a correction, or the strategy discussion held")


def _facts(request: HttpRequest, payload: FactsIn) -> dict[str, Any]:
    made_by = (User.objects.filter(username=payload.made_by).first() if payload.made_by else request.user)
    return {"made_at": payload.made_at, "local_authority": payload.local_authority, "recipient": payload.recipient,
            "made_by": made_by, "strategy_held_on": payload.strategy_held_on,
            "strategy_outcome": payload.strategy_outcome, "strategy_notes": payload.strategy_notes}


def _concerns(queryset: Any) -> Any:
    return queryset.select_related("referral", "raised_by").prefetch_related(
        "coverage__safeguarding_referral__versions", "coverage__safeguarding_referral__original")


@router.get("/concerns", response={200: ConcernPage, **ERRORS},
            summary="Children identified as at risk in your units, and whether their safeguarding referral is due")
def list_concerns(request: HttpRequest, filters: Query[ConcernFilters]) -> Any:
    units = require_units(request.user, Capability.RECORD_SAFEGUARDING)
    concerns = Concern.objects.visible_to(request.user).filter(unit_id__in=units)
    if filters.show == "open":
        concerns = concerns.uncovered()
    elif filters.show == "overdue":
        concerns = concerns.overdue(timezone.now())
    page = filters.page
    audit_search(request, AuditAction.SAFEGUARDING_LIST, {"show": filters.show, "page": page, "via": "api"})
    ordered = _concerns(concerns.order_by("due_at", "id"))
    return {"count": concerns.count(), "page": page,
            "results": list(ordered[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])}


def _referral_out(referral: Referral) -> dict[str, Any]:
    records = list(SafeguardingReferral.objects.filter(referral=referral)
                   .select_related("made_by", "recorded_by", "original").order_by("recorded_at", "id"))
    return {"referral_id": referral.pk, "reference": referral.reference,
            "concerns": list(_concerns(Concern.objects.filter(referral=referral))), "records": records}


@router.get("/referrals/{referral_id}", response={200: ReferralSafeguardingOut, **ERRORS},
            summary="One referral's children at risk and safeguarding referrals (every version)")
def get_referral_safeguarding(request: HttpRequest, referral_id: int) -> Any:
    referral = get_for_read(request, Referral, action=AuditAction.REFERRAL_SAFEGUARDING_READ,
                            detail={"via": "api"}, pk=referral_id)
    return _referral_out(referral)


@router.post("/referrals/{referral_id}/records", response={201: RecordOut, **ERRORS},
             summary="Record a safeguarding referral made to children's social care")
def record_safeguarding_referral(request: HttpRequest, referral_id: int, payload: RecordIn) -> Any:
    referral = get_visible(request, Referral, pk=referral_id)
    require(request.user, Capability.RECORD_SAFEGUARDING, referral.unit_id)
    concerns = list(Concern.objects.filter(referral=referral, pk__in=payload.concerns))
    if len(concerns) != len(set(payload.concerns)):
        return error_response(request, 400, "invalid", "The safeguarding referral is not valid; nothing was written.",
                              [{"field": "concerns", "reason": "name concerns raised on this referral"}])
    try:
        record = services.safeguarding_referral_record(actor=request.user, referral=referral, concerns=concerns,
                                                       **_facts(request, payload))
    except services.SafeguardingInputError as exc:
        return _invalid(request, exc)
    return Reply(201, record)


@router.post("/records/{record_id}/versions", response={201: RecordOut, **ERRORS},
             summary="A new version of a safeguarding referral: a correction, or its strategy discussion")
def revise_safeguarding_referral(request: HttpRequest, record_id: int, payload: VersionIn) -> Any:
    record = get_visible(request, SafeguardingReferral.objects.select_related("referral"), pk=record_id)
    require(request.user, Capability.RECORD_SAFEGUARDING, record.unit_id)
    try:
        revised = services.safeguarding_referral_revise(actor=request.user, record=record, reason=payload.reason,
                                                        **_facts(request, payload))
    except services.SafeguardingInputError as exc:
        return _invalid(request, exc)
    return Reply(201, revised)

