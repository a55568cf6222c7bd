"""Time to re-referral: a later referral of a person linkage has merged is an event, the rest are censored. The
events are derived (`RereferralCase`), counted from linkage decisions by the task worker and from first case facts
by the recording service; they must equal independent SQL over the memberships after every kind of decision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from winnow.core.trends import kaplan_meier
from winnow.linkage.models import Merge
from winnow.linkage.services import merge_undo
from winnow.research.gather import km_intervals, rereferral
from winnow.research.models import RereferralCase
from winnow.research.rereferral import rereferral_pending, rereferral_rebuild, rereferral_refresh
from winnow.research.services import case_facts_record
from winnow.research.tasks import rereferral_refresh_due, rereferral_refresh_task

from .factories import fictional_referral
from .linking import link

# Each case's current person is its latest membership whose merge is not undone; the event is the earliest later
# referral of another current member. Written without the code under test's helpers.
REFERENCE = """
WITH standing AS (
  SELECT m.id, m.subject_id, m.person_id FROM linkage_personmembership m
  WHERE NOT EXISTS (SELECT 1 FROM linkage_mergeundo u WHERE u.merge_id = m.merge_id)
), cur AS (
  SELECT s.subject_id, s.person_id FROM standing s
  WHERE s.id = (SELECT MAX(t.id) FROM standing t WHERE t.subject_id = s.subject_id)
), member AS (
  SELECT cur.subject_id, cur.person_id, r.received_at FROM cur
  JOIN referrals_subject s ON s.id = cur.subject_id JOIN referrals_referral r ON r.id = s.referral_id
)
SELECT a.subject_id, f.quarter, a.received_at,
       (SELECT MIN(b.received_at) FROM member b WHERE b.person_id = a.person_id AND b.received_at > a.received_at)
FROM member a JOIN research_casefact f ON f.subject_id = a.subject_id AND f.measure = 'age_band' AND f.current
WHERE (SELECT COUNT(*) FROM member b WHERE b.person_id = a.person_id) > 1
"""


def _when(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value  # SQLite answers text
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _reference() -> set[tuple[int, int, int | None]]:
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE)
        rows = cursor.fetchall()
    return {(subject, quarter, None if later is None else round(
        (_when(later) - _when(received)).total_seconds() / 86400)) for subject, quarter, received, later in rows}


def _derived() -> set[tuple[int, int, int | None]]:
    return set(RereferralCase.objects.values_list("subject_id", "quarter", "days"))


def test_it_counts_the_days_to_the_next_linked_referral_and_censors_the_rest(units: Any, supervisor: Any) -> None:
    north = units["north"]
    first = fictional_referral(north, supervisor, 1, "2021-01-10T12:00:00+00:00")
    again = fictional_referral(north, supervisor, 2, "2021-04-20T12:00:00+00:00")  # 100 days later
    alone = fictional_referral(north, supervisor, 3, "2022-01-01T12:00:00+00:00")
    fictional_referral(north, supervisor, 4, "2022-02-01T12:00:00+00:00")  # no case facts: not followed
    for referral in (first, again, alone):
        case_facts_record(actor=supervisor, subject=referral.subjects.get(), facts={"sex": ["male"]})
    rereferral_refresh(unit_id=north.pk)
    link(supervisor, first.subjects.get(), again.subjects.get())
    today = date(2023, 1, 1)
    before = rereferral(north.pk, today=today)
    assert (before.km.events, before.pending) == (0, 1)  # the merge is not counted until the worker counts it
    rereferral_refresh(unit_id=north.pk)
    result = rereferral(north.pk, today=today)
    # The event is exact; censored follow-up runs from the middle of the quarter received (15 May 2021 for the
    # second referral, 15 February 2022 for the third).
    expected = kaplan_meier([100.0, (today - date(2021, 5, 15)).days, (today - date(2022, 2, 15)).days],
                            [True, False, False])
    assert result.km == expected
    assert (result.referrals, result.linked, result.km.events, result.pending) == (3, 2, 1, 0)
    assert result.km.survival_at(100) == pytest.approx(2 / 3)
    intervals = km_intervals(result.km)
    assert intervals[1]["events"] == 1 and intervals[0]["at_risk"] == 3


def test_the_derived_events_equal_independent_sql_after_merges_joins_undos_and_new_cases(
    units: Any, supervisor: Any
) -> None:
    north = units["north"]
    made = [fictional_referral(north, supervisor, i, f"20{19 + i // 4}-{1 + 3 * (i % 4):02d}-0{1 + i % 8}T09:00:00+00:00")
            for i in range(10)]
    subjects = [r.subjects.get() for r in made]
    for s in subjects[:8]:  # the last two have no case facts yet
        case_facts_record(actor=supervisor, subject=s, facts={"sex": ["male"]})
    steps = [
        lambda: link(supervisor, subjects[0], subjects[3]),
        lambda: link(supervisor, subjects[5], subjects[1]),
        lambda: link(supervisor, subjects[3], subjects[5]),  # two people become one
        lambda: link(supervisor, subjects[8], subjects[6]),  # a subject without facts joins a case's person
        lambda: merge_undo(merge=Merge.objects.filter(undo__isnull=True).latest("id"), actor=supervisor,
                           reason="Fictional: wrong match."),  # the last link
        lambda: merge_undo(merge=Merge.objects.filter(undo__isnull=True).latest("id"), actor=supervisor,
                           reason="Fictional: wrong match."),  # the two people are two again
        lambda: case_facts_record(actor=supervisor, subject=subjects[8], facts={"sex": ["male"]}),  # a new case
        lambda: link(supervisor, subjects[9], subjects[2]),
        lambda: case_facts_record(actor=supervisor, subject=subjects[9], facts={"sex": ["male"]}),
    ]
    seen = []
    for step in steps:
        step()
        rereferral_refresh(unit_id=north.pk)
        assert rereferral_pending(north.pk)[0] == 0
        assert _derived() == _reference()
        seen.append(len(_derived()))
    assert max(seen) >= 4 and any(d is not None for _, _, d in _derived())
    incremental = _derived()
    rereferral_rebuild(unit_id=north.pk)
    assert _derived() == incremental


def test_a_case_recorded_after_its_merge_counts_at_once(units: Any, supervisor: Any) -> None:
    north = units["north"]
    a = fictional_referral(north, supervisor, 1, "2021-01-10T12:00:00+00:00").subjects.get()
    b = fictional_referral(north, supervisor, 2, "2021-01-20T12:00:00+00:00").subjects.get()
    link(supervisor, a, b)
    rereferral_refresh(unit_id=north.pk)
    assert not _derived()  # nobody is a case yet
    case_facts_record(actor=supervisor, subject=a, facts={"sex": ["male"]})
    assert _derived() == {(a.pk, 20211, 10)}


def test_the_worker_heartbeat_enqueues_one_refresh_per_unit_with_uncounted_decisions(
    units: Any, supervisor: Any
) -> None:
    north = units["north"]
    a = fictional_referral(north, supervisor, 1, "2021-01-10T12:00:00+00:00").subjects.get()
    b = fictional_referral(north, supervisor, 2, "2021-03-10T12:00:00+00:00").subjects.get()
    for s in (a, b):
        case_facts_record(actor=supervisor, subject=s, facts={"sex": ["male"]})
    rereferral_refresh(unit_id=north.pk)
    assert rereferral_refresh_due() == []  # everything counted: nothing to do
    link(supervisor, a, b)
    tasks = DBTaskResult.objects.filter(task_path=rereferral_refresh_task.module_path)
    before = tasks.count()
    assert rereferral_refresh_due() == [north.pk]
    assert rereferral_refresh_due() == []  # one already waits
    assert tasks.count() == before + 1
    row = tasks.get(status=TaskResultStatus.READY)
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
    row.claim(worker.worker_id)
    worker.run_task(row)  # as `winnow worker` runs it
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value["subjects"] == 2
    assert _derived() == {(a.pk, 20211, 59), (b.pk, 20211, None)}
    assert rereferral_pending(north.pk)[0] == 0
