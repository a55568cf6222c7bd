"""Worker heartbeats: how the worker pool tells a task whose worker died from one still running.

django-tasks-db marks a claimed task RUNNING and leaves it so if its worker is killed (SIGKILL, out of memory, a
machine lost): nothing in it notices. Each `winnow worker` writes its heartbeat here every few seconds; a RUNNING
task whose worker's heartbeat is older than WINNOW_TASK_STALE_SECONDS is given back to the queue
(`winnow.worker.services.tasks_reclaim_stale`). A heartbeat is operational state, not a record: it is updated in
place and deleted when its worker stops.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname or '?'} (pid {self.pid})"
