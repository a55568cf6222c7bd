"""Run ready tasks in the test process the way django-tasks-db's worker does (claim, then Worker.run_task), without
its loop: that closes the database connection between tasks, which would end a test's transaction."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_ready_tasks() -> int:
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
    ran = 0
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
        ran += 1
    return ran
