"""The dashboard's figures equal independent SQL counts on the demo data."""

from __future__ import annotations

from datetime import UTC, timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from winnow.referrals.models import Referral
from winnow.workload import stats


def _sql(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall())


def test_it_matches_independent_sql_on_the_demo_data(db: Any) -> None:
    call_command("seed-demo", referrals=60, stdout=StringIO())
    now = timezone.now()
    data = stats.dashboard(Referral.objects.all(), now=now)

    open_rows = dict(_sql("SELECT band, COUNT(*) FROM referrals_referral WHERE status <> 'closed' GROUP BY band", []))
    assert {k: v for k, v in data.open_by_band.items() if v} == {(k or "unassessed"): v for k, v in open_rows.items()}
    overdue_rows = dict(_sql(
        "SELECT band, COUNT(*) FROM referrals_referral WHERE status <> 'closed' AND actioned_at IS NULL "
        "AND deadline_at < %s GROUP BY band", [now]))
    assert {k: v for k, v in data.overdue_by_band.items() if v} == {(k or "unassessed"): v for k, v in overdue_rows.items()}

    # Naive UTC, as Django stores it: SQLite compares a raw parameter as text, and an aware London time
    # ("...00:00:00+01:00") sorts after a referral received at 00:27 London (23:27 UTC the day before).
    since = data.weeks[0].astimezone(UTC).replace(tzinfo=None)
    [(received,)] = _sql("SELECT COUNT(*) FROM referrals_referral WHERE received_at >= %s", [since])
    [(closed,)] = _sql("SELECT COUNT(*) FROM referrals_referral WHERE closed_at >= %s", [since])
    assert (sum(data.intake), sum(data.completions)) == (received, closed)
    assert sum(data.intake) > 0

    week_end = min(data.weeks[-3] + timedelta(days=7), now)
    [(open_then,)] = _sql("SELECT COUNT(*) FROM referrals_referral WHERE received_at < %s "
                          "AND (closed_at IS NULL OR closed_at >= %s)", [week_end, week_end])
    assert data.backlog[-3] == open_then

    actioned = _sql("SELECT band, COUNT(*) FROM referrals_referral WHERE band <> '' AND actioned_at IS NOT NULL "
                    "AND received_at >= %s GROUP BY band", [now - timedelta(days=365)])
    assert {a.band: a.count for a in data.action_times if a.count} == dict(actioned)
    assert sum(a.count for a in data.action_times) > 10  # the demo data exercises it
