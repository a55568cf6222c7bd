"""Requests for information in the JSON API (/api/v1/partners/...). Errors use the API's one shape (handlers in
winnow.api.api): another unit's request is a 404, a role that may not exchange information a 403, bad input a 400
naming the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply

from winnow.audit.reads import get_visible
from winnow.audit.services import AuditAction, audit_read, audit_search
from winnow.errors import ErrorOut, StrictQuery, error_response
from winnow.permissions import Capability, NotPermitted, require

from . import services
from .models import Deconfliction, InformationRequest, units_of

router = Router(tags=["partners"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RequestIn(Schema):
    link: int = Field(description="The cross-unit link (deconfliction) the request is about")
    question: str = Field(max_length=5000)
    due_on: date | None = Field(None, description="Answer needed by; empty for the usual deadline")


class AnswerIn(Schema):
    answer: str = Field(max_length=5000)


class RequestOut(Schema):
    id: int
    link: int
    from_unit: str
    to_unit: str
    question: str
    due_on: date
    created_at: datetime
    answered: bool
    answer: str | None
    answered_at: datetime | None


def _out(rfi: InformationRequest) -> dict[str, Any]:
    answer = getattr(rfi, "answer", None)
    return {"id": rfi.pk, "link": rfi.deconfliction_id, "from_unit": rfi.from_unit.code, "to_unit": rfi.to_unit.code,
            "question": rfi.question, "due_on": rfi.due_on, "created_at": rfi.created_at, "answered": answer is not None,
            "answer": answer.answer if answer else None, "answered_at": answer.at if answer else None}


def _invalid(request: HttpRequest, exc: services.PartnersInputError) -> HttpResponse:
    return error_response(request, 400, "invalid", "The request is not valid; nothing was written.",
                          [{"field": field, "reason": reason} for field, reason in exc.problems])


_RELATED = ("from_unit", "to_unit", "answer")


PAGE_SIZE = 100


class RequestPage(Schema):
    count: int
    page: int
    results: list[RequestOut]


class RequestFilters(StrictQuery):
    page: int = Field(1, ge=1, le=100_000, description="Page number, 1 to 100,000 (100 requests a page)")


@router.get("/requests", response={200: RequestPage, 400: ErrorOut, 401: ErrorOut},
            summary="Requests for information your units sent or were asked, in pages (earliest deadline first)")
def request_list(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    rfis = InformationRequest.objects.visible_to(request.user).select_related(*_RELATED).order_by("due_on", "id")
    page = filters.page
    audit_search(request, AuditAction.PARTNERS_LIST, {"via": "api", "page": page})
    return {"count": rfis.count(), "page": page,
            "results": [_out(r) for r in rfis[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]}


@router.post("/requests", response={201: RequestOut, **ERRORS},
             summary="Ask the other unit of a cross-unit link for information")
def request_create(request: HttpRequest, payload: RequestIn) -> Any:
    record = get_visible(request, Deconfliction, pk=payload.link)
    mine = record.unit_id if record.side_for(units_of(request.user)) == "new" else record.other_unit_id
    require(request.user, Capability.EXCHANGE_INFORMATION, mine,
            "Your role does not send requests for information.")
    try:
        rfi = services.request_send(actor=request.user, record=record, from_unit_id=mine,
                                    question=payload.question, due_on=payload.due_on)
    except services.PartnersInputError as exc:
        return _invalid(request, exc)
    return Reply(201, _out(rfi))


@router.get("/requests/{rfi_id}", response={200: RequestOut, **ERRORS}, summary="Read a request for information")
def request_read(request: HttpRequest, rfi_id: int) -> Any:
    rfi = get_visible(request, InformationRequest.objects.select_related(*_RELATED), pk=rfi_id)
    audit_read(request, rfi, unit_id=rfi.to_unit_id if rfi.to_unit_id in units_of(request.user) else rfi.from_unit_id,
               detail={"via": "api"})
    return _out(rfi)


@router.post("/requests/{rfi_id}/answer", response={201: RequestOut, **ERRORS},
             summary="Answer a request for information asked of your unit (once)")
def request_answer(request: HttpRequest, rfi_id: int, payload: AnswerIn) -> Any:
    rfi = get_visible(request, InformationRequest.objects.select_related(*_RELATED), pk=rfi_id)
    if rfi.to_unit_id not in units_of(request.user):
        raise NotPermitted(Capability.EXCHANGE_INFORMATION, rfi.to_unit_id,
                           f"Only {rfi.to_unit.name} answers this request.")
    require(request.user, Capability.EXCHANGE_INFORMATION, rfi.to_unit_id,
            "Your role does not answer requests for information.")
    try:
        services.request_answer(actor=request.user, rfi=rfi, answer=payload.answer)
    except services.PartnersInputError as exc:
        return _invalid(request, exc)
    return Reply(201, _out(InformationRequest.objects.select_related(*_RELATED).get(pk=rfi.pk)))
