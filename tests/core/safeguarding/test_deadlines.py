"""When a safeguarding referral is due, and where a concern stands (winnow.core.safeguarding)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from winnow.core.safeguarding import State, Trigger, access_recorded, deadline, due_day, standing


def test_immediate_danger_is_due_by_the_end_of_the_same_london_day_whatever_the_setting() -> None:
    raised = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    for days in (0, 1, 5):
        due = deadline(trigger=Trigger.IMMEDIATE_DANGER, raised_at=raised, days=days)
        assert due == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # London is on UTC in December
        assert due_day(due) == date(2026, 12, 2)


def test_the_other_triggers_are_due_by_the_end_of_the_day_the_setting_names() -> None:
    raised = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert deadline(trigger="household_or_access", raised_at=raised, days=1) == datetime(2026, 12, 4, tzinfo=UTC)
    assert deadline(trigger=Trigger.VICTIM_IDENTIFIED, raised_at=raised, days=0) == datetime(2026, 12, 3, tzinfo=UTC)


def test_the_day_is_the_london_day_in_summer_time() -> None:
    raised = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London (BST)
    due = deadline(trigger=Trigger.IMMEDIATE_DANGER, raised_at=raised, days=1)
    assert due == datetime(2026, 7, 2, 23, 0, tzinfo=UTC)  # midnight at the end of 2 July, BST
    assert due_day(due) == date(2026, 7, 2)


def test_it_refuses_a_naive_time_and_negative_days() -> None:
    with pytest.raises(ValueError):
        deadline(trigger=Trigger.IMMEDIATE_DANGER, raised_at=datetime(2026, 12, 2), days=1)
    with pytest.raises(ValueError):
        deadline(trigger=Trigger.IMMEDIATE_DANGER, raised_at=datetime(2026, 12, 2, tzinfo=UTC), days=-1)


def test_a_concern_is_due_then_overdue_then_made_or_made_late() -> None:
    due = datetime(2026, 12, 3, tzinfo=UTC)
    assert standing(due_at=due, made_at=None, now=due - timedelta(minutes=1)).state is State.DUE
    assert standing(due_at=due, made_at=None, now=due).state is State.OVERDUE
    assert standing(due_at=due, made_at=due - timedelta(hours=1), now=due + timedelta(days=3)).state is State.MADE
    late = standing(due_at=due, made_at=due + timedelta(hours=1), now=due + timedelta(days=3))
    assert late.state is State.MADE_LATE and "after the deadline" in late.text


def test_only_a_yes_records_access_unknown_is_not_yes() -> None:
    answers = {"lives_with_children": "yes", "access_children_known": "unknown", "access_children_role": "no"}
    assert access_recorded(answers) == ["lives_with_children"]
    assert access_recorded({}) == []
