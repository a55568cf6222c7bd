"""Safeguarding referrals to children's social care: what makes one due, and by when.

Pure Python (no Django). A child identified as at risk needs a safeguarding referral to the local authority's
children's social care, followed by a strategy discussion (Working Together to Safeguard Children 2023). Winnow
raises a *concern* (a safeguarding referral due) on three triggers:

- a referral flagged "child believed to be in immediate danger" (as recorded, or corrected to Yes): due the same
  day, by midnight on the Europe/London wall clock of the day the flag was recorded;
- an assessment that records a child in the suspect's household, or the suspect's access to children (the
  `ACCESS_ITEMS` answered yes);
- a victim identified (victim identification's "child identified", or a "victim identified" case action).

The two last are due by midnight `days` days after the trigger (a deployment setting,
`WINNOW_SAFEGUARDING_DEADLINE_DAYS`, default 1: by the end of the next day). Functions take `now`; nothing reads
the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from winnow.core.priority import LONDON


class Trigger(StrEnum):
    IMMEDIATE_DANGER = "immediate_danger"
    HOUSEHOLD_OR_ACCESS = "household_or_access"
    VICTIM_IDENTIFIED = "victim_identified"

    @property
    def label(self) -> str:
        return TRIGGER_LABELS[self]


TRIGGER_LABELS = {
    Trigger.IMMEDIATE_DANGER: "A child is believed to be in immediate danger",
    Trigger.HOUSEHOLD_OR_ACCESS: "A child in the suspect's household, or with access, recorded in an assessment",
    Trigger.VICTIM_IDENTIFIED: "A victim identified",
}

# The assessment items (Winnow's phased-prioritisation aid) that record a child in the household or the suspect's
# access to children; victim identification reads the same items to rank series. A force's own instrument that
# uses other item ids adds them here.
ACCESS_ITEMS: Mapping[str, str] = {
    "lives_with_children": "lives with a child, or has a child to stay",
    "access_children_known": "has access to children of friends, acquaintances or neighbours",
    "access_children_role": "has access to children through work, volunteering or organised activities",
}


def access_recorded(answers: Mapping[str, object]) -> list[str]:
    """The access items an assessment answers yes (unknown is not yes: it raises nothing, and stays unknown)."""
    return [item for item in ACCESS_ITEMS if str(answers.get(item, "")).strip().lower() == "yes"]


class Outcome(StrEnum):
    """What the strategy discussion decided (Working Together 2023, chapter 4)."""

    SECTION_47 = "section_47"
    SECTION_17 = "section_17"
    IMMEDIATE_PROTECTION = "immediate_protection"
    NO_FURTHER_ACTION = "no_further_action"
    OTHER = "other"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.SECTION_47: "Section 47 enquiries (Children Act 1989)",
    Outcome.SECTION_17: "Child in need assessment or services (section 17)",
    Outcome.IMMEDIATE_PROTECTION: "Immediate protective action (police protection or an emergency protection order)",
    Outcome.NO_FURTHER_ACTION: "No further action by children's social care",
    Outcome.OTHER: "Other (say what in the notes)",
}


def _midnight_after(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of the day after `day` on the local wall clock, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def deadline(*, trigger: Trigger | str, raised_at: datetime, days: int, tz: ZoneInfo = LONDON) -> datetime:
    """When the safeguarding referral is due: the end of the local day the concern was raised for immediate
    danger; the end of the local day `days` later for the other triggers."""
    if raised_at.tzinfo is None:
        raise ValueError("raised_at must be timezone-aware")
    if days < 0:
        raise ValueError("safeguarding deadline days cannot be negative")
    trigger = Trigger(trigger)
    local_day = raised_at.astimezone(tz).date()
    after = 0 if trigger is Trigger.IMMEDIATE_DANGER else days
    return _midnight_after(local_day + timedelta(days=after), tz)


def due_day(due_at: datetime, tz: ZoneInfo = LONDON) -> date:
    """The local day a deadline ends (a deadline is the midnight after it)."""
    return (due_at.astimezone(tz) - timedelta(microseconds=1)).date()


class State(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    MADE = "made"
    MADE_LATE = "made_late"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Standing:
    state: State
    text: str


def standing(*, due_at: datetime, made_at: datetime | None, now: datetime, tz: ZoneInfo = LONDON,
             withdrawn_at: datetime | None = None) -> Standing:
    """Where a concern stands: made (in time or late) once a safeguarding referral covers it; withdrawn when a
    supervisor recorded that none is needed (and none was made); otherwise due until its deadline and overdue after."""
    by = f"{due_day(due_at, tz):%d %b %Y}"
    if made_at is not None:
        when = f"{made_at.astimezone(tz):%d %b %Y %H:%M}"
        if made_at >= due_at:
            return Standing(State.MADE_LATE, f"made {when}, after the deadline (end of {by})")
        return Standing(State.MADE, f"made {when}, by the deadline (end of {by})")
    if withdrawn_at is not None:
        late = " (after the deadline)" if withdrawn_at >= due_at else ""
        return Standing(State.WITHDRAWN, f"withdrawn {withdrawn_at.astimezone(tz):%d %b %Y %H:%M}{late}: no "
                                         "safeguarding referral needed")
    if now >= due_at:
        return Standing(State.OVERDUE, f"overdue: due by the end of {by}")
    return Standing(State.DUE, f"due by the end of {by}")
