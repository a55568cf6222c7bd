"""Transfer requests in the JSON API (/api/v1/transfers): list, request, read, decide, with the pages' persona rules
(the sending unit's supervisors request, the receiving unit's decide; other units get 404). Errors use the API's one
shape (handlers in winnow.api.api); a request the referral's state refuses (closed, already awaiting a decision,
assigned with nobody named to take it over) is a 409 whose message says why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from winnow.accounts.models import Unit, User
from winnow.audit.reads import get_visible
from winnow.audit.services import AuditAction, audit_read, audit_search
from winnow.errors import ErrorOut, error_response
from winnow.referrals.models import Referral

from .models import Transfer
from .services import TransferError, transfer_decide, transfer_request

router = Router(tags=["transfers"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


class DecisionOut(Schema):
    accepted: bool
    reason: str
    decided_by: str
    decided_at: datetime
    deadline_before: datetime | None
    deadline_after: datetime | None


class TransferOut(Schema):
    id: int
    referral_id: int
    reference: str
    from_unit: str
    to_unit: str
    reason: str
    requested_by: str
    requested_at: datetime
    outcome: str
    decision: DecisionOut | None


class TransferIn(Schema):
    referral_id: int = Field(ge=1, le=2**62)
    to_unit: str = Field(min_length=1, max_length=20, description="The receiving unit's code")
    reason: str = Field(min_length=1, max_length=5000)


class DecisionIn(Schema):
    accept: bool
    reason: str = Field(min_length=1, max_length=5000)
    assignee: str | None = Field(None, max_length=150, description="Username of who takes it over in the receiving "
                                 "unit; needed when the referral is assigned to an officer in the sending unit")


def _out(t: Transfer) -> dict[str, Any]:
    d = getattr(t, "decision", None)
    return {
        "id": t.pk, "referral_id": t.referral_id, "reference": t.referral.reference, "from_unit": t.from_unit.code,
        "to_unit": t.to_unit.code, "reason": t.reason, "requested_by": t.requested_by.get_username(),
        "requested_at": t.requested_at, "outcome": t.outcome,
        "decision": None if d is None else {
            "accepted": d.accepted, "reason": d.reason, "decided_by": d.decided_by.get_username(),
            "decided_at": d.decided_at, "deadline_before": d.deadline_before, "deadline_after": d.deadline_after},
    }


def _transfers() -> Any:
    return Transfer.objects.select_related("referral", "from_unit", "to_unit", "requested_by", "decision__decided_by")


def _invalid(request: HttpRequest, field: str, reason: str) -> HttpResponse:
    return error_response(request, 400, "invalid", "The request is not valid; nothing was written.",
                          [{"field": field, "reason": reason}])


def _conflict(request: HttpRequest, exc: TransferError) -> HttpResponse:
    return error_response(request, 409, "conflict", f"{exc}; nothing was written.")


@router.get("", response={200: list[TransferOut], **ERRORS}, summary="Transfers from or to your units")
def list_transfers(request: HttpRequest) -> Any:
    transfers = list(_transfers().visible_to(request.user)[:500])
    audit_search(request, AuditAction.TRANSFER_LIST, {"via": "api", "count": len(transfers)})
    return [_out(t) for t in transfers]


@router.post("", response={201: TransferOut, **WRITE_ERRORS},
             summary="Ask another unit to take a referral over (a supervisor of the referral's unit)")
def request_transfer(request: HttpRequest, payload: TransferIn) -> Any:
    referral = get_visible(request, Referral, pk=payload.referral_id)
    if not payload.reason.strip():
        return _invalid(request, "reason", "say why the referral should be transferred")
    to_unit = Unit.objects.filter(code=payload.to_unit).first()
    if to_unit is None:
        return _invalid(request, "to_unit", "no unit with that code")
    try:
        transfer = transfer_request(actor=request.user, referral=referral, to_unit=to_unit,  # type: ignore[arg-type]
                                    reason=payload.reason)
    except TransferError as exc:
        return _conflict(request, exc)
    return Reply(201, _out(_transfers().get(pk=transfer.pk)))


@router.get("/{transfer_id}", response={200: TransferOut, **ERRORS}, summary="Read a transfer")
def get_transfer(request: HttpRequest, transfer_id: int) -> Any:
    transfer = get_visible(request, _transfers(), pk=transfer_id)
    reader_unit = transfer.to_unit_id if transfer.to_unit_id in request.user.unit_ids() else transfer.from_unit_id  # type: ignore[union-attr]
    audit_read(request, transfer, unit_id=reader_unit, action=AuditAction.TRANSFER_READ,
               detail={"via": "api", "referral": transfer.referral.reference})
    return _out(transfer)


@router.post("/{transfer_id}/decision", response={200: TransferOut, **WRITE_ERRORS},
             summary="Accept or decline a transfer (a supervisor of the receiving unit)")
def decide_transfer(request: HttpRequest, transfer_id: int, payload: DecisionIn) -> Any:
    transfer = get_visible(request, _transfers(), pk=transfer_id)
    if not payload.reason.strip():
        return _invalid(request, "reason", "say why the transfer is accepted or declined")
    assignee = None
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None:
            return _invalid(request, "assignee", "no active user with that username")
    try:
        transfer_decide(actor=request.user, transfer=transfer, accept=payload.accept,  # type: ignore[arg-type]
                        reason=payload.reason, assignee=assignee)
    except TransferError as exc:
        return _conflict(request, exc)
    return _out(_transfers().get(pk=transfer.pk))
