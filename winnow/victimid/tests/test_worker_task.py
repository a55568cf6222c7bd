"""Series grow by the task worker, not by reading a page: the heartbeat enqueues one task when scans or hash sets
wait, the task takes them in, and the queue page only says what is still waiting."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from winnow.victimid.models import Series, SeriesIntake
from winnow.victimid.services import series_pending
from winnow.victimid.tasks import series_enqueue_if_pending
from winnow.worker.tests.support import run_ready_tasks

pytestmark = pytest.mark.django_db


def test_the_heartbeat_enqueues_once_and_the_task_forms_the_series(scanned: dict[str, Any], client: Any,
                                                                    forensic: Any) -> None:
    assert series_pending() == (2, 1)  # two summarised scans, one hash set loaded
    client.force_login(forensic)
    page = client.get(reverse("victimid:queue")).content.decode()
    assert "Not yet in these series: 2 summarised scan results and 1 newly loaded hash set" in page
    assert Series.objects.count() == 0 and SeriesIntake.objects.count() == 0  # reading wrote nothing

    assert series_enqueue_if_pending() is True
    assert series_enqueue_if_pending() is False  # one task waits already: not a second
    ours = DBTaskResult.objects.filter(task_path="winnow.victimid.tasks.series_bring_up_to_date")
    assert ours.count() == 1
    run_ready_tasks()  # with the fixtures' own tasks (follow-ups, linkage)
    assert series_pending() == (0, 0) and SeriesIntake.objects.count() == 2 and Series.objects.count() == 2
    assert ours.get().status == "SUCCESSFUL"
    assert series_enqueue_if_pending() is False  # nothing waits

    page = client.get(reverse("victimid:queue")).content.decode()
    assert "Not yet in these series" not in page and "2 open series" in page
