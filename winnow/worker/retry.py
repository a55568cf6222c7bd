"""Retries with backoff for Django tasks: django-tasks (0.12) and django-tasks-db (0.13) run a task once and mark it
failed on any exception; neither retries.

`@retrying_task()` makes a task whose failed attempt enqueues the next attempt with `run_after = now + backoff`
(WINNOW_TASK_RETRY_SECONDS, doubling, capped at an hour) until WINNOW_TASK_MAX_ATTEMPTS attempts have run. Every
attempt is its own task row, so each failure keeps its own exception and traceback (shown on the task page); the
next attempt's kwargs carry its number and the id of the attempt it retries. Raise `GiveUp` for a failure another
attempt cannot cure (the referral does not exist): it fails at once.

Tasks must be idempotent: an attempt may have done part of its work before failing, and a task whose worker died
is run again from the start.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

ATTEMPT = "winnow_attempt"
RETRY_OF = "winnow_retry_of"
MAX_BACKOFF_SECONDS = 3600


class GiveUp(Exception):
    """Fail this task now: another attempt would fail the same way."""


def backoff_seconds(attempt: int, *, base: float, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed: base, 2 x base, 4 x base, ..."""
    return float(min(cap, base * 2 ** (attempt - 1)))


def attempt_of(kwargs: dict[str, Any]) -> int:
    return int(kwargs.get(ATTEMPT, 1))


def retrying_task(
    *, max_attempts: int | None = None, priority: int = 0, queue_name: str = "default"
) -> Callable[[Callable[..., Any]], Task[Any, Any]]:
    """Like `django_tasks.task()`, with retries. The function takes JSON-serialisable arguments (ids, not objects)."""

    def decorate(func: Callable[..., Any]) -> Task[Any, Any]:
        def run(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT, 1))
            kwargs.pop(RETRY_OF, None)
            limit = max_attempts or settings.WINNOW_TASK_MAX_ATTEMPTS
            try:
                return func(*args, **kwargs)
            except GiveUp:
                raise
            except Exception:
                if attempt < limit:
                    _enqueue_retry(made, context, args, kwargs, attempt)
                else:
                    logger.error("task %s failed on its last attempt (%d of %d)", made.module_path, attempt, limit)
                raise

        functools.update_wrapper(run, func)
        # The backend reads the signature to check the `context` argument; it must see run's, not func's.
        del run.__wrapped__  # type: ignore[attr-defined]
        made: Task[Any, Any] = task(takes_context=True, priority=priority, queue_name=queue_name)(run)
        return made

    return decorate


def _enqueue_retry(made: Task[Any, Any], context: TaskContext, args: tuple[Any, ...], kwargs: dict[str, Any],
                   attempt: int) -> None:
    delay = backoff_seconds(attempt, base=settings.WINNOW_TASK_RETRY_SECONDS)
    retry_kwargs = {**kwargs, ATTEMPT: attempt + 1, RETRY_OF: str(context.task_result.id)}
    target = made
    if made.get_backend().supports_defer:
        target = made.using(run_after=timezone.now() + timedelta(seconds=delay))
    result = target.enqueue(*args, **retry_kwargs)
    logger.warning("task %s attempt %d failed; attempt %d is %s, in %.0f s", made.module_path, attempt, attempt + 1,
                   result.id, delay)
