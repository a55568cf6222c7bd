"""End to end with a real `winnow worker` process against the test database: a CyberTipline report about someone
the unit knows under another spelling gets its "same person?" proposal within 60 seconds with no command run by
hand, and a task whose worker is SIGKILLed halfway is run to completion by the next worker.

Transactional tests (the worker is another process: it sees only committed rows), grouped on one xdist worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from winnow import permanence
from winnow.linkage.models import LinkProposal
from winnow.notifications.models import Notification
from winnow.worker.models import WorkerHeartbeat
from winnow.worker.tests.tasks import hold

from .support import import_report, known_offender

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("worker-process")]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(transactional_db: Any, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str = "w", stale_seconds: int = 60) -> subprocess.Popen[bytes]:
        env = {**os.environ, "DATABASE_URL": _database_url(), "WINNOW_TASK_STALE_SECONDS": str(stale_seconds)}
        log = open(tmp_path / f"worker-{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(  # noqa: S603 (fixed command)
            [sys.executable, "-m", "winnow", "worker", "--interval", "0.2", "--no-startup-delay",
             "--worker-id", f"test-{name}-{os.getpid()}"], env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    # Flush as pytest-django would, with the append-only guards lifted (SQLite's flush deletes rows; the guards
    # refuse that), then put them back for the tests that follow on this database.
    permanence.uninstall(connection)
    call_command("flush", interactive=False, verbosity=0)
    permanence.install(connection)


def _wait_for(check: Callable[[], bool], seconds: float, logs: Path) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.2)
    text = "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(logs.glob("worker-*.log")))
    pytest.fail(f"not done within {seconds} s; worker output:\n{text}")


def test_a_new_referral_about_a_known_person_gets_a_proposal_by_itself(
        start_worker: Any, handler: Any, make_person: Any, units: Any, tmp_path: Path) -> None:
    manager = make_person("olly.manager", "north", "offender_manager")
    earlier = known_offender(handler=handler, manager=manager, unit=units["north"])
    start_worker()
    # Start-up (Django, then splink warmed before the first claim) is not part of the follow-up: it ends when the
    # worker writes its first heartbeat. It can take a minute on a loaded machine.
    _wait_for(WorkerHeartbeat.objects.exists, 180, tmp_path)
    referral = import_report(handler=handler, unit=units["north"])  # committed: the worker can see it now
    new = referral.subjects.get(role="reported")
    took = _wait_for(lambda: LinkProposal.objects.exists(), 60, tmp_path)
    proposal = LinkProposal.objects.get()
    assert {proposal.left_subject_id, proposal.right_subject_id} == {earlier.pk, new.pk}
    _wait_for(lambda: Notification.objects.filter(recipient=manager).exists(), 10, tmp_path)
    print(f"proposal {took:.1f} s after intake")  # noqa: T201


def test_a_task_whose_worker_was_killed_completes_on_restart(start_worker: Any, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    result = hold.enqueue(marker=str(marker))
    first = start_worker("first", stale_seconds=2)
    _wait_for(marker.exists, 180, tmp_path)  # includes the worker's start-up
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING  # left behind
    start_worker("second", stale_seconds=2)
    # The second worker starts up, sees the first one's heartbeat go stale (2 s), takes the task back and runs it.
    _wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL, 180, tmp_path)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.return_value == "done" and len(row.worker_ids) == 2
