"""The queue's order, from a table of referrals, and deadline arithmetic across Europe/London clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winnow.core.priority import Band, DeadlinePolicy, Tier, add_days, prioritise, sort_key

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# name, received (hours after T0), immediate danger, decided band (override already applied), decided at (hours)
TABLE = [
    ("low-old", 0, False, "low", 1),
    ("high-late", 5, False, "high", 6),
    ("unassessed-new", 30, False, None, None),
    ("danger-unassessed", 40, True, None, None),
    ("very-high", 20, False, "very_high", 21),
    ("medium", 2, False, "medium", 3),
    ("danger-but-assessed-low", 1, True, "low", 2),
    ("high-early", 4, False, "high", 4.5),
    ("unassessed-old", 10, False, None, None),
    ("danger-unassessed-older", 35, True, None, None),
    ("very-high-same-deadline-earlier-receipt", 18, False, "very_high", 21),
]
EXPECTED = [
    "danger-unassessed-older",
    "danger-unassessed",
    "very-high-same-deadline-earlier-receipt",
    "very-high",
    "unassessed-old",
    "unassessed-new",
    "high-early",
    "high-late",
    "medium",
    "low-old",
    "danger-but-assessed-low",
]


def test_it_orders_a_table_of_referrals_exactly() -> None:
    keyed = []
    for name, received, danger, band, decided in TABLE:
        p = prioritise(received_at=_at(received), immediate_danger=danger, band=band,
                       decided_at=None if decided is None else _at(decided))
        keyed.append((sort_key(p, _at(received)), name))
    assert [name for _, name in sorted(keyed)] == EXPECTED


def test_it_gives_unassessed_referrals_an_assessment_deadline() -> None:
    p = prioritise(received_at=T0, immediate_danger=False, band=None, decided_at=None)
    assert (p.tier, p.deadline_at) == (Tier.UNASSESSED, T0 + timedelta(days=2))


def test_it_uses_the_configured_days() -> None:
    policy = DeadlinePolicy(band_days={Band.VERY_HIGH: 0, Band.HIGH: 3, Band.MEDIUM: 10, Band.LOW: 60}, assessment_days=1)
    p = prioritise(received_at=T0, immediate_danger=False, band="high", decided_at=T0, policy=policy)
    assert p.deadline_at == T0 + timedelta(days=3)


def test_it_refuses_an_incomplete_policy() -> None:
    with pytest.raises(ValueError, match="low"):
        DeadlinePolicy(band_days={Band.VERY_HIGH: 1, Band.HIGH: 7, Band.MEDIUM: 14})


@pytest.mark.parametrize(("start", "days", "expected"), [
    # Spring forward (29 Mar 2026, 01:00 GMT -> 02:00 BST): 09:00 GMT on 27 Mar + 7 days = 09:00 BST = 08:00 UTC.
    (datetime(2026, 3, 27, 9, 0, tzinfo=UTC), 7, datetime(2026, 4, 3, 8, 0, tzinfo=UTC)),
    # Fall back (25 Oct 2026, 02:00 BST -> 01:00 GMT): 09:00 BST on 24 Oct (08:00 UTC) + 1 day = 09:00 GMT.
    (datetime(2026, 10, 24, 8, 0, tzinfo=UTC), 1, datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
    # A 30-day deadline across the autumn change keeps the wall-clock time.
    (datetime(2026, 10, 10, 13, 30, tzinfo=UTC), 30, datetime(2026, 11, 9, 14, 30, tzinfo=UTC)),
    # Landing in the spring gap (01:30 local does not exist on 29 Mar 2026) moves forward past the gap.
    (datetime(2026, 3, 28, 1, 30, tzinfo=UTC), 1, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
])
def test_it_counts_deadlines_on_the_london_wall_clock_across_dst(start: datetime, days: int, expected: datetime) -> None:
    assert add_days(start, days) == expected


def test_it_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        add_days(datetime(2026, 1, 1, 9, 0), 1)  # noqa: DTZ001


@given(
    received=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    band=st.sampled_from([None, *Band]),
    danger=st.booleans(),
)
def test_it_never_sets_a_deadline_before_the_decision(received: datetime, band: Band | None, danger: bool) -> None:
    p = prioritise(received_at=received, immediate_danger=danger, band=band, decided_at=received if band else None)
    assert p.deadline_at >= received
    assert p.tier == (Tier.DANGER_UNASSESSED if danger and band is None else p.tier)


def test_it_puts_actioned_referrals_after_every_waiting_one_in_band_order() -> None:
    def tier(band: str | None, actioned: bool, danger: bool = False) -> int:
        return prioritise(received_at=T0, immediate_danger=danger, band=band, decided_at=T0 if band else None,
                          actioned=actioned).tier

    waiting_low = tier("low", False)
    actioned_very_high = tier("very_high", True)
    assert waiting_low < actioned_very_high < tier("low", True)
    assert tier(None, True, danger=True) > tier("low", False)
