"""Overdue safeguarding referrals for the supervisor's queue, dashboard and landing page (one include,
`safeguarding/_overdue.html`, fed by `overdue`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .models import Concern

SHOWN = 10


def overdue(units: set[int], now: datetime) -> dict[str, Any] | None:
    """The concerns in these units past their deadline with no safeguarding referral made, oldest deadline first;
    None when the person has no such units (the panel is not shown)."""
    if not units:
        return None
    late = Concern.objects.filter(unit_id__in=units).overdue(now)
    rows = list(late.select_related("referral").order_by("due_at", "id")[:SHOWN])
    # Fewer rows than the panel shows are all of them: no COUNT query (the usual case, an empty panel).
    return {"rows": rows, "count": len(rows) if len(rows) < SHOWN else late.count()}
