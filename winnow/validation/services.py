"""Recording outcomes and follow-ups (with the audit trail), and gathering a unit's cases for a validation.

Outcomes are facts about what an investigation found; the validation itself is computed by
`winnow.core.validation` from the cases `validation_cases` gathers here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone

from winnow.assessments.models import NOT_SCORABLE, Assessment, BandDecision
from winnow.assessments.registry import registry
from winnow.audit.services import AuditAction, audit_record
from winnow.core.instruments.schema import ExpectedRates
from winnow.core.priority import LONDON
from winnow.core.priority import Band as PriorityBand
from winnow.core.validation import BandScale, Case
from winnow.linkage.models import PersonMembership
from winnow.referrals.models import Referral, Status, Subject
from winnow.triage.services import category_files

from .models import EVENT, ContactOffending, OutcomeFollowUp, SubjectOutcome


class OutcomeError(ValueError):
    """An outcome Winnow will not record; the message says why."""


def iioc_counts_from_exhibits(referral: Referral) -> dict[str, int]:
    """Files per image category label across the referral's exhibits, from each exhibit's latest collection summary."""
    counts: dict[str, int] = defaultdict(int)
    for (_, _, label), files in category_files(referral).items():
        counts[label] += files
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
    cases: list[Case]
    without_assessment: int = 0
    not_scorable: int = 0
    fictional: int = 0
    units: list[str] = field(default_factory=list)
    expected_source: str = ""  # where the instrument file says its expected rates come from; empty: none declared


def validation_cases(
    *, instrument_id: str, version: str | None, unit_ids: Iterable[int], date_from: date | None = None,
    date_to: date | None = None,
) -> Gathered:
    """One Case per subject with a current outcome on a closed referral of these units (closed in the period),
    with the subject's latest assessment by the instrument and the latest supervisor decision on it.

    Two queries whatever the number of cases: a count of the outcomes, and one row per latest assessment joined to
    its subject's current outcome, its referral and its latest decision. Dates come back as dates and years as
    integers (converted to London time in the database), so 100,000 cases parse no timestamps."""
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
    decision = BandDecision.objects.filter(assessment_id=OuterRef("id")).order_by("-created_at", "-id")
    follow_ups = OutcomeFollowUp.objects.filter(outcome_id=OuterRef("subject__outcomes__id"))
    rows = (
        # One filter call, so the outcome conditions share one join (the subject's current outcome).
        by_instrument.filter(
            ~Exists(newer),
            # The subject's current outcome (NOT EXISTS for the anti join, as in SubjectOutcomeQuerySet.current).
            ~Exists(SubjectOutcome.objects.filter(supersedes_id=OuterRef("subject__outcomes__id"))),
            subject__outcomes__unit_id__in=units, **where)
        .order_by()
        .annotate(decided=Subquery(decision.values("decided_band")[:1]),
                  closed_on=TruncDate("referral__closed_at", tzinfo=LONDON),
                  received_year=ExtractYear("referral__received_at", tzinfo=LONDON),
                  later_referral=Exists(follow_ups.filter(kind=OutcomeFollowUp.Kind.LATER_REFERRAL)),
                  later_conviction=Exists(follow_ups.filter(kind=OutcomeFollowUp.Kind.LATER_CONVICTION,
                                                            contact_offence=True)))
        .values_list("instrument_version", "band", "score", "unknown_count", "subject_age", "subject__outcomes__contact_offending",
                     "subject__outcomes__fictional_demo", "closed_on", "received_year", "referral__source",
                     "referral__unit__code", "subject__sex", "decided", "later_referral",
                     "later_conviction")
    )
    mapping = registry().priority_bands(instrument_id)
    back = {p.value: b for b, p in mapping.items()}  # queue band -> instrument band id, for decided bands
    event = {c.value: EVENT[c] for c in ContactOffending}
    result = Gathered([])
    assessed = 0
    rates: dict[str, ExpectedRates | None] = {}
    sources: set[str] = set()
    for (used, band, score, unknowns, age, contact, fictional, closed_on, year, source, unit_code, sex, decision_band,
         later, convicted) in rows:
        assessed += 1
        if used not in rates:
            instrument = registry().get(instrument_id, used)
            rates[used] = instrument.expected_rates if instrument else None
        declared = rates[used]
        if band == NOT_SCORABLE:
            result.not_scorable += 1
            continue
        result.fictional += bool(fictional)
        value = float(score) if score is not None and not band else None
        expected = declared.rate(band=band or None, score=value) if declared else None
        if declared and expected is not None:
            sources.add(declared.source)
        result.cases.append(Case(
            outcome=event[contact],
            band=band or None,
            score=value,
            expected=expected,
            decided_band=(back.get(decision_band) if decision_band else None) or band or None,  # no decision: computed band stood
            closed_on=closed_on,
            unknown_answers=unknowns,
            groups={"source": source, "year": str(year), "sex": sex, "age band": age_band(age), "unit": unit_code},
            later_referral=bool(later), later_contact_conviction=bool(convicted),
        ))
    result.without_assessment = total - assessed
    result.expected_source = "; ".join(sorted(sources))
    return result
