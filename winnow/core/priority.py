"""Priority and deadlines: what a unit should action next, and by when.

The order is: referrals still waiting for their first enforcement action before those already actioned; among
those waiting, a referral flagged "child believed to be in immediate danger" that has not yet been assessed, above
everything; then by decided band (an override wins over the computed band): Very High, then referrals still awaiting
assessment, then High, Medium, Low; within a tier, the earlier deadline first, then the earlier receipt.

A band computed by an assessment but not yet confirmed or overridden by a supervisor is *provisional*: it places
the referral in that band's tier at once, with the deadline counted from the assessment, and the reason says it is
awaiting a decision. The supervisor's decision then confirms it or moves it.

Unassessed referrals sit just below Very High because any of them may turn out to be Very High, and their
assessment deadline (default 2 days) is short. Deadlines are counted in calendar days on the Europe/London wall
clock, so a 7-day deadline set at 09:00 falls at 09:00 a week later even across a clock change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Band(StrEnum):
    VERY_HIGH = "very_high"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


class Tier(IntEnum):
    """Lower sorts first."""

    DANGER_UNASSESSED = 0
    VERY_HIGH = 1
    UNASSESSED = 2
    HIGH = 3
    MEDIUM = 4
    LOW = 5
    # Once the first enforcement action has happened, the referral stays open for case work but no longer competes
    # for "what to action next": it sorts after every referral still waiting, in the same band order.
    ACTIONED_OFFSET = 10


_BAND_TIER = {Band.VERY_HIGH: Tier.VERY_HIGH, Band.HIGH: Tier.HIGH, Band.MEDIUM: Tier.MEDIUM, Band.LOW: Tier.LOW}


@dataclass(frozen=True)
class DeadlinePolicy:
    """Days to action per band, and days to assess an unassessed referral (HMICFRS 2023 defaults)."""

    band_days: Mapping[Band, int] = field(
        default_factory=lambda: {Band.VERY_HIGH: 1, Band.HIGH: 7, Band.MEDIUM: 14, Band.LOW: 30}
    )
    assessment_days: int = 2

    def __post_init__(self) -> None:
        missing = set(Band) - set(self.band_days)
        if missing:
            raise ValueError(f"deadline policy has no days for {', '.join(sorted(missing))}")
        if any(days < 0 for days in self.band_days.values()) or self.assessment_days < 0:
            raise ValueError("deadline days cannot be negative")


@dataclass(frozen=True)
class Priority:
    tier: int  # a Tier, plus Tier.ACTIONED_OFFSET once actioned
    deadline_at: datetime
    reason: str


def add_days(start: datetime, days: int, tz: ZoneInfo = LONDON) -> datetime:
    """`days` calendar days later on the local wall clock, returned in UTC-aware form.

    Python adds timedeltas to zoneinfo-aware datetimes in wall-clock time; a wall time that does not exist (spring
    forward) is resolved by `fold`-free normalisation through UTC, which moves it forward by the gap.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local = start.astimezone(tz) + timedelta(days=days)
    return local.astimezone(ZoneInfo("UTC"))


def prioritise(
    *,
    received_at: datetime,
    immediate_danger: bool,
    band: Band | str | None,
    decided_at: datetime | None,
    policy: DeadlinePolicy | None = None,
    actioned: bool = False,
    provisional: bool = False,
) -> Priority:
    """The tier and deadline of one referral. `band` is the decided band (override wins), None if unassessed;
    `provisional` says it is a computed band awaiting a supervisor's decision (`decided_at`: when it was computed)."""
    waiting = _prioritise_waiting(received_at=received_at, immediate_danger=immediate_danger, band=band,
                                  decided_at=decided_at, policy=policy or DeadlinePolicy())
    if provisional and band:
        waiting = Priority(waiting.tier, waiting.deadline_at, f"{waiting.reason} (computed; awaiting decision)")
    if not actioned:
        return waiting
    return Priority(waiting.tier + Tier.ACTIONED_OFFSET, waiting.deadline_at, f"actioned ({waiting.reason})")


def _prioritise_waiting(
    *, received_at: datetime, immediate_danger: bool, band: Band | str | None, decided_at: datetime | None,
    policy: DeadlinePolicy,
) -> Priority:
    if band is None or band == "":
        deadline = add_days(received_at, policy.assessment_days)
        if immediate_danger:
            return Priority(Tier.DANGER_UNASSESSED, deadline, "child believed in immediate danger; not yet assessed")
        return Priority(Tier.UNASSESSED, deadline, f"awaiting assessment (within {policy.assessment_days} days)")
    band = Band(band)
    if decided_at is None:
        raise ValueError("a decided band needs the time it was decided")
    days = policy.band_days[band]
    return Priority(_BAND_TIER[band], add_days(decided_at, days), f"{band.label}: action within {days} days")


def sort_key(priority: Priority, received_at: datetime) -> tuple[int, datetime, datetime]:
    return (int(priority.tier), priority.deadline_at, received_at)
