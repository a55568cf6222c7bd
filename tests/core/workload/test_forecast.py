from __future__ import annotations

import pytest

from winnow.core.priority import Band
from winnow.core.workload import forecast, percentile

DAYS = {Band.VERY_HIGH: 1, Band.HIGH: 7, Band.MEDIUM: 14, Band.LOW: 30}


def test_it_computes_percentiles_like_numpy() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46.0)
    assert percentile([], 0.5) is None


def test_it_keeps_a_steady_state_when_capacity_equals_intake() -> None:
    weeks = forecast(backlog_ages={}, weekly_intake={Band.HIGH: 5}, weekly_capacity=5, deadline_days=DAYS, officers=5)
    assert [w.total_backlog for w in weeks] == [0] * 8


def test_it_grows_the_backlog_when_intake_exceeds_capacity_and_serves_very_high_first() -> None:
    weeks = forecast(backlog_ages={Band.LOW: [1.0] * 10}, weekly_intake={Band.VERY_HIGH: 2, Band.LOW: 4},
                     weekly_capacity=4, deadline_days=DAYS, officers=4)
    assert [w.total_backlog for w in weeks] == [12, 14, 16, 18, 20, 22, 24, 26]
    assert all(w.backlog[Band.VERY_HIGH] == 0 for w in weeks)
    assert weeks[-1].overdue[Band.LOW] > 0  # the low backlog ages past 30 days


def test_it_scales_capacity_with_officers() -> None:
    common = dict(backlog_ages={Band.MEDIUM: [0.0] * 40}, weekly_intake={Band.MEDIUM: 4}, weekly_capacity=4,
                  deadline_days=DAYS, officers=4)
    as_now = forecast(**common)  # type: ignore[arg-type]
    more = forecast(**common, officer_change=2)  # type: ignore[arg-type]
    fewer = forecast(**common, officer_change=-2)  # type: ignore[arg-type]
    assert more[-1].total_backlog < as_now[-1].total_backlog < fewer[-1].total_backlog
    assert more[-1].total_backlog == 40 - 8 * 2


def test_it_refuses_impossible_staffing() -> None:
    with pytest.raises(ValueError):
        forecast(backlog_ages={}, weekly_intake={}, weekly_capacity=1, deadline_days=DAYS, officers=0)
    with pytest.raises(ValueError):
        forecast(backlog_ages={}, weekly_intake={}, weekly_capacity=1, deadline_days=DAYS, officers=2, officer_change=-3)
