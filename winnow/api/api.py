"""The JSON API under /api/v1/: token authentication, one error shape for every failure, an OpenAPI document.

Validation is the same as the web form's and the file import's (winnow.core.intake), so a referral that the API
accepts is one the form would accept.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import Status as Reply
from ninja.security import HttpBearer

from winnow.accounts.models import ApiToken, Unit
from winnow.audit.reads import get_for_read, get_visible
from winnow.audit.services import AuditAction, audit_search
from winnow.core.identifiers import IdentifierKind
from winnow.core.intake import FieldError, IntakeError, referral_from_mapping
from winnow.core.intake.drafts import Sex, Source, SubjectRole
from winnow.core.intake.mapping import subject_from_mapping
from winnow.errors import ErrorOut, StrictQuery, error_response
from winnow.intake import api as cybertip_api
from winnow.intake import services
from winnow.intake.corrections import latest_corrections
from winnow.permissions import Capability, NotPermitted, memoise_for_request, require
from winnow.referrals.models import IntakeCorrection, Referral, Status, Subject

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.objects.authenticate(token)  # None when unknown, revoked or expired
        if api_token is None:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and not api_token.can_write:
            raise PermissionDenied("This API token is read-only; writing needs a token issued with the write scope.")
        request.user = api_token.user
        memoise_for_request(api_token.user)
        return api_token.user


api = NinjaAPI(
    title="Winnow API",
    version="1.0.0",
    description=(
        "Create and read referrals with their subjects and identifiers. Authenticate with "
        "`Authorization: Bearer <token>` (`winnow create-token USERNAME [--scope write] [--days N]`); tokens expire, and are read-only unless issued with the write scope. Every failure has the same shape: "
        '`{"error": {"status", "code", "message", "details": [{"field", "reason"}]}, "request_id"}`. '
        "Every read of a referral, a subject or an upload's job is recorded in the audit trail. "
        "An upload (a CyberTipline package) is imported by the task worker: the POST answers 202 with the job's URL, "
        "and `GET /api/v1/jobs/{id}` gives its state, then its result or errors."
    ),
    auth=TokenAuth(),
    urls_namespace="api-1.0.0",
    docs_decorator=login_required,  # the document and its page are for signed-in people, not the public
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"field": ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload")), "reason": err.get("msg", "")}
        for err in exc.errors
    ]
    return error_response(request, 400, "invalid", "The request is not valid; nothing was written.", details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", "A valid API token is required.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Not found, or not in a unit you belong to.")


@api.exception_handler(NotPermitted)
def on_not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc),
                          [{"field": "capability", "reason": f"needs {exc.capability.value}"}])


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "Your role does not allow this.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(services.DuplicateSourceReference)
def on_duplicate(request: HttpRequest, exc: services.DuplicateSourceReference) -> HttpResponse:
    details = [{"field": e.field, "reason": str(e)} for e in exc.errors]
    return error_response(request, 409, "conflict", "The unit already has this source reference; nothing was written.",
                          details)


@api.exception_handler(services.ReferralClosed)
def on_closed(request: HttpRequest, exc: services.ReferralClosed) -> HttpResponse:
    details = [{"field": e.field, "reason": e.reason} for e in exc.errors]
    return error_response(request, 409, "conflict", "The referral is closed; nothing was written.", details)


@api.exception_handler(IntakeError)
def on_intake_error(request: HttpRequest, exc: IntakeError) -> HttpResponse:
    details = [{"field": e.field, "reason": str(e)} for e in exc.errors]
    return error_response(request, 400, "invalid", "The referral is not valid; nothing was written.", details)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled API error", extra={"request_id": getattr(request, "request_id", "")})
    return error_response(request, 500, "server_error", "Something went wrong; nothing was written.")


class IdentifierIn(Schema):
    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=500)
    platform: str = Field("", max_length=100)
    observed_at: str | None = Field(None, description="ISO 8601 date-time with an offset, e.g. 2026-11-17T20:00:00Z")


class SubjectIn(Schema):
    role: SubjectRole = SubjectRole.REPORTED
    given_names: str = Field("", max_length=200)
    family_name: str = Field("", max_length=200)
    date_of_birth: str | None = Field(None, description="YYYY-MM-DD")
    sex: Sex = Sex.UNKNOWN
    addresses: list[str] = []
    identifiers: list[IdentifierIn] = []


class ReferralIn(Schema):
    unit: str = Field(min_length=1, max_length=32, description="The code of a unit you record referrals in")
    source: Source
    source_reference: str = Field("", max_length=100, description="Unique per unit and source (409 if recorded)")
    received_at: str = Field(min_length=1, description="ISO 8601 date-time with an offset, e.g. 2026-11-18T09:00:00Z")
    summary: str = Field(min_length=1)
    # Required: None (left out) reaches winnow.core.intake, which names it as missing; blank is not a No.
    immediate_danger: bool | None = Field(None, description="Is a child believed to be in immediate danger? true or false (required)")
    subjects: list[SubjectIn] = []


class SubjectAddIn(SubjectIn):
    """A person identified after the referral was recorded. Unlike a referral's subjects, the role must be given
    (a victim must never default to "reported"), and so must how they were identified."""

    role: SubjectRole = Field(description="Their part in the referral (required)")
    reason: str = Field(min_length=1, max_length=services.MAX_ADD_REASON,
                        description="How this person was identified, e.g. a subscriber check (required)")


class IdentifierOut(Schema):
    id: int
    kind: str
    value: str
    normalised: str
    platform: str
    observed_at: datetime | None


def _corrected(owner: Referral | Subject, field: str) -> Any:
    """An intake fact as it now stands (the latest correction's value, or as recorded): the API answers what the
    pages show. The referral's corrections are read once per answer and kept on the object."""
    referral = owner if isinstance(owner, Referral) else owner.referral
    latest = getattr(referral, "_latest_corrections", None)
    if latest is None:
        latest = referral.__dict__["_latest_corrections"] = latest_corrections(referral)
    correction = latest.get((field, None if isinstance(owner, Referral) else owner.pk))
    return getattr(owner, field) if correction is None else correction.after


class CorrectionOut(Schema):
    id: int
    field: str = Field(description="The intake fact corrected: " + ", ".join(IntakeCorrection.Field.values))
    subject_id: int | None = Field(description="The person corrected, for a subject's details; null for the referral's")
    before: bool | str | list[str] | None = Field(description="The value this correction replaced (the first "
                                                              "correction's is the value as recorded)")
    after: bool | str | list[str] | None = Field(description="The corrected value")
    reason: str
    corrects_id: int | None = Field(description="The earlier correction of the same fact that this one replaces")
    created_at: datetime
    created_by: str

    @staticmethod
    def resolve_created_by(obj: IntakeCorrection) -> str:
        return obj.created_by.get_username()


class SubjectOut(Schema):
    """A subject's details as they now stand: corrections applied (the referral's `corrections` keep the history)."""

    id: int
    referral_id: int
    role: str
    given_names: str
    family_name: str
    date_of_birth: date | None
    sex: str
    addresses: list[str]
    identifiers: list[IdentifierOut]

    @staticmethod
    def resolve_identifiers(obj: Subject) -> list[Any]:
        return list(obj.identifiers.all())

    @staticmethod
    def resolve_given_names(obj: Subject) -> str:
        return str(_corrected(obj, "given_names"))

    @staticmethod
    def resolve_family_name(obj: Subject) -> str:
        return str(_corrected(obj, "family_name"))

    @staticmethod
    def resolve_date_of_birth(obj: Subject) -> Any:
        return _corrected(obj, "date_of_birth")

    @staticmethod
    def resolve_sex(obj: Subject) -> str:
        return str(_corrected(obj, "sex"))

    @staticmethod
    def resolve_addresses(obj: Subject) -> list[str]:
        return list(_corrected(obj, "addresses"))


class PackageOut(Schema):
    kind: str
    sha256: str
    size: int
    filename: str
    locator: str


class ReferralOut(Schema):
    """A referral's intake facts as they now stand (corrections applied); `corrections` lists every correction,
    oldest first, with the value it replaced, so the value as recorded stays readable."""

    id: int
    reference: str
    unit: str
    source: str
    source_reference: str
    received_at: datetime
    summary: str
    immediate_danger: bool = Field(description="Is a child believed to be in immediate danger, as now known (the "
                                               "latest correction, or as recorded)")
    status: str
    disposition: str
    closure_reason: str
    package: PackageOut
    subjects: list[SubjectOut]
    corrections: list[CorrectionOut]

    @staticmethod
    def resolve_unit(obj: Referral) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_immediate_danger(obj: Referral) -> bool:
        return obj.current_danger

    @staticmethod
    def resolve_received_at(obj: Referral) -> datetime:
        return obj.current_received_at

    @staticmethod
    def resolve_source(obj: Referral) -> str:
        return str(_corrected(obj, "source"))

    @staticmethod
    def resolve_summary(obj: Referral) -> str:
        return str(_corrected(obj, "summary"))

    @staticmethod
    def resolve_corrections(obj: Referral) -> list[Any]:
        return list(obj.corrections.select_related("created_by").order_by("created_at", "id"))

    @staticmethod
    def resolve_package(obj: Referral) -> dict[str, Any]:
        p = obj.package
        return {"kind": p.kind, "sha256": p.sha256, "size": p.size, "filename": p.filename, "locator": obj.package_locator}

    @staticmethod
    def resolve_subjects(obj: Referral) -> list[Any]:
        return list(obj.subjects.prefetch_related("identifiers"))


class ReferralSummaryOut(Schema):
    id: int
    reference: str
    unit: str
    source: str
    received_at: datetime
    immediate_danger: bool = Field(description="As now known: the latest correction, or as recorded")
    status: str

    @staticmethod
    def resolve_unit(obj: Referral) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_immediate_danger(obj: Referral) -> bool:
        return obj.current_danger

    @staticmethod
    def resolve_received_at(obj: Referral) -> datetime:
        return obj.current_received_at

    @staticmethod
    def resolve_source(obj: Referral) -> str:
        return obj.current_source


class ReferralPage(Schema):
    count: int
    page: int
    results: list[ReferralSummaryOut]


class ListFilters(StrictQuery):
    status: Status | None = Field(None, description="Only referrals in this status")
    page: int = Field(1, ge=1, le=100_000, description="Page number, 1 to 100,000 (100 referrals a page)")


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CREATE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
PAGE_SIZE = 100
# The columns ReferralSummaryOut reads (a referral row is wide; 100 a page).
_SUMMARY_FIELDS = ("id", "reference", "unit__code", "source", "received_at", "received_corrected_at",
                   "immediate_danger", "danger_corrected", "status")


@api.get("/referrals", response={200: ReferralPage, **ERRORS}, summary="List referrals in your units")
def list_referrals(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    referrals = (Referral.objects.visible_to(request.user).select_related("unit").only(*_SUMMARY_FIELDS)
                 .with_current_source().order_by("-received_at", "-id"))
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    page = filters.page
    audit_search(request, AuditAction.REFERRAL_LIST, {"status": filters.status or "", "page": page, "via": "api"})
    return {
        "count": referrals.count(),
        "page": page,
        "results": list(referrals[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]),
    }


@api.post("/referrals", response={201: ReferralOut, **CREATE_ERRORS}, summary="Record a referral")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    unit = Unit.objects.for_user(request.user).filter(code=payload.unit).first()
    if unit is None:
        raise IntakeError([FieldError(None, "unit", f"{payload.unit!r} is not a unit you belong to")], filename="")
    require(request.user, Capability.RECORD_REFERRALS, unit.pk, "Your role in this unit does not record referrals.")
    mapping = payload.dict(exclude={"unit"}, mode="json")
    draft = referral_from_mapping(mapping, now=timezone.now())
    referral = services.referral_record(
        actor=request.user,
        unit=unit,
        draft=draft,
        raw=request.body,
        media_type=request.content_type or "application/json",
        via="api",
    )
    return Reply(201, referral)


api.post("/referrals/cybertipline", response=cybertip_api.RESPONSES, summary=cybertip_api.SUMMARY,
         tags=["intake"], openapi_extra=cybertip_api.OPENAPI_EXTRA)(cybertip_api.import_cybertipline)


@api.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS}, summary="Read a referral")
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    return get_for_read(request, Referral.objects.select_related("unit", "package").defer("package__content"),
                        detail={"via": "api"},
                        pk=referral_id)


ADD_SUBJECT_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


@api.post("/referrals/{referral_id}/subjects", response={201: SubjectOut, **ADD_SUBJECT_ERRORS},
          summary="Add a person to a referral",
          description="A person identified after the referral was recorded (a subscriber check names the account "
                      "holder; a second suspect). Checked by the rules a referral's subjects meet, then linked, "
                      "alerted and deconflicted as at intake, for this person alone. 404 for a referral outside "
                      "your units; 403 for a role that does not correct intake facts, or a read-only token; 409 "
                      "for a closed referral.")
def add_subject(request: HttpRequest, referral_id: int, payload: SubjectAddIn) -> Any:
    referral = get_visible(request, Referral.objects.select_related("unit"), pk=referral_id)
    mapping = payload.dict(exclude={"reason"}, mode="json")
    draft = subject_from_mapping(mapping, now=timezone.now())
    subject = services.subject_add(actor=request.user, referral=referral, draft=draft, reason=payload.reason)
    return Reply(201, subject)


@api.get("/subjects/{subject_id}", response={200: SubjectOut, **ERRORS}, summary="Read a subject")
def get_subject(request: HttpRequest, subject_id: int) -> Any:
    return get_for_read(request, Subject.objects.select_related("referral"), detail={"via": "api"}, pk=subject_id)


api.add_router("/assessments", "winnow.assessments.api.router")
api.add_router("/jobs", "winnow.api.jobs.router")
api.add_router("/linkage", "winnow.linkage.api.router")
api.add_router("/notifications", "winnow.notifications.api.router")
api.add_router("/partners", "winnow.partners.api.router")
api.add_router("/safeguarding", "winnow.safeguarding.api.router")
api.add_router("/transfers", "winnow.transfers.api.router")
