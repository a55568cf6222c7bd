"""The worker pool's bookkeeping: heartbeats, giving back tasks whose worker died, and what the task page shows."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat
from .retry import ATTEMPT, RETRY_OF

logger = logging.getLogger(__name__)

WORKER_LOST = "winnow.worker.WorkerLost"


def heartbeat_beat(*, worker_id: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            worker_id=worker_id,
            defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": now, "seen_at": now},
        )


def heartbeat_stop(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def tasks_reclaim_stale(*, now: datetime | None = None, stale_after: float | None = None,
                        max_attempts: int | None = None) -> list[str]:
    """Give back to the queue every RUNNING task whose worker has sent no heartbeat for `stale_after` seconds, so
    another worker runs it again from the start (tasks are idempotent). A task that has already been claimed
    `max_attempts` times (it may be what kills its workers) is marked failed instead, with the reason.

    Each change is a conditional UPDATE on (id, status, started_at), so two workers reclaiming at once, or a worker
    finishing the task at that moment, cannot both win. Returns the ids given back or failed."""
    now = now or timezone.now()
    stale_after = settings.WINNOW_TASK_STALE_SECONDS if stale_after is None else stale_after
    max_attempts = max_attempts or settings.WINNOW_TASK_MAX_ATTEMPTS
    cutoff = now - timedelta(seconds=stale_after)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    changed: list[str] = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for row in running.only("id", "started_at", "worker_ids", "task_path"):
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker in alive:
            continue
        same = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
        if len(row.worker_ids) >= max_attempts:
            done = same.update(
                status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=WORKER_LOST,
                traceback=f"Its worker stopped while running it, {len(row.worker_ids)} times "
                          f"(workers {', '.join(row.worker_ids)}); not tried again.",
            )
        else:
            done = same.update(status=TaskResultStatus.READY, started_at=None)
        if done:
            logger.warning("task %s (%s): worker %s sent no heartbeat for %s s; %s", row.pk, row.task_path, worker,
                           stale_after, "failed" if len(row.worker_ids) >= max_attempts else "given back to the queue")
            changed.append(str(row.pk))
    return changed


# ------------------------------------------------------------------------------------------------ the task page


@dataclass(frozen=True)
class TaskRow:
    result: DBTaskResult
    attempt: int
    retried_by: str | None

    @property
    def reason(self) -> str:
        """The exception's last line of traceback (its class and message)."""
        lines = [line for line in (self.result.traceback or "").strip().splitlines() if line.strip()]
        return lines[-1] if lines else self.result.exception_class_path

    @property
    def arguments(self) -> dict[str, Any]:
        kwargs = dict(self.result.args_kwargs.get("kwargs", {}))
        kwargs.pop(ATTEMPT, None)
        kwargs.pop(RETRY_OF, None)
        args = self.result.args_kwargs.get("args", [])
        return {**({"args": args} if args else {}), **kwargs}


def task_overview(*, limit: int = 100) -> dict[str, Any]:
    """What an administrator needs to see: counts by status, workers, failures with reasons, what runs and waits."""

    def rows(queryset: Any) -> list[TaskRow]:
        found = list(queryset[:limit])
        ids = [str(r.pk) for r in found]
        retried = dict(
            DBTaskResult.objects.filter(**{f"args_kwargs__kwargs__{RETRY_OF}__in": ids})
            .values_list(f"args_kwargs__kwargs__{RETRY_OF}", "id")
        ) if ids else {}
        return [TaskRow(r, attempt=int(r.args_kwargs.get("kwargs", {}).get(ATTEMPT, 1)),
                        retried_by=str(retried[str(r.pk)]) if str(r.pk) in retried else None) for r in found]

    counts = {row["status"]: row["n"] for row in DBTaskResult.objects.values("status").annotate(n=Count("id"))}
    return {
        "counts": [(status.label, counts.get(status.value, 0)) for status in TaskResultStatus],
        "workers": list(WorkerHeartbeat.objects.all()),
        "stale_after": settings.WINNOW_TASK_STALE_SECONDS,
        "max_attempts": settings.WINNOW_TASK_MAX_ATTEMPTS,
        "failed": rows(DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")),
        "running": rows(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("started_at")),
        "waiting": rows(DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("run_after", "enqueued_at")),
    }
