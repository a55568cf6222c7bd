"""Reading one job (winnow.worker.jobs), for its page and the API: the one scoped, checked, audited getter.

A job shows what was uploaded (file names, SHA-256s), what the import made (a referral's reference, the people it
links to) and the parser's errors, so a read of it is audited like any read of a referral's data (invariant 5):
the uploader's units see it (404 elsewhere), with the role that makes such uploads in the job's unit (403
otherwise), and the `job.read` event is written before the job is returned. A job with no unit (a hash set imported
by a superuser who belongs to none) is seen only by its uploader, and its read event has no unit either.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from winnow.audit.services import AuditAction, audit_read
from winnow.permissions import Capability, require

from .models import Job

#: what each kind of job needs of its reader, in the job's unit
JOB_CAPABILITIES: dict[str, Capability] = {
    Job.Kind.HASH_SET: Capability.IMPORT_HASH_SETS,
    Job.Kind.REFERRAL_IMPORT: Capability.RECORD_REFERRALS,
    Job.Kind.CYBERTIPLINE: Capability.RECORD_REFERRALS,
}


def job_for_status(request: Any, pk: Any) -> Job:
    """The job `pk`, for its state and progress alone (the page's poll), with the same visibility and role check as
    `job_for_read` but no read event: the state and a running count say nothing about anyone, and a poll every two
    seconds would write an event every two seconds. Whoever shows more of the job than that uses job_for_read."""
    job = get_object_or_404(Job.objects.visible_to(request.user).only(
        "id", "kind", "unit_id", "created_by_id", "state", "progress_what", "progress_done", "progress_total"), pk=pk)
    require(request.user, JOB_CAPABILITIES[job.kind], job.unit_id,
            message="Only those who make such uploads in its unit may read this upload's job.")
    return job


def job_for_read(request: Any, pk: Any, *, via: str) -> Job:
    """The job `pk` as its reader may see it, its read event written (`via`: "page" or "api")."""
    job = get_object_or_404(Job.objects.visible_to(request.user).select_related("unit", "created_by"), pk=pk)
    require(request.user, JOB_CAPABILITIES[job.kind], job.unit_id,
            message="Only those who make such uploads in its unit may read this upload's job.")
    audit_read(request, job, unit_id=job.unit_id, action=AuditAction.JOB_READ,
               detail={"kind": job.kind, "state": job.state, "via": via})
    return job
