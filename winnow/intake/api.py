"""CyberTipline import in the JSON API (`POST /api/v1/referrals/cybertipline`): the same package rules, limits and
errors as the page and `winnow import-cybertip`, and, as on the page, the import runs on the task worker.

Multipart form: `unit` (code), `files` (one zip, or the report XML and its fileDetails XML files),
`immediate_danger` (yes or no: the recorder's answer, as on the page), optional `report_id`. The request checks
what is cheap (the unit and role, the form's fields, the number and sizes of the files) before anything is stored,
answering a 400/403 in the API's one error shape (winnow.errors); then it stores the files and creates the job
(winnow.worker.jobs.job_create, the page's runner winnow.intake.jobs.cybertipline_job) and answers 202 with the job's
id, state and API URL (also the `Location` header). `GET /api/v1/jobs/{id}` (winnow.api.jobs) then gives the
import's result (what this endpoint answered when it imported in the request) or its file/element errors; the
import is all or nothing, as before.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Schema
from ninja.responses import Status as Reply

from winnow.accounts.models import Unit
from winnow.core.cybertipline import DEFAULT_LIMITS
from winnow.errors import ErrorOut, error_response
from winnow.permissions import Capability, require
from winnow.worker.jobs import job_create
from winnow.worker.models import Job


class CyberTiplineOut(Schema):
    """A CyberTipline import's result, in its job (`GET /api/v1/jobs/{id}`)."""

    id: int = Field(description="The referral's id (`GET /api/v1/referrals/{id}`)")
    reference: str
    created: bool = Field(description="False when this package had already been imported into the unit: nothing "
                                      "new was created and this is the referral it made then")
    people: int
    files: int
    links: list[str] = Field(description="The known people and referrals the referral links to, one sentence each")
    warnings: list[str] = Field(description="Elements or attributes of the package that were not read (kept)")


class JobAcceptedOut(Schema):
    id: uuid.UUID = Field(description="The job's id")
    state: str = Field(description="waiting: the upload is stored and the task worker will import it",
                       json_schema_extra={"enum": list(Job.State.values)})
    url: str = Field(description="The job in the API, also the Location header: GET it for the result or errors")


def _refused(request: HttpRequest, field: str, reason: str) -> HttpResponse:
    return error_response(request, 400, "invalid", "The package was not imported; nothing was stored.",
                          [{"field": field, "reason": reason}])


def job_url(job: Job) -> str:
    return reverse("api-1.0.0:get_job", kwargs={"job_id": job.pk})


# Registered on the API in winnow.api.api, before /referrals/{referral_id}, so that path does not swallow it.
RESPONSES: dict[int, Any] = {202: JobAcceptedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut}
SUMMARY = "Import a CyberTipline package on the task worker (multipart: unit, files, immediate_danger, report_id)"
# The multipart body, described for the OpenAPI document; the view reads it itself so that each refusal names its
# field as before (and in the order the page checks them).
OPENAPI_EXTRA: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "required": ["unit", "files", "immediate_danger"],
        "properties": {
            "unit": {"type": "string", "description": "The code of a unit you record referrals in"},
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "One zip, or the report XML and its fileDetails XML files "
                                     f"(at most {DEFAULT_LIMITS.max_documents})"},
            "immediate_danger": {"type": "string", "enum": ["yes", "no"],
                                 "description": "Is a child believed to be in immediate danger? An escalated "
                                                "report is recorded as yes whatever it says"},
            "report_id": {"type": "string", "pattern": "^[0-9]{1,18}$",
                          "description": "The number NCMEC gave the report (optional)"},
        },
    }}}},
    "responses": {202: {"headers": {"Location": {
        "description": "The job in the API (the body's url)", "schema": {"type": "string"}}}}},
}


def _files_problem(uploads: list[Any]) -> tuple[str, str] | None:
    """(field, reason) for files that cannot be a package, before any is stored."""
    if not uploads:
        return "files", "no files: send one zip, or the report XML and its fileDetails XML"
    if len(uploads) > DEFAULT_LIMITS.max_documents:
        return "package", f"{len(uploads)} files; at most {DEFAULT_LIMITS.max_documents}"
    limit = DEFAULT_LIMITS.max_zip_bytes if len(uploads) == 1 else DEFAULT_LIMITS.max_document_bytes
    for upload in uploads:
        name = upload.name or "upload"
        if upload.size > limit:
            return name, f"{upload.size:,} bytes; at most {limit:,} allowed"
        if not upload.size:
            return name, "the file is empty"
    return None


def import_cybertipline(request: HttpRequest, response: HttpResponse) -> Any:
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
    problem = _files_problem(uploads)
    if problem is not None:
        return _refused(request, *problem)
    job = job_create(actor=request.user, kind=Job.Kind.CYBERTIPLINE, unit_id=unit.pk, uploads=uploads,
                     params={"report_id": int(raw_id) if raw_id else None, "immediate_danger": danger == "yes"})
    url = job_url(job)
    response["Location"] = url
    return Reply(202, {"id": job.pk, "state": job.state, "url": url})
