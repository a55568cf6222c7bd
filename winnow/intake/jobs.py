"""The referral file import and the CyberTipline package import as worker jobs (winnow.worker.jobs): what
`/referrals/import/` and `/referrals/cybertipline/` hand to the worker. The messages are the ones those pages gave
when they imported inside the request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.core.cybertipline import DEFAULT_LIMITS, CyberTiplineError
from winnow.core.intake import FieldError, IntakeError
from winnow.worker.jobs import JobRefused, Progress
from winnow.worker.models import Job

from . import services
from .cybertip import cybertipline_import, parse_upload


def _unit(job: Job) -> Unit:
    return Unit.objects.get(pk=int(job.unit_id or 0))  # a referral job always has its unit


def _place(filename: str, error: FieldError) -> str:
    """"batch.csv row 5 received_at": the file, then the row (or item) and field when the error has them."""
    row = f"{error.row_label} {error.row}" if error.row is not None else ""
    return " ".join(p for p in (filename, row, error.field) if p)


def referral_import_job(*, job: Job, files: list[tuple[str, Path]], actor: Any, progress: Progress) -> dict[str, Any]:
    (filename, path), = files
    limit = settings.WINNOW_IMPORT_MAX_BYTES
    with open(path, "rb") as fh:
        content = fh.read(limit + 1)
    try:
        result = services.referrals_import(actor=actor, unit=_unit(job), filename=filename, content=content,
                                           max_bytes=limit, progress=progress)
    except IntakeError as exc:
        raise JobRefused([*(f"{filename}: {error}" for error in exc.errors),
                          "Nothing was imported: correct the file and upload it again."],
                         [{"field": _place(filename, e), "reason": e.reason} for e in exc.errors]) from None
    links = [{"text": "Referrals", "url": reverse("referrals:list")}]
    if result.created:
        return {"level": "success", "links": links,
                "message": f"{filename}: {result.referral_count} referrals imported."}
    return {"level": "info", "links": links,
            "message": f"{filename} was already imported on "
                       f"{timezone.localtime(result.batch.created_at):%d %b %Y %H:%M} "
                       f"({result.referral_count} referrals). Nothing new was created."}


def cybertipline_job(*, job: Job, files: list[tuple[str, Path]], actor: Any, progress: Progress) -> dict[str, Any]:
    p = job.params
    try:
        documents = []
        for name, path in files:
            limit = DEFAULT_LIMITS.max_zip_bytes if len(files) == 1 else DEFAULT_LIMITS.max_document_bytes
            with open(path, "rb") as fh:
                documents.append((name, fh.read(limit + 1)))
        progress("Reading the package")
        package, zip_content, zip_name = parse_upload(documents, report_id=p.get("report_id"))
        progress("Recording the referral (all or nothing)")
        result = cybertipline_import(actor=actor, unit=_unit(job), package=package, zip_content=zip_content,
                                     zip_name=zip_name, immediate_danger=bool(p["immediate_danger"]))
    except CyberTiplineError as exc:
        where = exc.document + (f", element {exc.element_path}" if exc.element_path else "")
        field = exc.document + (f" {exc.element_path}" if exc.element_path else "")  # as the API answered before
        raise JobRefused([f"{where}: {exc.reason}"], [{"field": field, "reason": exc.reason}]) from None
    referral = result.referral
    # What the API answered when it imported in the request (winnow.intake.api), kept as the import left it.
    answer = {"id": referral.pk, "reference": referral.reference, "created": result.created,
              "people": referral.subjects.count(), "files": referral.reported_files.count(),
              "links": list(result.links), "warnings": list(result.warnings)}
    links = [{"text": f"Referral {referral.reference}", "url": referral.get_absolute_url()}]
    notes = []
    if result.warnings:
        notes.append(f"{len(result.warnings)} element(s) or attribute(s) of the package were not read; they are "
                     "kept in the stored documents and listed on the referral.")
    if result.created:
        return {"level": "success", "links": links, "notes": notes, "result": answer,
                "message": f"CyberTipline package imported as referral {referral.reference}."}
    return {"level": "info", "links": links, "notes": notes, "result": answer,
            "message": f"This package was already imported as {referral.reference}. Nothing new was created."}
