"""The task page: what the worker pool is doing and what failed, with the reason. Administrators only.

Tasks take ids as arguments, never personal data, so the page shows ids, task names, timings and exceptions; the
tasks of every unit appear (the queue is one per installation), which is why only administrators see it.

The job page: one upload's import, for the uploader's unit, each read audited."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from winnow.audit.services import AuditAction, audit_search
from winnow.permissions import Capability, require

from .models import Job
from .reads import job_for_read, job_for_status
from .services import task_overview


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.ADMINISTER, message="The task page is for administrators.")
    audit_search(request, AuditAction.TASK_LIST)
    return render(request, "worker/tasks.html", task_overview())


# Where another upload of each kind is made.
_AGAIN = {Job.Kind.HASH_SET: "triage:hash-sets", Job.Kind.REFERRAL_IMPORT: "intake:import",
          Job.Kind.CYBERTIPLINE: "intake:cybertipline"}


@login_required
def job_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """An upload's import (winnow.worker.jobs): the uploader's unit sees it (404 elsewhere), with the role that
    makes such uploads (403 otherwise); each read is audited (winnow.worker.reads). `?status`, the page script's
    poll, answers the state and progress alone, unaudited; once the job has finished the page reloads, audited."""
    if "status" in request.GET:
        return render(request, "worker/_job_status.html", {"job": job_for_status(request, pk)})
    job = job_for_read(request, pk, via="page")
    # `errors`: the base template's title then starts "Error:", as on a form page with an error summary.
    return render(request, "worker/job.html", {"job": job, "again_url": reverse(_AGAIN[Job.Kind(job.kind)]),
                                               "errors": job.errors if job.state == Job.State.FAILED else []})
