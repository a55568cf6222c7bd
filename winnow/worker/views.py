"""The task page: what the worker pool is doing and what failed, with the reason. Administrators only.

Tasks take ids as arguments, never personal data, so the page shows ids, task names, timings and exceptions; the
tasks of every unit appear (the queue is one per installation), which is why only administrators see it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from winnow.audit.services import audit_search

from .services import task_overview


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_administrator:
        raise PermissionDenied("The task page is for administrators.")
    audit_search(request, "task.list")
    return render(request, "worker/tasks.html", task_overview())
