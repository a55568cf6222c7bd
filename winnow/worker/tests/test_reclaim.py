"""A task left RUNNING by a worker that stopped sending heartbeats goes back to the queue; one whose worker is alive
stays; one that has already killed its workers too often fails, with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from winnow.worker.models import WorkerHeartbeat
from winnow.worker.services import WORKER_LOST, heartbeat_beat, tasks_reclaim_stale

from .tasks import hold

pytestmark = pytest.mark.django_db


def _running(worker_ids: list[str], started_ago: float) -> DBTaskResult:
    result = hold.enqueue(marker="/nonexistent/never-used")
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.worker_ids = worker_ids
    row.started_at = timezone.now() - timedelta(seconds=started_ago)
    row.save()
    return row


def test_it_gives_back_tasks_of_silent_workers_only(settings: Any) -> None:
    now = timezone.now()
    heartbeat_beat(worker_id="alive", now=now)
    heartbeat_beat(worker_id="silent", now=now - timedelta(seconds=120))
    orphan = _running(["silent"], started_ago=300)
    no_beat_at_all = _running(["db-worker-without-heartbeat"], started_ago=300)
    busy = _running(["alive"], started_ago=300)
    just_claimed = _running(["new"], started_ago=1)
    back = tasks_reclaim_stale(now=now, stale_after=60, max_attempts=5)
    assert set(back) == {str(orphan.pk), str(no_beat_at_all.pk)}
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[orphan.pk] == statuses[no_beat_at_all.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == statuses[just_claimed.pk] == TaskResultStatus.RUNNING
    assert tasks_reclaim_stale(now=now, stale_after=60, max_attempts=5) == []  # a second pass changes nothing
    assert DBTaskResult.objects.get(pk=orphan.pk).worker_ids == ["silent"]  # history kept


def test_it_fails_a_task_that_has_lost_too_many_workers() -> None:
    row = _running(["w1", "w2", "w3"], started_ago=300)
    assert tasks_reclaim_stale(stale_after=60, max_attempts=3) == [str(row.pk)]
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == WORKER_LOST
    assert "stopped while running it, 3 times" in row.traceback


def test_heartbeats_update_in_place() -> None:
    heartbeat_beat(worker_id="w", now=timezone.now() - timedelta(seconds=5))
    heartbeat_beat(worker_id="w")
    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().seen_at > timezone.now() - timedelta(seconds=2)
