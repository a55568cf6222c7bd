"""Certification per instrument version, from an officer's training attempts (pure: time is a parameter).

The pass standard is the force's (defaults: at least 85% item agreement with the reference, pooled over the
officer's latest attempt at each vignette, and the exact band on at least 80% of those vignettes, over at least
`min_vignettes` different vignettes). A certification lasts `refresher_months`; after that a refresher is due and
the officer is not certified until they meet the standard again with attempts made within one refresher period.
A new instrument version is a new certification: attempts count only for the version they were made on.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DUE_SOON = timedelta(days=30)


@dataclass(frozen=True)
class Standard:
    min_item_agreement: float = 0.85
    min_band_exact: float = 0.80
    min_vignettes: int = 6
    refresher_months: int = 12

    def __post_init__(self) -> None:
        if not (0 < self.min_item_agreement <= 1 and 0 < self.min_band_exact <= 1):
            raise ValueError("the pass marks are shares between 0 and 1")
        if self.min_vignettes < 1 or not 1 <= self.refresher_months <= 120:
            raise ValueError("at least one vignette, and a refresher between 1 and 120 months")


@dataclass(frozen=True)
class Attempt:
    vignette_id: str
    items_agreed: int
    items_total: int
    outcome_exact: bool
    completed_at: datetime


@dataclass(frozen=True)
class Status:
    certified: bool
    certified_at: datetime | None  # when the standard was last met
    refresher_due: datetime | None
    vignettes: int  # distinct vignettes counted now (within one refresher period)
    item_agreement: float | None
    outcome_exact: float | None
    items_agreed: int = 0  # the counts behind the two shares, for their n and interval
    items_total: int = 0
    outcomes_exact: int = 0

    @property
    def label(self) -> str:
        if self.certified:
            return "Certified"
        return "Refresher overdue" if self.certified_at is not None else "Not certified"

    def due_soon(self, now: datetime) -> bool:
        return self.certified and self.refresher_due is not None and self.refresher_due - now <= DUE_SOON


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


Measured = tuple[int, float | None, float | None, int, int, int]


def _measure(attempts: list[Attempt]) -> Measured:
    latest: dict[str, Attempt] = {}
    for attempt in attempts:  # in time order, so the last one per vignette wins
        latest[attempt.vignette_id] = attempt
    if not latest:
        return 0, None, None, 0, 0, 0
    total = sum(a.items_total for a in latest.values())
    agreed = sum(a.items_agreed for a in latest.values())
    exact = sum(a.outcome_exact for a in latest.values())
    return len(latest), (agreed / total if total else None), exact / len(latest), agreed, total, exact


def _meets(standard: Standard, measured: Measured) -> bool:
    n, agreement, exact = measured[:3]
    return (n >= standard.min_vignettes and agreement is not None and exact is not None
            and agreement >= standard.min_item_agreement and exact >= standard.min_band_exact)


def status(attempts: Iterable[Attempt], standard: Standard, *, now: datetime) -> Status:
    ordered = sorted((a for a in attempts if a.completed_at <= now), key=lambda a: a.completed_at)
    certified_at = None
    for i, attempt in enumerate(ordered):
        window_start = add_months(attempt.completed_at, -standard.refresher_months)
        window = [a for a in ordered[: i + 1] if a.completed_at > window_start]
        if _meets(standard, _measure(window)):
            certified_at = attempt.completed_at
    current = _measure([a for a in ordered if a.completed_at > add_months(now, -standard.refresher_months)])
    if certified_at is None:
        return Status(False, None, None, *current)
    due = add_months(certified_at, standard.refresher_months)
    return Status(now < due, certified_at, due, *current)
