"""The task worker's part in the trends: counting linkage decisions into the re-referral events.

`rereferral_refresh_due` runs at every heartbeat of `winnow worker` (settings.WINNOW_WORKER_HEARTBEAT): two grouped
queries find the units whose merges or undos are not yet counted, and it enqueues `rereferral_refresh_task` for
each that has none waiting. The heartbeat itself does no counting (a long count would delay the heartbeat and make
the worker look dead).
"""

from __future__ import annotations

from typing import Any

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from winnow.worker.retry import retrying_task

from .rereferral import rereferral_refresh, units_pending


@retrying_task()
def rereferral_refresh_task(*, unit_id: int) -> dict[str, Any]:
    """Idempotent: a second run finds everything counted."""
    return {"unit": unit_id, "subjects": rereferral_refresh(unit_id=unit_id)}


def rereferral_refresh_due() -> list[int]:
    """Enqueue a refresh for every unit with uncounted linkage decisions and no refresh waiting or running.
    Returns the units enqueued."""
    pending = units_pending()
    if not pending:
        return []
    waiting = set(DBTaskResult.objects.filter(
        task_path=rereferral_refresh_task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs__kwargs__unit_id", flat=True))
    enqueued = [u for u in pending if u not in waiting]
    for unit_id in enqueued:
        rereferral_refresh_task.enqueue(unit_id=unit_id)
    return enqueued
