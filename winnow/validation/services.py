"""Recording outcomes and follow-ups (with the audit trail), and gathering a unit's cases for a validation.

Outcomes are facts about what an investigation found; the validation itself is computed by
`winnow.core.validation` from the cases `validation_cases` gathers here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connections, transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, ExtractQuarter, ExtractYear
from django.utils import timezone

from winnow.accounts.models import Unit
from winnow.assessments.models import NOT_SCORABLE, Assessment, BandDecision
from winnow.assessments.registry import registry
from winnow.audit.services import AuditAction, audit_record
from winnow.core.instruments.schema import ExpectedRates
from winnow.core.priority import LONDON
from winnow.core.priority import Band as PriorityBand
from winnow.core.validation import BandScale, CaseColumns
from winnow.linkage.models import PersonMembership
from winnow.referrals.models import Referral, Status, Subject
from winnow.triage.models import CollectionSummary

from .models import EVENT, ContactOffending, OutcomeFollowUp, SubjectOutcome


class OutcomeError(ValueError):
    """An outcome Winnow will not record; the message says why."""


def iioc_counts_from_exhibits(referral: Referral) -> dict[str, int]:
    """Files per image category across the referral's exhibits, from each exhibit's latest collection summary."""
    latest: dict[int, CollectionSummary] = {}
    for summary in CollectionSummary.objects.filter(exhibit__referral=referral).order_by("computed_at", "id"):
        latest[summary.exhibit_id] = summary
    counts: dict[str, int] = defaultdict(int)
    for summary in latest.values():
        for row in summary.data.get("by_category", []):
            counts[str(row.get("label") or row.get("category") or "Uncategorised")] += int(row.get("files", 0))
    return dict(counts)


def outcome_record(
    *,
    actor: Any,
    subject: Subject,
    contact_offending: str,
    children_safeguarded: int | None,
    victims_identified: int | None,
    charge: str = "",
    court_outcome: str = "",
    note: str = "",
    iioc_counts: Mapping[str, int] | None = None,
    correction_reason: str = "",
    fictional_demo: bool = False,
    now: datetime | None = None,
) -> SubjectOutcome:
    """Record what the investigation found for one subject of a closed referral. A second record for the same
    subject is a correction: it needs a reason and supersedes the first, which stays."""
    referral = subject.referral
    if referral.status != Status.CLOSED:
        raise OutcomeError(f"{referral.reference} is not closed: outcomes are recorded when a referral closes")
    if contact_offending not in ContactOffending.values:
        raise OutcomeError(f"contact offending must be one of {', '.join(ContactOffending.values)}")
    for name, value in (("children safeguarded", children_safeguarded), ("victims identified", victims_identified)):
        if value is not None and value < 0:
            raise OutcomeError(f"{name} cannot be negative")
    with transaction.atomic():
        # Lock the subject, not the outcome: the current outcome is found through an outer join, which PostgreSQL
        # will not lock, and locking the subject also serialises two first records for the same person.
        Subject.objects.select_for_update().filter(pk=subject.pk).first()
        previous = SubjectOutcome.objects.current().filter(subject=subject).first()
        if previous is not None and not correction_reason.strip():
            raise OutcomeError("an outcome is already recorded for this subject: a correction needs a reason")
        from_exhibits = iioc_counts_from_exhibits(referral)
        outcome = SubjectOutcome(
            referral=referral, subject=subject, unit_id=referral.unit_id, contact_offending=contact_offending,
            children_safeguarded=children_safeguarded, victims_identified=victims_identified,
            iioc_counts=from_exhibits or dict(iioc_counts or {}), iioc_from_exhibits=bool(from_exhibits),
            charge=charge.strip(), court_outcome=court_outcome.strip(), note=note.strip(),
            fictional_demo=fictional_demo, supersedes=previous, correction_reason=correction_reason.strip(),
            recorded_at=now or timezone.now(), recorded_by=actor,
        )
        outcome.save(force_insert=True)
        audit_record(
            actor=actor, action=AuditAction.OUTCOME_CORRECT if previous else AuditAction.OUTCOME_RECORD, unit_id=referral.unit_id,
            target=outcome, detail={"referral": referral.reference, "subject": subject.pk,
                                    "contact_offending": contact_offending,
                                    "supersedes": previous.pk if previous else None},
        )
    return outcome


def followup_record(
    *, actor: Any, outcome: SubjectOutcome, occurred_on: date, contact_offence: bool, detail: str = "",
    now: datetime | None = None,
) -> OutcomeFollowUp:
    """A later conviction, typed in: a new record pointing at the outcome, never an edit of it."""
    with transaction.atomic():
        follow_up = OutcomeFollowUp(
            outcome=outcome, unit_id=outcome.unit_id, kind=OutcomeFollowUp.Kind.LATER_CONVICTION,
            occurred_on=occurred_on, contact_offence=contact_offence, detail=detail.strip(),
            recorded_at=now or timezone.now(), recorded_by=actor,
        )
        follow_up.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.OUTCOME_FOLLOW_UP, unit_id=outcome.unit_id, target=follow_up,
                     detail={"outcome": outcome.pk, "kind": follow_up.kind, "contact_offence": contact_offence})
    return follow_up


def later_referrals(outcome: SubjectOutcome) -> list[Referral]:
    """Referrals received after this one closed whose subjects linkage has merged into the same person."""
    persons = PersonMembership.objects.standing().filter(subject_id=outcome.subject_id).values("person_id")
    subjects = PersonMembership.objects.standing().filter(person_id__in=persons).values("subject_id")
    closed = outcome.referral.closed_at or outcome.referral.received_at
    return list(
        Referral.objects.filter(subjects__id__in=subjects, unit_id=outcome.unit_id, received_at__gt=closed)
        .exclude(pk=outcome.referral_id).distinct().order_by("received_at")
    )


def followups_from_linkage(*, actor: Any, outcome: SubjectOutcome) -> list[OutcomeFollowUp]:
    """Record each later referral that linkage ties to the same person, once (found by linkage, not typed in)."""
    known = set(outcome.follow_ups.exclude(later_referral=None).values_list("later_referral_id", flat=True))
    made = []
    with transaction.atomic():
        for later in later_referrals(outcome):
            if later.pk in known:
                continue
            follow_up = OutcomeFollowUp(
                outcome=outcome, unit_id=outcome.unit_id, kind=OutcomeFollowUp.Kind.LATER_REFERRAL,
                occurred_on=later.received_at.astimezone(LONDON).date(), later_referral=later,
                detail=f"Found by linkage: {later.reference}", recorded_by=actor,
            )
            follow_up.save(force_insert=True)
            audit_record(actor=actor, action=AuditAction.OUTCOME_FOLLOW_UP, unit_id=outcome.unit_id, target=follow_up,
                         detail={"outcome": outcome.pk, "kind": follow_up.kind, "later_referral": later.reference})
            made.append(follow_up)
    return made


def instrument_scale(instrument_id: str, version: str | None = None) -> BandScale | None:
    """The instrument's bands lowest first, flagged from the band that maps onto High (the queue's 7-day band);
    None for a scored instrument with no bands. An earlier version whose file is no longer loaded is read on the
    loaded version's bands (a version that renamed its bands would then fail with the unknown band named)."""
    instrument = (registry().get(instrument_id, version) if version else None) or registry().current(instrument_id)
    if instrument is None or not instrument.bands:
        return None
    bands = sorted(instrument.bands, key=lambda b: b.rank)
    ids = tuple(b.id for b in bands)
    mapping = dict(instrument.referral_priority)
    high = [b for b, p in mapping.items() if p == PriorityBand.HIGH]
    flag_from = high[0] if high else ids[len(ids) // 2]
    return BandScale(ids, flag_from, {b.id: b.label for b in bands})


def age_band(age: int | None) -> str:
    if age is None:
        return "not recorded"
    for top, label in ((17, "under 18"), (24, "18-24"), (34, "25-34"), (49, "35-49"), (64, "50-64")):
        if age <= top:
            return label
    return "65 and over"


@dataclass
class Gathered:
    cases: CaseColumns
    without_assessment: int = 0
    not_scorable: int = 0
    fictional: int = 0
    units: list[str] = field(default_factory=list)
    expected_source: str = ""  # where the instrument file says its expected rates come from; empty: none declared


def _fetch(query: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list query read with one cursor fetch: no chunked iteration, no per-row converters
    (the query's columns must need none: plain fields, or expressions cast in SQL)."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _latest_decisions(where: Mapping[str, Any], units: list[int]) -> tuple[npt.NDArray[np.int64], list[str]]:
    """The latest supervisor decision per assessment on these units' referrals: assessment ids (sorted)
    and the decided bands. One ordered scan instead of a correlated subquery per case (100,000 index probes)."""
    # Filtered on the decision's own referral (always its assessment's), one join; decisions on other instruments'
    # assessments of these referrals come too, and are never looked up.
    decisions = _fetch(BandDecision.objects.filter(referral__unit_id__in=units, **where)
                       .order_by("assessment_id", "created_at", "id").values_list("assessment_id", "decided_band"))
    if not decisions:
        return np.zeros(0, np.int64), []
    ids = np.fromiter((d[0] for d in decisions), np.int64, len(decisions))
    last = np.flatnonzero(np.append(ids[1:] != ids[:-1], True))  # rows are in time order within an assessment
    return ids[last], [decisions[i][1] for i in last.tolist()]


def _follow_up_flags(units: list[int]) -> tuple[set[int], set[int]]:
    """Outcome ids with a later linked referral, and with a later conviction for a contact offence."""
    later: set[int] = set()
    convicted: set[int] = set()
    for outcome_id, kind, contact in OutcomeFollowUp.objects.filter(unit_id__in=units).values_list(
            "outcome_id", "kind", "contact_offence"):
        if kind == OutcomeFollowUp.Kind.LATER_REFERRAL:
            later.add(outcome_id)
        elif kind == OutcomeFollowUp.Kind.LATER_CONVICTION and contact:
            convicted.add(outcome_id)
    return later, convicted


def _encode(values: Sequence[str], table: Mapping[str, int], dtype: Any) -> npt.NDArray[Any]:
    """table[value] per value, one vectorised comparison per distinct value."""
    array, result = np.asarray(values), np.zeros(len(values), dtype)
    for value in dict.fromkeys(values):
        result[array == value] = table[value]
    return result


def _cached(values: Sequence[Any], make: Callable[[Any], Any]) -> list[Any]:
    """make(value) per value, computed once per distinct value (100,000 cases have a handful of each)."""
    seen: dict[Any, Any] = {}
    return [seen[v] if v in seen else seen.setdefault(v, make(v)) for v in values]


def validation_cases(
    *, instrument_id: str, version: str | None, unit_ids: Iterable[int], date_from: date | None = None,
    date_to: date | None = None,
) -> Gathered:
    """The cases, as columns, of every subject with a current outcome on a closed referral of these units (closed in
    the period), with the subject's latest assessment by the instrument and the latest supervisor decision on it.

    Four queries whatever the number of cases: a count of the outcomes; one row per latest assessment joined to
    its subject's current outcome and its referral; the latest decisions; the follow-ups. The rows are read with a
    plain cursor into columns (no model instances, no per-row converters: the year and quarter of closure come back
    as integers, converted to London time in the database), and nothing builds a Case per subject."""
    units = list(unit_ids)
    where: dict[str, Any] = {"referral__status": Status.CLOSED}
    if date_from:
        where["referral__closed_at__date__gte"] = date_from
    if date_to:
        where["referral__closed_at__date__lte"] = date_to
    total = SubjectOutcome.objects.current().filter(unit_id__in=units, **where).count()
    by_instrument = Assessment.objects.latest_versions().filter(instrument_id=instrument_id)
    if version:
        by_instrument = by_instrument.filter(instrument_version=version)
    newer = by_instrument.filter(subject_id=OuterRef("subject_id")).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id")))
    query = (
        # One filter call, so the outcome conditions share one join (the subject's current outcome).
        by_instrument.filter(
            ~Exists(newer),
            # The subject's current outcome (NOT EXISTS for the anti join, as in SubjectOutcomeQuerySet.current).
            ~Exists(SubjectOutcome.objects.filter(supersedes_id=OuterRef("subject__outcomes__id"))),
            subject__outcomes__unit_id__in=units, **where)
        .order_by()
        .annotate(closed_year=Cast(ExtractYear("referral__closed_at", tzinfo=LONDON), IntegerField()),
                  closed_quarter=Cast(ExtractQuarter("referral__closed_at", tzinfo=LONDON), IntegerField()),
                  received_year=Cast(ExtractYear("referral__received_at", tzinfo=LONDON), IntegerField()))
        .values_list("id", "subject__outcomes__id", "instrument_version", "band", "score", "unknown_count",
                     "subject_age", "subject__outcomes__contact_offending", "subject__outcomes__fictional_demo",
                     "closed_year", "closed_quarter", "received_year", "referral__source", "referral__unit_id",
                     "subject__sex")
    )
    rows = _fetch(query)
    assessed = len(rows)
    rows = [r for r in rows if r[3] != NOT_SCORABLE]
    (ids, outcome_ids, used, bands, scores, unknowns, ages, contact, fictional, closed_year, closed_quarter,
     received_year, sources, unit_of, sexes) = [list(map(itemgetter(i), rows)) for i in range(15)]  # zip(*rows) is slower: its tuples wake the GC
    n = len(rows)

    band = [b or None for b in bands]
    if scores.count(None) == n:  # a banded instrument: no scores to read
        has_score, score = np.zeros(n, bool), np.full(n, math.nan)
    else:
        has_score = np.fromiter((s is not None and not b for s, b in zip(scores, bands, strict=True)), bool, n)
        score = np.fromiter((math.nan if s is None else s for s in scores), np.float64, n)
        score[~has_score] = math.nan

    mapping = registry().priority_bands(instrument_id)
    back = {p.value: b for b, p in mapping.items()}  # queue band -> instrument band id, for decided bands
    decided_ids, decided_bands = _latest_decisions(where, units)
    decided_band = band
    if len(decided_ids):
        assessment_ids = np.fromiter(ids, np.int64, n)
        at = np.minimum(np.searchsorted(decided_ids, assessment_ids), len(decided_ids) - 1)
        mapped = np.array(_cached(decided_bands, lambda b: back.get(b) if b else None) + [None], dtype=object)
        chosen = mapped[np.where(decided_ids[at] == assessment_ids, at, len(decided_ids))].tolist()
        decided_band = [c or b for c, b in zip(chosen, band, strict=True)]  # no decision: the computed band stood

    declared: dict[str, ExpectedRates | None] = {}
    for v in set(used):
        instrument = registry().get(instrument_id, v)
        declared[v] = instrument.expected_rates if instrument else None
    sources_used: set[str] = set()
    expected = np.full(n, math.nan)
    if any(declared.values()):
        def rate(key: tuple[str, str | None, float | None]) -> float | None:
            rates = declared[key[0]]
            found = rates.rate(band=key[1], score=key[2]) if rates else None
            if rates and found is not None:
                sources_used.add(rates.source)
            return found
        keys = zip(used, band, (None if math.isnan(s) else s for s in score.tolist()), strict=True)
        expected = np.fromiter((math.nan if e is None else e for e in _cached(list(keys), rate)), np.float64, n)

    event = {c.value: {True: 1, False: 0, None: -1}[EVENT[c]] for c in ContactOffending}
    later, convicted = _follow_up_flags(units)
    codes = dict(Unit.objects.filter(pk__in=set(unit_of)).values_list("pk", "code"))
    columns = CaseColumns(
        outcome=_encode(contact, event, np.int8),
        band=band,
        score=score,
        has_score=has_score,
        decided_band=decided_band,
        alternative_score=np.full(n, math.nan),
        expected=expected,
        quarter=_cached(list(zip(closed_year, closed_quarter, strict=True)),
                        lambda yq: "" if yq[0] is None else f"{yq[0]} Q{yq[1]}"),
        unknown_answers=np.fromiter(unknowns, np.int64, n),
        groups={"source": sources, "year": _cached(received_year, str), "sex": sexes,
                "age band": _cached(ages, age_band), "unit": [codes[u] for u in unit_of]},
        later_referral=np.isin(np.asarray(outcome_ids, np.int64), list(later)).astype(np.int8),
        later_contact_conviction=np.isin(np.asarray(outcome_ids, np.int64), list(convicted)).astype(np.int8),
    )
    return Gathered(columns, without_assessment=total - assessed, not_scorable=assessed - n,
                    fictional=sum(map(bool, fictional)), expected_source="; ".join(sorted(sources_used)))
