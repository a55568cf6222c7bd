"""A failed attempt is tried again later (doubling waits) up to the task's attempt limit; every attempt keeps its
own failure reason; GiveUp fails at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from winnow.worker.retry import ATTEMPT, RETRY_OF, backoff_seconds

from .support import run_ready_tasks
from .tasks import flaky, hopeless

pytestmark = pytest.mark.django_db


def test_it_doubles_the_wait_and_caps_it() -> None:
    assert [backoff_seconds(n, base=10) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff_seconds(30, base=10) == 3600


def _attempts() -> list[DBTaskResult]:
    # By attempt number: with the clock frozen, several rows share one enqueued_at.
    return sorted(DBTaskResult.objects.all(), key=lambda r: r.args_kwargs["kwargs"].get(ATTEMPT, 1))


def test_it_retries_after_the_backoff_until_it_succeeds(tmp_path: Path, settings: Any) -> None:
    settings.WINNOW_TASK_RETRY_SECONDS = 10
    counter = tmp_path / "count"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        flaky.enqueue(path=str(counter), failures=1)
        run_ready_tasks()
        first, second = _attempts()
        assert first.status == TaskResultStatus.FAILED and "fictional failure on attempt 1" in first.traceback
        assert second.status == TaskResultStatus.READY
        assert second.run_after == start + timedelta(seconds=10)
        assert second.args_kwargs["kwargs"][ATTEMPT] == 2 and second.args_kwargs["kwargs"][RETRY_OF] == str(first.pk)
        run_ready_tasks()  # not due yet
        assert DBTaskResult.objects.get(pk=second.pk).status == TaskResultStatus.READY
        clock.shift(timedelta(seconds=11))
        run_ready_tasks()
    second.refresh_from_db()
    assert second.status == TaskResultStatus.SUCCESSFUL and second.return_value == 2


def test_it_gives_up_after_the_last_attempt_keeping_each_reason(tmp_path: Path, settings: Any) -> None:
    settings.WINNOW_TASK_RETRY_SECONDS = 10
    with time_machine.travel(timezone.now(), tick=False) as clock:
        flaky.enqueue(path=str(tmp_path / "count"), failures=99)
        for _ in range(4):
            run_ready_tasks()
            clock.shift(timedelta(seconds=3600))
    attempts = _attempts()
    assert len(attempts) == 3  # flaky allows 3 attempts
    assert all(a.status == TaskResultStatus.FAILED for a in attempts)
    assert [f"fictional failure on attempt {n}" in a.traceback for n, a in enumerate(attempts, 1)] == [True] * 3
    gaps = [(b.run_after - a.finished_at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps == [10, 20]


def test_it_does_not_retry_what_gives_up() -> None:
    hopeless.enqueue(reason="referral 999 does not exist")
    run_ready_tasks()
    (only,) = _attempts()
    assert only.status == TaskResultStatus.FAILED and "referral 999 does not exist" in only.traceback
