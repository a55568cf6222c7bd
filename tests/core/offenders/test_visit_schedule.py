"""The visit plan with a frozen clock: frequencies, clock changes, missed visits, reactive management and the
in-person lapse (remote contacts standing in for visits)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from winnow.core.offenders import (
    PRE_2017_VISITS,
    ContactFact,
    DueState,
    Interval,
    Mode,
    Outcome,
    Risk,
    Schedule,
    Unit,
    add_interval,
    contacts_by_month,
    review_due,
    visit_schedule,
)
from winnow.core.priority import LONDON

START = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # 10:00 GMT
QUARTERLY = Interval(3)


def _schedule(contacts: list[ContactFact], now: datetime, *, every: Interval = QUARTERLY,
              in_person: Interval = QUARTERLY, reactive: bool = False) -> Schedule:
    return visit_schedule(contacts=contacts, plan_start=START, visit_interval=every, in_person_interval=in_person,
                          reactive=reactive, now=now)


def test_it_offers_the_pre_2017_schedule_as_defaults() -> None:
    assert [PRE_2017_VISITS[r].number for r in (Risk.VERY_HIGH, Risk.HIGH, Risk.MEDIUM, Risk.LOW)] == [1, 3, 6, 12]


@pytest.mark.parametrize(("interval", "due"), [
    (Interval(1), datetime(2026, 2, 12, 10, 0, tzinfo=UTC)),
    (Interval(3), datetime(2026, 4, 12, 9, 0, tzinfo=UTC)),  # 10:00 BST after the spring clock change
    (Interval(6), datetime(2026, 7, 12, 9, 0, tzinfo=UTC)),
    (Interval(12), datetime(2027, 1, 12, 10, 0, tzinfo=UTC)),
    (Interval(2, Unit.WEEKS), datetime(2026, 1, 26, 10, 0, tzinfo=UTC)),
])
def test_it_counts_each_frequency_from_the_last_contact(interval: Interval, due: datetime) -> None:
    seen = ContactFact(START, Mode.HOME_VISIT, Outcome.SEEN)
    schedule = _schedule([seen], START + timedelta(days=1), every=interval)
    assert schedule.visit.due_at == due
    assert schedule.visit.due_at.astimezone(LONDON).hour == 10


def test_it_keeps_the_local_time_across_the_autumn_clock_change() -> None:
    summer = datetime(2026, 9, 20, 8, 30, tzinfo=UTC)  # 09:30 BST
    due = add_interval(summer, Interval(2))
    assert due == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # 09:30 GMT
    weekly = add_interval(datetime(2026, 10, 20, 8, 30, tzinfo=UTC), Interval(1, Unit.WEEKS))
    assert weekly.astimezone(LONDON).strftime("%d %H:%M") == "27 09:30"


def test_it_marks_due_soon_and_overdue_at_the_exact_minute() -> None:
    seen = ContactFact(START, Mode.HOME_VISIT, Outcome.SEEN)
    due = _schedule([seen], START).visit.due_at
    assert _schedule([seen], due - timedelta(days=15)).visit.state is DueState.SCHEDULED
    assert _schedule([seen], due - timedelta(days=13)).visit.state is DueState.DUE_SOON
    assert _schedule([seen], due).visit.state is DueState.DUE_SOON
    assert _schedule([seen], due + timedelta(minutes=1)).visit.state is DueState.OVERDUE


def test_it_counts_from_the_plan_start_before_any_contact() -> None:
    schedule = _schedule([], START + timedelta(days=100))
    assert schedule.visit.due_at == add_interval(START, Interval(3))
    assert schedule.visit.overdue and "no contact yet" in schedule.visit.based_on
    assert schedule.lapse is None  # nothing remote happened: overdue, not a lapse


def test_it_does_not_let_a_missed_visit_move_the_due_date() -> None:
    seen = ContactFact(START, Mode.HOME_VISIT, Outcome.SEEN)
    missed = [ContactFact(START + timedelta(days=80), Mode.HOME_VISIT, Outcome.NOT_SEEN),
              ContactFact(START + timedelta(days=85), Mode.DOORSTEP, Outcome.REFUSED)]
    schedule = _schedule([seen, *missed], START + timedelta(days=95))
    assert schedule.visit.due_at == add_interval(START, Interval(3))
    assert schedule.visit.overdue
    assert schedule.missed == 2


def test_it_raises_the_in_person_lapse_when_only_remote_contacts_happen() -> None:
    visit = ContactFact(START, Mode.HOME_VISIT, Outcome.SEEN)
    calls = [ContactFact(START + timedelta(days=d), Mode.PHONE, Outcome.SEEN) for d in (30, 60, 85)]
    video = ContactFact(START + timedelta(days=110), Mode.VIDEO, Outcome.SEEN)
    now = START + timedelta(days=120)
    schedule = _schedule([visit, *calls, video], now)
    assert not schedule.visit.overdue  # the plan's contacts are kept ...
    assert schedule.lapse is not None  # ... but nobody has been seen in person
    assert schedule.lapse.since == START and schedule.lapse.remote_contacts == 4
    assert schedule.lapse.due_at == add_interval(START, Interval(3))


def test_it_keeps_the_lapse_until_an_in_person_contact() -> None:
    calls = [ContactFact(START + timedelta(days=d), Mode.PHONE, Outcome.SEEN) for d in (30, 100)]
    now = START + timedelta(days=120)
    assert _schedule(calls, now).lapse is not None
    not_home = ContactFact(START + timedelta(days=110), Mode.HOME_VISIT, Outcome.NOT_SEEN)
    assert _schedule([*calls, not_home], now).lapse is not None  # an attempted visit is not a visit
    doorstep = ContactFact(START + timedelta(days=115), Mode.DOORSTEP, Outcome.SEEN)
    assert _schedule([*calls, doorstep], now).lapse is None


def test_it_raises_no_lapse_within_the_in_person_interval() -> None:
    calls = [ContactFact(START + timedelta(days=10), Mode.VIDEO, Outcome.SEEN)]
    assert _schedule(calls, add_interval(START, Interval(3))).lapse is None
    assert _schedule(calls, add_interval(START, Interval(3)) + timedelta(minutes=1)).lapse is not None


def test_it_schedules_only_an_annual_in_person_notification_under_reactive_management() -> None:
    notified = ContactFact(START, Mode.POLICE_STATION, Outcome.SEEN)
    call = ContactFact(START + timedelta(days=200), Mode.PHONE, Outcome.SEEN)
    schedule = _schedule([notified, call], START + timedelta(days=300), every=Interval(1), reactive=True)
    assert schedule.visit.due_at == datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # a phone call does not count
    assert "annual notification in person" in schedule.visit.based_on
    assert not schedule.visit.overdue and schedule.lapse is None
    assert _schedule([notified, call], START + timedelta(days=366), reactive=True).visit.overdue


def test_it_counts_reviews_from_the_last_review() -> None:
    review = review_due(last_review_at=START, plan_start=START - timedelta(days=400), interval=Interval(12),
                        now=START + timedelta(days=366))
    assert review.due_at == datetime(2027, 1, 12, 10, 0, tzinfo=UTC) and review.overdue
    first = review_due(last_review_at=None, plan_start=START, interval=Interval(6), now=START)
    assert first.state is DueState.SCHEDULED and "no review yet" in first.based_on


def test_it_counts_contacts_by_local_month_and_mode() -> None:
    late_march = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 April
    contacts = [ContactFact(late_march, Mode.PHONE, Outcome.SEEN),
                ContactFact(datetime(2026, 3, 2, tzinfo=UTC), Mode.HOME_VISIT, Outcome.SEEN),
                ContactFact(datetime(2026, 3, 3, tzinfo=UTC), Mode.HOME_VISIT, Outcome.NOT_SEEN)]
    months, counts = contacts_by_month(contacts, months=3, now=datetime(2026, 4, 15, tzinfo=UTC))
    assert [f"{m:%b}" for m in months] == ["Feb", "Mar", "Apr"]
    assert counts[Mode.PHONE] == [0, 0, 1]
    assert counts[Mode.HOME_VISIT] == [0, 1, 0]


def test_it_refuses_a_naive_start_and_a_zero_interval() -> None:
    with pytest.raises(ValueError):
        add_interval(datetime(2026, 1, 1), Interval(1))
    with pytest.raises(ValueError):
        Interval(0)


def test_it_shows_the_in_person_contact_overdue_whenever_a_lapse_stands() -> None:
    """The schedule's own in-person row agrees with the lapse: overdue while a lapse stands, due again after a
    visit, counted from the last in-person contact."""
    visit = ContactFact(START, Mode.HOME_VISIT, Outcome.SEEN)
    calls = [ContactFact(START + timedelta(days=d), Mode.PHONE, Outcome.SEEN) for d in (30, 60, 85, 110)]
    now = START + timedelta(days=120)
    schedule = _schedule([visit, *calls], now)
    assert schedule.lapse is not None and schedule.in_person is not None
    assert schedule.visit.state is not DueState.OVERDUE  # the phone calls keep the plan's contacts ...
    assert schedule.in_person.state is DueState.OVERDUE  # ... and the in-person row says what the banner says
    assert schedule.in_person.due_at == schedule.lapse.due_at
    assert "last in-person contact on" in schedule.in_person.based_on
    seen = ContactFact(START + timedelta(days=118), Mode.HOME_VISIT, Outcome.SEEN)
    after = _schedule([visit, *calls, seen], now)
    assert after.lapse is None and after.in_person is not None
    assert after.in_person.state is DueState.SCHEDULED and after.in_person.due_at == add_interval(seen.at, QUARTERLY)
