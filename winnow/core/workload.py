"""Workload statistics and the capacity forecast: pure functions over plain numbers and datetimes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from winnow.core.priority import Band

BAND_ORDER = (Band.VERY_HIGH, Band.HIGH, Band.MEDIUM, Band.LOW)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (the 'R-7' definition, as numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 of the moment's week, in the moment's own time zone."""
    day = moment - timedelta(days=moment.weekday())
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def weekly_counts(moments: Iterable[datetime], weeks: Sequence[datetime]) -> list[int]:
    """How many moments fall in each week (weeks are Monday starts, ascending)."""
    index = {w: i for i, w in enumerate(weeks)}
    counts = [0] * len(weeks)
    for moment in moments:
        i = index.get(week_start(moment))
        if i is not None:
            counts[i] += 1
    return counts


@dataclass(frozen=True)
class ForecastWeek:
    week: int  # 1 = next week
    backlog: dict[Band, float]
    overdue: dict[Band, float]

    @property
    def total_backlog(self) -> float:
        return sum(self.backlog.values())

    @property
    def total_overdue(self) -> float:
        return sum(self.overdue.values())


METHOD = (
    "Each band's weekly intake is the mean of the last N complete weeks. Weekly capacity is the mean number of "
    "referrals the unit completed per week over the same weeks, scaled by (officers + change) / officers. Each week "
    "the capacity is spent on the backlog in priority order, Very High first and oldest first within a band. A "
    "referral still waiting when it is older than its band's deadline counts as overdue. Intake and capacity are "
    "treated as steady averages: the forecast shows the trend, not week-to-week chance."
)


def forecast(
    *,
    backlog_ages: Mapping[Band, Sequence[float]],
    weekly_intake: Mapping[Band, float],
    weekly_capacity: float,
    deadline_days: Mapping[Band, int],
    officers: int,
    officer_change: int = 0,
    weeks: int = 8,
) -> list[ForecastWeek]:
    """Project backlog and overdue counts per band for the next `weeks` weeks (see METHOD).

    `backlog_ages` gives, per band, the age in days of each open referral now.
    """
    if officers <= 0:
        raise ValueError("officers must be at least 1")
    if officers + officer_change < 0:
        raise ValueError("cannot lose more officers than the unit has")
    capacity = max(weekly_capacity, 0.0) * (officers + officer_change) / officers
    # Cohorts per band: [age_days, count], oldest first.
    cohorts: dict[Band, list[list[float]]] = {
        band: sorted(([float(age), 1.0] for age in backlog_ages.get(band, ())), reverse=True) for band in BAND_ORDER
    }
    projection = []
    for week in range(1, weeks + 1):
        for band in BAND_ORDER:
            for cohort in cohorts[band]:
                cohort[0] += 7
            if weekly_intake.get(band, 0) > 0:
                cohorts[band].append([3.5, float(weekly_intake[band])])  # arrivals spread over the week
        remaining = capacity
        for band in BAND_ORDER:
            for cohort in cohorts[band]:  # oldest first
                if remaining <= 0:
                    break
                served = min(cohort[1], remaining)
                cohort[1] -= served
                remaining -= served
            cohorts[band] = [c for c in cohorts[band] if c[1] > 1e-9]
        projection.append(
            ForecastWeek(
                week=week,
                backlog={band: sum(c[1] for c in cohorts[band]) for band in BAND_ORDER},
                overdue={band: sum(c[1] for c in cohorts[band] if c[0] > deadline_days[band]) for band in BAND_ORDER},
            )
        )
    return projection
