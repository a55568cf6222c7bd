"""`GET /api/v1/jobs/{job_id}`: an upload handed to the task worker (winnow.worker.jobs), as its page shows it.

Seen as on its page (winnow.worker.reads): the uploader's units (another unit's token gets 404), with the role that
makes such uploads (403), each read audited as `job.read`. A finished CyberTipline import's `result` is what
`POST /api/v1/referrals/cybertipline` answered when it imported in the request; a failed job's `errors` are the
file/element (or row/field) problems in the API's detail shape, and nothing was imported.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from winnow.errors import ErrorDetail, ErrorOut
from winnow.intake.api import CyberTiplineOut, job_url
from winnow.worker.jobs import details_of
from winnow.worker.models import Job
from winnow.worker.reads import job_for_read

router = Router(tags=["jobs"])


class JobFileOut(Schema):
    name: str
    sha256: str
    size: int


class JobProgressOut(Schema):
    what: str = Field(description="The step the import is at")
    done: int | None = Field(description="Items done, where the import counts them (a hash set's entries)")
    total: int | None


class JobOut(Schema):
    id: uuid.UUID
    kind: str = Field(json_schema_extra={"enum": list(Job.Kind.values)})
    state: str = Field(description="waiting -> running -> succeeded | failed; only moves forward",
                       json_schema_extra={"enum": list(Job.State.values)})
    url: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int = Field(description="How many times a worker has started it (more than 1: an earlier attempt "
                                      "stopped and wrote nothing)")
    files: list[JobFileOut]
    progress: JobProgressOut | None = Field(description="While it runs; null otherwise")
    message: str = Field(description="What the import did, once it succeeded; 'Nothing was imported.' once it failed")
    result: CyberTiplineOut | None = Field(description="A succeeded CyberTipline import's referral; null otherwise")
    errors: list[ErrorDetail] = Field(description="A failed job's problems, each naming its file and the element "
                                                  "or row and field; empty otherwise")


def _answer(job: Job) -> dict[str, Any]:
    failed = job.state == Job.State.FAILED
    progress = ({"what": job.progress_what, "done": job.progress_done, "total": job.progress_total}
                if job.state == Job.State.RUNNING else None)
    result = job.outcome.get("result") if job.state == Job.State.SUCCEEDED and job.kind == Job.Kind.CYBERTIPLINE else None
    return {
        "id": job.pk, "kind": job.kind, "state": job.state, "url": job_url(job), "created_at": job.created_at,
        "started_at": job.started_at, "finished_at": job.finished_at, "attempts": job.attempts,
        "files": [{"name": f["name"], "sha256": f["sha256"], "size": f["size"]} for f in job.files],
        "progress": progress,
        "message": "Nothing was imported." if failed else str(job.outcome.get("message", "")),
        "result": result,
        "errors": (job.error_details or details_of(job.errors)) if failed else [],  # a job failed before details
    }


@router.get("/{job_id}", response={200: JobOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="Read an upload's job: its state, progress, result or errors")
def get_job(request: HttpRequest, job_id: uuid.UUID) -> Any:
    return _answer(job_for_read(request, job_id, via="api"))
