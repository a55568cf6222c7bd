"""Victim-identification work for the task worker (`winnow worker`): series grow as scans are summarised and hash
sets loaded, without anyone opening a page. Triage sits below this app and cannot call it, so the worker's
heartbeat (settings.WINNOW_WORKER_HEARTBEAT) asks, cheaply, whether anything waits, and enqueues the task once."""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.models import DBTaskResult

from winnow.worker.retry import retrying_task

from .services import series_pending, series_sync


@retrying_task()
def series_bring_up_to_date() -> dict[str, int]:
    """Take in every summarised scan result and check every loaded hash set not yet taken in (idempotent)."""
    done = series_sync(actor=None)
    return {"intakes": done.intakes, "checks": done.checks}


def series_enqueue_if_pending() -> bool:
    """A heartbeat hook: enqueue `series_bring_up_to_date` when work waits and no such task is queued or running."""
    if not any(series_pending()):
        return False
    path = f"{series_bring_up_to_date.func.__module__}.{series_bring_up_to_date.func.__qualname__}"
    with transaction.atomic():
        if DBTaskResult.objects.filter(task_path=path, status__in=("READY", "RUNNING")).exists():
            return False
        series_bring_up_to_date.enqueue()
    return True
