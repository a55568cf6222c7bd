"""Run ready tasks in the test process the way django-tasks-db's worker does (claim, then Worker.run_task), without
its loop: that closes the database connection between tasks, which would end a test's transaction."""

from __future__ import annotations

from typing import Any

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


def run_jobs() -> int:
    """Run the upload jobs waiting (winnow.worker.jobs), and only them: not the follow-up tasks their imports
    enqueue (person linkage), which the tests of those tasks run."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
    ran = 0
    while (row := DBTaskResult.objects.ready().filter(task_path="winnow.worker.jobs.job_run").first()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
        ran += 1
    return ran


def job_page(client: Any, response: Any) -> Any:
    """After an upload page's POST (not followed): it redirects to its job; run the job; the job page."""
    assert response.status_code == 302 and response["Location"].startswith("/jobs/"), (
        response.status_code, response.get("Location"), response.content.decode()[:2000])
    run_jobs()
    return client.get(response["Location"])
