"""Tasks the worker tests enqueue (importable by a `winnow worker` subprocess). State lives in files they are given,
so a test can see what each attempt did."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from winnow.worker.retry import GiveUp, retrying_task


@retrying_task(max_attempts=3)
def flaky(*, path: str, failures: int) -> int:
    """Fails its first `failures` attempts, then returns the attempt number."""
    counter = Path(path)
    attempt = int(counter.read_text() or 0) + 1 if counter.exists() else 1
    counter.write_text(str(attempt))
    if attempt <= failures:
        raise RuntimeError(f"fictional failure on attempt {attempt}")
    return attempt


@retrying_task()
def hopeless(*, reason: str) -> None:
    raise GiveUp(reason)


@task()
def hold(*, marker: str) -> str:
    """The first run writes `marker` and then hangs (to be killed); a run that finds the marker completes."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(300)
    return "done"
