"""Managing registered sex offenders: notification periods, visit schedules, lapses and reactive management.

Pure Python (no Django). Facts from domain.md section 5:

- Notification periods: 30 months' custody or more: indefinite, with a review after 15 years (8 for those under 18
  at conviction); more than 6 and less than 30 months: 10 years; 6 months or less: 7 years; a caution: 2 years; a
  conditional discharge: its period; anything else: 5 years (Sexual Offences Act 2003 s.82(1), its table). For a
  person under 18 on the relevant date, s.82(2) substitutes one-half for "any reference to a period of 10 years,
  7 years, 5 years or 2 years": those four fixed periods halve; a conditional discharge's own period does not, and
  neither does the indefinite period (its review comes after 8 years rather than 15 under s.91B).
- Home visits before June 2017: very high monthly, high three-monthly, medium six-monthly, low yearly. Since then each
  offender's risk management plan sets the frequency; the old schedule is offered only as a default.
- Reactive management (low risk, three clean years, no civil orders, no intelligence): no home visits, an annual
  notification in person.
- The Covid lapse: in-person visits gave way to phone and video. A lapse is raised when no in-person contact has
  happened within the plan's in-person interval although remote contacts have; it stands until an in-person contact.

Every interval is counted on the Europe/London wall clock, so a visit due "3 months after 10:00" falls at 10:00 on
that day whatever the clock change between. Functions take `now`; nothing reads the clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from winnow.core.priority import LONDON, add_days
from winnow.core.trends.vocabulary import concealment_indicators

DUE_SOON_DAYS = 14


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


class Unit(StrEnum):
    WEEKS = "weeks"
    MONTHS = "months"


@dataclass(frozen=True)
class Interval:
    number: int
    unit: Unit = Unit.MONTHS

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError("an interval must be at least 1")

    def __str__(self) -> str:
        word = self.unit.value[:-1] if self.number == 1 else self.unit.value
        return f"every {word}" if self.number == 1 else f"every {self.number} {word}"


# The pre-June-2017 home-visit schedule. Offered as the default of a new plan, never imposed.
PRE_2017_VISITS = {
    Risk.VERY_HIGH: Interval(1),
    Risk.HIGH: Interval(3),
    Risk.MEDIUM: Interval(6),
    Risk.LOW: Interval(12),
}
REACTIVE_NOTIFICATION = Interval(12)  # reactive management: annual notification in person


class Mode(StrEnum):
    HOME_VISIT = "home_visit"
    DOORSTEP = "doorstep"
    POLICE_STATION = "police_station"
    PHONE = "phone"
    VIDEO = "video"

    @property
    def in_person(self) -> bool:
        return self in IN_PERSON


IN_PERSON = frozenset({Mode.HOME_VISIT, Mode.DOORSTEP, Mode.POLICE_STATION})
REMOTE = frozenset({Mode.PHONE, Mode.VIDEO})


# ------------------------------------------------------------------------------------------------- date arithmetic


def add_months_to_date(start: date, months: int) -> date:
    """Calendar months later; a day the target month lacks falls back to its last day (31 Jan + 1 month = 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_interval(start: datetime, interval: Interval, tz: ZoneInfo = LONDON) -> datetime:
    """`interval` later on the local wall clock, returned UTC-aware (see `winnow.core.priority.add_days`)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if interval.unit is Unit.WEEKS:
        return add_days(start, 7 * interval.number, tz)
    local = start.astimezone(tz)
    moved = add_months_to_date(local.date(), interval.number)
    return add_days(local, (moved - local.date()).days, tz)


# --------------------------------------------------------------------------------------------- notification period


class Disposal(StrEnum):
    CUSTODY = "custody"
    CAUTION = "caution"
    CONDITIONAL_DISCHARGE = "conditional_discharge"
    OTHER = "other"


@dataclass(frozen=True)
class NotificationPeriod:
    indefinite: bool
    ends_on: date | None  # None when indefinite
    review_from: date | None  # indefinite only: the earliest date a review may be sought
    reason: str


def notification_period(
    *,
    disposal: Disposal | str,
    starts_on: date,
    under_18: bool,
    custody_months: int | None = None,
    discharge_months: int | None = None,
) -> NotificationPeriod:
    """The notification period from the sentence. `starts_on` is the relevant date (conviction, finding or caution).

    Raises ValueError naming the missing or impossible part of the sentence."""
    disposal = Disposal(disposal)
    who = " (halved by s.82(2): under 18 on the relevant date)" if under_18 else ""
    if disposal is Disposal.CUSTODY:
        if custody_months is None or custody_months < 1:
            raise ValueError("custody_months: a custodial sentence needs its length in whole months (1 or more)")
        if custody_months >= 30:
            # s.91B(2): a review may be sought from the day after 15 years (8 if under 18 on the relevant date)
            # beginning with the day the offender gives the relevant notification, which Winnow does not record;
            # counted from the relevant date, `review_from` is the earliest that day can be (it falls later by the
            # time to that notification).
            years = 8 if under_18 else 15
            return NotificationPeriod(
                True, None, add_months_to_date(starts_on, 12 * years),
                f"custody of 30 months or more: indefinite, review after {years} years"
                + (" (under 18 at conviction)" if under_18 else ""),
            )
        months, what = (120, "custody over 6 and under 30 months: 10 years") if custody_months > 6 else (
            84, "custody of 6 months or less: 7 years")
    elif disposal is Disposal.CAUTION:
        months, what = 24, "caution: 2 years"
    elif disposal is Disposal.CONDITIONAL_DISCHARGE:
        if discharge_months is None or discharge_months < 1:
            raise ValueError("discharge_months: a conditional discharge needs its period in whole months (1 or more)")
        # s.82(2) names only the fixed periods: the discharge's own period stands, whatever the person's age.
        what = f"conditional discharge: its period of {discharge_months} months"
        if under_18:
            what += " (not halved: s.82(2) halves only the fixed periods of 10, 7, 5 and 2 years)"
        return NotificationPeriod(False, add_months_to_date(starts_on, discharge_months), None, what)
    else:
        months, what = 60, "other disposal: 5 years"
    if not under_18:
        return NotificationPeriod(False, add_months_to_date(starts_on, months), None, what)
    # 120, 84, 60 and 24 months: each half is a whole number of months.
    return NotificationPeriod(False, add_months_to_date(starts_on, months // 2), None, what + who)


# ------------------------------------------------------------------------------------------------------ schedules


class Outcome(StrEnum):
    SEEN = "seen"  # the contact happened
    NOT_SEEN = "not_seen"  # nobody answered, not at home, no reply
    REFUSED = "refused"  # refused entry or to engage
    CANCELLED = "cancelled"

    @property
    def counts(self) -> bool:
        return self is Outcome.SEEN


@dataclass(frozen=True)
class ContactFact:
    at: datetime
    mode: Mode
    outcome: Outcome


class DueState(StrEnum):
    SCHEDULED = "scheduled"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Due:
    due_at: datetime
    state: DueState
    based_on: str  # a sentence: what the date is counted from

    @property
    def overdue(self) -> bool:
        return self.state is DueState.OVERDUE


def _state(due_at: datetime, now: datetime) -> DueState:
    if now > due_at:
        return DueState.OVERDUE
    if now > due_at - timedelta(days=DUE_SOON_DAYS):
        return DueState.DUE_SOON
    return DueState.SCHEDULED


@dataclass(frozen=True)
class Lapse:
    """No in-person contact within the in-person interval, although remote contacts happened (the Covid lapse)."""

    since: datetime  # the last in-person contact, or the plan's start if there has been none
    due_at: datetime  # when an in-person contact was due
    remote_contacts: int  # remote contacts seen since then


@dataclass(frozen=True)
class Schedule:
    visit: Due
    lapse: Lapse | None
    missed: int  # contacts attempted but not made since the last one that counted
    # When an in-person contact is due, on its own: overdue whenever a lapse stands, so the page never shows a
    # scheduled contact beside a lapse banner without the in-person row that explains it.
    in_person: Due | None = None


def _local(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%d %b %Y %H:%M}"


def visit_schedule(
    *,
    contacts: Iterable[ContactFact],
    plan_start: datetime,
    visit_interval: Interval,
    in_person_interval: Interval,
    reactive: bool,
    now: datetime,
) -> Schedule:
    """When the next contact is due, and whether an in-person lapse stands.

    A contact counts only when it happened (outcome "seen"): a missed visit does not move the due date. Actively
    managed offenders: any mode that happened counts towards the visit plan, and the separate in-person check catches
    remote contacts standing in for visits. Reactive management: no home visits are scheduled; the annual
    notification in person is due 12 months after the last in-person contact, and only in-person contacts count."""
    made = sorted(contacts, key=lambda c: c.at)
    if reactive:
        visit_interval = in_person_interval = REACTIVE_NOTIFICATION
    counted = [c for c in made if c.outcome.counts and (c.mode.in_person or not reactive)]
    last = counted[-1] if counted else None
    base = last.at if last else plan_start
    due_at = add_interval(base, visit_interval)
    what = "annual notification in person" if reactive else "contact"
    based_on = (f"last {what} on {_local(base)}, {visit_interval}" if last
                else f"no {what} yet; plan started {_local(base)}, {visit_interval}")
    missed = sum(1 for c in made if c.at > base and not c.outcome.counts)
    visit = Due(due_at, _state(due_at, now), based_on)

    in_person = [c for c in made if c.outcome.counts and c.mode.in_person]
    since = in_person[-1].at if in_person else plan_start
    lapse_due = add_interval(since, in_person_interval)
    remote = [c for c in made if c.outcome.counts and not c.mode.in_person and c.at > since]
    lapse = Lapse(since, lapse_due, len(remote)) if now > lapse_due and remote else None
    in_person_based_on = (f"last in-person contact on {_local(since)}, {in_person_interval}" if in_person
                          else f"no in-person contact yet; plan started {_local(since)}, {in_person_interval}")
    in_person_due = Due(lapse_due, _state(lapse_due, now), in_person_based_on)
    return Schedule(visit, lapse, missed, in_person_due)


def review_due(*, last_review_at: datetime | None, plan_start: datetime, interval: Interval, now: datetime) -> Due:
    base = last_review_at or plan_start
    due_at = add_interval(base, interval)
    based_on = (f"last review on {_local(base)}, {interval}" if last_review_at
                else f"no review yet; plan started {_local(base)}, {interval}")
    return Due(due_at, _state(due_at, now), based_on)


# ------------------------------------------------------------------------------------------- reactive management

CLEAN_YEARS = 3


@dataclass(frozen=True)
class Rule:
    met: bool | None  # None: not known
    text: str


@dataclass(frozen=True)
class Eligibility:
    rules: tuple[Rule, ...]

    @property
    def eligible(self) -> bool:
        return all(rule.met is True for rule in self.rules)

    @property
    def blockers(self) -> tuple[str, ...]:
        return tuple(rule.text for rule in self.rules if rule.met is not True)


def reactive_eligibility(
    *,
    risk: Risk | str,
    clean_since: date | None,
    civil_orders: bool,
    intelligence_dates: Sequence[date],
    today: date,
) -> Eligibility:
    """Whether an offender may move to reactive management: low risk, three clean years, no civil orders, and no
    intelligence in those three years. An unknown clean-since date is not three clean years (unknown is not Yes)."""
    risk = Risk(risk)
    three_years_ago = add_months_to_date(today, -12 * CLEAN_YEARS)
    clean = None if clean_since is None else clean_since <= three_years_ago
    recent = [d for d in intelligence_dates if d > three_years_ago]
    return Eligibility((
        Rule(risk is Risk.LOW, f"risk of serious harm is low (now {risk.label})"),
        Rule(clean, "three clean years" + (" (no clean-since date recorded)" if clean_since is None
                                           else f" (clean since {clean_since:%d %b %Y})")),
        Rule(not civil_orders, "no civil orders" + (" (a civil order is in force)" if civil_orders else "")),
        Rule(not recent, "no intelligence in the last three years"
             + (f" ({len(recent)} intelligence link{'s' if len(recent) != 1 else ''})" if recent else "")),
    ))


# ------------------------------------------------------------------------------------------ digital risk indicators

# One vocabulary with the case facts recorded on every investigation (winnow/core/trends/case_facts.yaml).
DIGITAL_INDICATORS = concealment_indicators()


def forensic_support_needed(indicators: Iterable[str]) -> tuple[str, ...]:
    """The labels of the recorded digital risk indicators; any one means a new investigation needs specialist
    forensic support. Unknown codes are an error (a typo must not silently drop a flag)."""
    found = []
    for code in indicators:
        if code not in DIGITAL_INDICATORS:
            raise ValueError(f"{code!r} is not a digital risk indicator")
        found.append(DIGITAL_INDICATORS[code])
    return tuple(found)


# --------------------------------------------------------------------------------------------------- contacts chart


def month_start(at: datetime, tz: ZoneInfo = LONDON) -> date:
    local = at.astimezone(tz)
    return date(local.year, local.month, 1)


def contacts_by_month(
    contacts: Iterable[ContactFact], *, months: int, now: datetime
) -> tuple[list[date], dict[Mode, list[int]]]:
    """Contacts that happened, counted per local calendar month and mode, over the last `months` months."""
    last = month_start(now)
    firsts = [add_months_to_date(last, -n) for n in range(months - 1, -1, -1)]
    index = {d: i for i, d in enumerate(firsts)}
    counts = {mode: [0] * months for mode in Mode}
    for contact in contacts:
        slot = index.get(month_start(contact.at))
        if slot is not None and contact.outcome.counts:
            counts[contact.mode][slot] += 1
    return firsts, counts
