"""The task page: what the worker pool is doing and what failed, with the reason. Administrators only.

Tasks take ids as arguments, never personal data, so the page shows ids, task names, timings and exceptions; the
tasks of every unit appear (the queue is one per installation), which is why only administrators see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from winnow.audit.services import AuditAction, audit_search
from winnow.permissions import Capability, require

from .services import task_overview


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.ADMINISTER, message="The task page is for administrators.")
    audit_search(request, AuditAction.TASK_LIST)
    return render(request, "worker/tasks.html", task_overview())
