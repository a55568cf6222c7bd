"""Re-referral events, derived: for each case (a subject with case facts) in a person linkage has merged, the days
to the next later referral of that person. Kept in `RereferralCase` so the re-referral page reads a grouped count,
not every linked subject's referral.

Two things change the events: a subject's first case facts (`rereferral_recompute` for that subject, called by the
recording service in its transaction) and linkage decisions, merges and their undoing. Linkage sits below research
and cannot call it; `rereferral_refresh` counts the decisions made since the unit's `RereferralState` and is run by
the task worker (`rereferral_refresh_due` at each worker heartbeat enqueues it for every unit with decisions not yet
counted). `trends_rebuild` recomputes everything from the facts and the memberships.

A subject's person is its latest standing membership (as `winnow.linkage.services.current_person_ids` reads it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from winnow.linkage.models import Merge, MergeUndo, PersonMembership
from winnow.linkage.services import current_person_ids
from winnow.referrals.models import Subject

from .models import CaseFact, RereferralCase, RereferralState

CHUNK = 5000
# A decision whose transaction committed after a refresh read the latest id is found by its time within this margin
# (decisions are written in short transactions).
LATE_COMMIT = timedelta(minutes=5)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _members_of(person_ids: set[int]) -> dict[int, int]:
    """subject -> person for every subject whose current person is one of `person_ids`."""
    candidates: set[int] = set()
    for chunk in _chunks(person_ids):
        candidates |= set(PersonMembership.objects.standing().filter(person_id__in=chunk)
                          .values_list("subject_id", flat=True))
    current: dict[int, int] = {}
    for chunk in _chunks(candidates):
        current.update(current_person_ids(chunk))
    return {s: p for s, p in current.items() if p in person_ids}


def _unit_members(unit_id: int) -> dict[int, int]:
    current: dict[int, int] = {}
    for subject_id, person_id in (PersonMembership.objects.standing().filter(person__unit_id=unit_id)
                                  .order_by("id").values_list("subject_id", "person_id")):
        current[subject_id] = person_id
    return current


def _rows(unit_id: int, members: dict[int, int]) -> list[RereferralCase]:
    received: dict[int, datetime] = {}
    cases: dict[int, int] = {}
    for chunk in _chunks(members):
        received.update(Subject.objects.filter(pk__in=chunk).values_list("pk", "referral__received_at"))
        cases.update(CaseFact.objects.current().filter(measure="age_band", subject_id__in=chunk)
                     .values_list("subject_id", "quarter"))
    by_person: dict[int, list[int]] = defaultdict(list)
    for subject_id, person_id in members.items():
        by_person[person_id].append(subject_id)
    rows = []
    for subjects in by_person.values():
        if len(subjects) < 2:
            continue
        for subject_id in subjects:
            if subject_id not in cases:
                continue
            own = received[subject_id]
            later = min((received[s] for s in subjects if received[s] > own), default=None)
            days = None if later is None else round((later - own).total_seconds() / 86400)
            rows.append(RereferralCase(unit_id=unit_id, subject_id=subject_id, quarter=cases[subject_id], days=days))
    return rows


def _state(unit_id: int) -> RereferralState:
    """The unit's state row, locked until the transaction ends (so a refresh and a first recording take turns)."""
    RereferralState.objects.get_or_create(unit_id=unit_id)
    return RereferralState.objects.select_for_update().get(unit_id=unit_id)


def rereferral_recompute(*, unit_id: int, subject_ids: Iterable[int] | None = None) -> int:
    """Recompute the events of the given subjects and of everyone now in a person with them (all of the unit's
    when None). Returns the rows written."""
    with transaction.atomic():
        _state(unit_id)
        if subject_ids is None:
            members = _unit_members(unit_id)
            RereferralCase.objects.filter(unit_id=unit_id).delete()
        else:
            asked = set(subject_ids)
            persons: dict[int, int] = {}
            for chunk in _chunks(asked):
                persons.update(current_person_ids(chunk))
            members = _members_of(set(persons.values()))
            for chunk in _chunks(asked | set(members)):
                RereferralCase.objects.filter(subject_id__in=chunk).delete()
        rows = _rows(unit_id, members)
        RereferralCase.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


@dataclass(frozen=True)
class Decisions:
    merges_seen: int
    merges_counted: int
    undos_seen: int
    undos_counted: int


def _decisions(unit_id: int) -> Decisions:
    merges = Merge.objects.filter(unit_id=unit_id).aggregate(top=Max("id"), n=Count("id"))
    undos = MergeUndo.objects.filter(merge__unit_id=unit_id).aggregate(top=Max("id"), n=Count("id"))
    return Decisions(merges["top"] or 0, merges["n"], undos["top"] or 0, undos["n"])


def _counted(state: RereferralState) -> Decisions:
    return Decisions(state.merges_seen, state.merges_counted, state.undos_seen, state.undos_counted)


def rereferral_pending(unit_id: int) -> tuple[int, datetime | None]:
    """How many linkage decisions (merges and undos) the unit's re-referral events do not count yet, and when they
    were last counted."""
    state = RereferralState.objects.filter(unit_id=unit_id).first()
    now = _decisions(unit_id)
    counted = _counted(state) if state is not None else Decisions(0, 0, 0, 0)
    behind = (now.merges_counted - counted.merges_counted) + (now.undos_counted - counted.undos_counted)
    return (max(behind, 1) if now != counted else 0), state.refreshed_at if state is not None else None


def _store(state: RereferralState, seen: Decisions, now: datetime) -> None:
    state.merges_seen, state.merges_counted = seen.merges_seen, seen.merges_counted
    state.undos_seen, state.undos_counted = seen.undos_seen, seen.undos_counted
    state.refreshed_at = now
    state.save()


def rereferral_rebuild(*, unit_id: int, now: datetime | None = None) -> int:
    """Recompute all of the unit's events; every decision made before it started is then counted. Returns rows."""
    with transaction.atomic():
        state = _state(unit_id)
        seen = _decisions(unit_id)  # read first: a decision made during the rebuild is counted again next time
        rows = rereferral_recompute(unit_id=unit_id)
        _store(state, seen, now or timezone.now())
    return rows


def rereferral_refresh(*, unit_id: int, now: datetime | None = None) -> int:
    """Count the unit's linkage decisions made since the last refresh: recompute the subjects of each merge made or
    undone, and everyone who is or was in a person with them. Returns the subjects looked at (the rows written when
    nothing had been counted before, which recomputes everything)."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state(unit_id)
        seen = _decisions(unit_id)
        if seen == _counted(state):
            return 0
        since = (state.refreshed_at or now) - LATE_COMMIT
        changed = set(Merge.objects.filter(unit_id=unit_id).filter(Q(pk__gt=state.merges_seen) | Q(at__gte=since))
                      .values_list("pk", flat=True))
        changed |= set(MergeUndo.objects.filter(merge__unit_id=unit_id)
                       .filter(Q(pk__gt=state.undos_seen) | Q(at__gte=since)).values_list("merge_id", flat=True))
        if state.refreshed_at is None:  # never counted: everything
            touched = rereferral_recompute(unit_id=unit_id)
        else:
            subjects: set[int] = set()
            persons = set(Merge.objects.filter(pk__in=changed).values_list("person_id", flat=True))
            for chunk in _chunks(changed):
                subjects |= set(PersonMembership.objects.filter(merge_id__in=chunk).values_list("subject_id", flat=True))
            for chunk in _chunks(subjects):
                persons |= set(PersonMembership.objects.filter(subject_id__in=chunk).values_list("person_id", flat=True))
            for chunk in _chunks(persons):
                subjects |= set(PersonMembership.objects.filter(person_id__in=chunk).values_list("subject_id", flat=True))
            rereferral_recompute(unit_id=unit_id, subject_ids=subjects)
            touched = len(subjects)
        _store(state, seen, now)
    return touched


def units_pending() -> list[int]:
    """Units with linkage decisions that their re-referral events do not yet count (two grouped queries)."""
    merges = {r["unit_id"]: (r["top"], r["n"]) for r in
              Merge.objects.values("unit_id").annotate(top=Max("id"), n=Count("id"))}
    undos = {r["merge__unit_id"]: (r["top"], r["n"]) for r in
             MergeUndo.objects.values("merge__unit_id").annotate(top=Max("id"), n=Count("id"))}
    states = {s.unit_id: s for s in RereferralState.objects.all()}
    out = []
    for unit_id in set(merges) | set(undos):
        m, u = merges.get(unit_id, (0, 0)), undos.get(unit_id, (0, 0))
        state = states.get(unit_id)
        if state is None or Decisions(m[0], m[1], u[0], u[1]) != _counted(state):
            out.append(unit_id)
    return sorted(out)


def grouped_events(unit_id: int) -> tuple[list[tuple[int, int, int]], int]:
    """(quarter, days, cases) for the unit's re-referrals, and the cases in a linked person."""
    events = [(quarter, int(days), n) for quarter, days, n in
              RereferralCase.objects.filter(unit_id=unit_id, days__isnull=False).values("quarter", "days")
              .annotate(n=Count("subject_id")).values_list("quarter", "days", "n") if days is not None]
    return events, RereferralCase.objects.filter(unit_id=unit_id).count()


__all__ = ["grouped_events", "rereferral_rebuild", "rereferral_pending", "rereferral_recompute",
           "rereferral_refresh", "units_pending"]

