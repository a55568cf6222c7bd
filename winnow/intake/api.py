"""CyberTipline import in the JSON API (`POST /api/v1/referrals/cybertipline`): the same package rules, limits and
errors as the page and `winnow import-cybertip`. Multipart form: `unit` (code), `files` (one zip, or the report
XML and its fileDetails XML files), `immediate_danger` (yes or no: the recorder's answer, as on the page), optional
`report_id`. Errors use the API's one shape (winnow.errors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.responses import Status as Reply

from winnow.accounts.models import Unit
from winnow.core.cybertipline import DEFAULT_LIMITS, CyberTiplineError
from winnow.errors import ErrorOut, error_response
from winnow.permissions import Capability, require

from .cybertip import cybertipline_import, parse_upload


class CyberTiplineOut(Schema):
    id: int
    reference: str
    created: bool
    people: int
    files: int
    links: list[str]
    warnings: list[str]


def _refused(request: HttpRequest, field: str, reason: str) -> HttpResponse:
    return error_response(request, 400, "invalid", "The package was not imported; nothing was written.",
                          [{"field": field, "reason": reason}])


# Registered on the API in winnow.api.api, before /referrals/{referral_id}, so that path does not swallow it.
RESPONSES: dict[int, Any] = {200: CyberTiplineOut, 201: CyberTiplineOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
SUMMARY = "Import a CyberTipline package (multipart: unit, files, report_id)"


def import_cybertipline(request: HttpRequest) -> Any:
    code = request.POST.get("unit", "")
    unit = Unit.objects.for_user(request.user).filter(code=code).first()
    if unit is None:
        return _refused(request, "unit", f"{code[:40]!r} is not a unit you belong to")
    require(request.user, Capability.RECORD_REFERRALS, unit.pk, "Your role in this unit does not record referrals.")
    raw_id = request.POST.get("report_id", "").strip()
    if raw_id and not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        return _refused(request, "report_id", f"{raw_id[:40]!r} is not a CyberTipline report number")
    danger = request.POST.get("immediate_danger", "").strip().lower()
    if danger not in ("yes", "no"):
        return _refused(request, "immediate_danger", "required: yes or no (is a child believed to be in immediate "
                                                     "danger? an escalated report is recorded as yes whatever it says)")
    uploads = request.FILES.getlist("files")
    if not uploads:
        return _refused(request, "files", "no files: send one zip, or the report XML and its fileDetails XML")
    limit = DEFAULT_LIMITS.max_zip_bytes if len(uploads) == 1 else DEFAULT_LIMITS.max_document_bytes
    try:
        if len(uploads) > DEFAULT_LIMITS.max_documents:
            raise CyberTiplineError("package", "", f"{len(uploads)} files; at most {DEFAULT_LIMITS.max_documents}")
        documents = []
        for upload in uploads:
            name = upload.name or "upload"
            if upload.size is not None and upload.size > limit:  # checked before reading
                raise CyberTiplineError(name, "", f"{upload.size:,} bytes; at most {limit:,} allowed")
            documents.append((name, upload.read(limit + 1)))
        package, zip_content, zip_name = parse_upload(documents, report_id=int(raw_id) if raw_id else None)
        result = cybertipline_import(actor=request.user, unit=unit, package=package, zip_content=zip_content,
                                     zip_name=zip_name, immediate_danger=danger == "yes")
    except CyberTiplineError as exc:
        field = exc.document + (f" {exc.element_path}" if exc.element_path else "")
        return _refused(request, field, exc.reason)
    referral = result.referral
    body = {"id": referral.pk, "reference": referral.reference, "created": result.created,
            "people": referral.subjects.count(), "files": referral.reported_files.count(),
            "links": list(result.links), "warnings": list(result.warnings)}
    return Reply(201 if result.created else 200, body)
