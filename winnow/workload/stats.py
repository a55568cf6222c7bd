"""The supervisor dashboard's figures, computed in the database where they are counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from winnow.core.priority import Band
from winnow.core.workload import percentile, week_start, weekly_counts
from winnow.referrals.models import Status

UNASSESSED = "unassessed"
BAND_KEYS = [b.value for b in Band] + [UNASSESSED]
BAND_LABELS = {**{b.value: b.label for b in Band}, UNASSESSED: "Unassessed"}


@dataclass(frozen=True)
class ActionTimes:
    band: str
    count: int
    median_days: float | None
    p90_days: float | None
    target_days: int
    within_target: int


@dataclass(frozen=True)
class Dashboard:
    open_by_band: dict[str, int]
    overdue_by_band: dict[str, int]
    action_times: list[ActionTimes]
    weeks: list[datetime]
    intake: list[int]
    completions: list[int]
    backlog: list[int]


def _by_band(queryset: Any) -> dict[str, int]:
    counts = {key: 0 for key in BAND_KEYS}
    for row in queryset.values("band").annotate(n=Count("id")):
        counts[row["band"] or UNASSESSED] += row["n"]
    return counts


def recent_weeks(now: datetime, count: int) -> list[datetime]:
    """The last `count` complete weeks plus the current one, as Monday 00:00 Europe/London."""
    this_week = week_start(timezone.localtime(now))
    return [timezone.localtime(this_week - timedelta(weeks=i)).replace(hour=0) for i in range(count, -1, -1)]


def dashboard(referrals: Any, *, now: datetime, weeks: int = 12) -> Dashboard:
    """`referrals` is already limited to the user's units (Referral.objects.visible_to(user))."""
    week_starts = recent_weeks(now, weeks - 1)
    since = week_starts[0]
    received = referrals.filter(received_at__gte=since).values_list("received_at", flat=True)
    closed = referrals.filter(closed_at__gte=since).values_list("closed_at", flat=True)
    local = timezone.localtime
    backlog = []
    for start in week_starts:
        end = min(start + timedelta(days=7), now)
        backlog.append(
            referrals.filter(received_at__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)).count()
        )
    targets = settings.WINNOW_DEADLINE_DAYS
    durations: dict[str, list[float]] = {b.value: [] for b in Band}
    actioned = referrals.exclude(band="").filter(actioned_at__isnull=False, received_at__gte=now - timedelta(days=365))
    for band, received_at, actioned_at in actioned.values_list("band", "received_at", "actioned_at"):
        durations[band].append((actioned_at - received_at).total_seconds() / 86400)
    action_times = [
        ActionTimes(
            band=band, count=len(values), median_days=percentile(values, 0.5), p90_days=percentile(values, 0.9),
            target_days=targets[band], within_target=sum(1 for v in values if v <= targets[band]),
        )
        for band, values in durations.items()
    ]
    return Dashboard(
        open_by_band=_by_band(referrals.open()),
        overdue_by_band=_by_band(referrals.overdue(now)),
        action_times=action_times,
        weeks=week_starts,
        intake=weekly_counts((local(t) for t in received), week_starts),
        completions=weekly_counts((local(t) for t in closed), week_starts),
        backlog=backlog,
    )


def backlog_ages(referrals: Any, *, now: datetime) -> dict[Band, list[float]]:
    """Open, not-yet-actioned referrals' ages in days per decided band (unassessed counted as High: see page)."""
    ages: dict[Band, list[float]] = {b: [] for b in Band}
    for band, received_at in referrals.open().filter(actioned_at__isnull=True).values_list("band", "received_at"):
        ages[Band(band) if band else Band.HIGH].append((now - received_at).total_seconds() / 86400)
    return ages


def weekly_intake_by_band(referrals: Any, *, now: datetime, weeks: int) -> dict[Band, float]:
    start = recent_weeks(now, weeks)[0]
    end = recent_weeks(now, 0)[0]  # complete weeks only
    counts = referrals.filter(received_at__gte=start, received_at__lt=end).values("band").annotate(n=Count("id"))
    intake = {b: 0.0 for b in Band}
    for row in counts:
        intake[Band(row["band"]) if row["band"] else Band.HIGH] += row["n"] / weeks
    return intake


def weekly_capacity(referrals: Any, *, now: datetime, weeks: int) -> float:
    start = recent_weeks(now, weeks)[0]
    end = recent_weeks(now, 0)[0]
    return referrals.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end).count() / weeks


def csv_rows(rows: Iterable[Iterable[Any]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
