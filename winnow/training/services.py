"""Training use cases: record an attempt, set the standard, certify, choose live cases for double-coding, record a
blind second coding, and gather what a supervisor reads. Each write and its audit event commit together."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from winnow.accounts.models import Membership, Unit, User
from winnow.assessments.models import Assessment, BandDecision
from winnow.assessments.registry import registry
from winnow.assessments.services import AssessmentInputError, parse_answers
from winnow.audit.actions import AuditAction
from winnow.audit.services import audit_record
from winnow.core.agreement import AgreementReport, Rating, analyse
from winnow.core.instruments import Instrument
from winnow.core.training import Feedback, Standard, Status, Vignette, feedback, score_answers, status
from winnow.permissions import Capability, NotPermitted, roles_with, units_with

from .bank import bank
from .models import ModuleCompletion, SecondCoding, TrainingAttempt, TrainingStandard, standard_for

BAND_ITEM = "band"


class TrainingInputError(AssessmentInputError):
    """Input that cannot be recorded; `problems` are (field, reason) pairs and nothing was written."""


def training_unit(user: Any) -> Unit:
    """The unit an officer trains in: the first (by name) in which they complete assessments."""
    unit = Unit.objects.filter(pk__in=units_with(user, Capability.ASSESS)).order_by("name").first()
    if unit is None:
        raise NotPermitted(Capability.ASSESS, None, "Training is for officers who complete assessments.")
    return unit


def instrument_for(vignette: Vignette) -> Instrument | None:
    return registry().get(vignette.instrument_id, vignette.instrument_version)


def attempt_record(*, actor: Any, vignette: Vignette, answers: Mapping[str, Any],
                   now: datetime | None = None) -> tuple[TrainingAttempt, Feedback]:
    """Mark an officer's answers to a vignette against its reference and keep the attempt. Touches no referral."""
    instrument = instrument_for(vignette)
    if instrument is None:
        raise TrainingInputError([("vignette", f"{vignette.instrument_id} {vignette.instrument_version} is not "
                                   "loaded any more: this vignette cannot be marked")])
    unit = training_unit(actor)
    _, texts = parse_answers(instrument, answers)
    result = feedback(instrument, vignette, texts)
    with transaction.atomic():
        attempt = TrainingAttempt.objects.create(
            user=actor, unit=unit, vignette_id=vignette.id, vignette_sha256=vignette.sha256,
            instrument_id=instrument.id, instrument_version=instrument.version, instrument_sha256=instrument.sha256,
            answers=texts, band=result.band or "", score=result.score, score_max=result.score_max,
            reference_band=vignette.band or "", reference_score=vignette.score, items_agreed=result.items_agreed,
            items_total=len(result.items), outcome_exact=result.outcome_exact, completed_at=now or timezone.now())
        audit_record(actor=actor, action=AuditAction.TRAINING_ATTEMPT, unit_id=unit.pk, target=attempt,
                     detail={"vignette": vignette.id, "instrument": f"{instrument.id} {instrument.version}",
                             "items_agreed": result.items_agreed, "outcome_exact": result.outcome_exact})
    return attempt, result


def attempt_feedback(attempt: TrainingAttempt) -> Feedback | None:
    """The feedback for a stored attempt, or None when its vignette or instrument is no longer loaded."""
    vignette = bank().get(attempt.vignette_id)
    instrument = registry().get(attempt.instrument_id, attempt.instrument_version)
    if vignette is None or instrument is None or vignette.instrument_version != attempt.instrument_version:
        return None
    return feedback(instrument, vignette, attempt.answers)


def standard_set(*, actor: Any, unit: Unit, min_item_agreement: float, min_band_exact: float, min_vignettes: int,
                 refresher_months: int, double_coding_share: float) -> TrainingStandard:
    if unit.pk not in units_with(actor, Capability.DECIDE_BANDS):
        raise NotPermitted(Capability.DECIDE_BANDS, unit.pk)
    try:
        Standard(min_item_agreement, min_band_exact, min_vignettes, refresher_months)
    except ValueError as exc:
        raise TrainingInputError([("standard", str(exc))]) from None
    if not 0 <= double_coding_share <= 1:
        raise TrainingInputError([("double_coding_share", "a share between 0 and 1")])
    with transaction.atomic():
        row = TrainingStandard.objects.create(
            unit=unit, min_item_agreement=min_item_agreement, min_band_exact=min_band_exact,
            min_vignettes=min_vignettes, refresher_months=refresher_months, double_coding_share=double_coding_share,
            created_by=actor)
        audit_record(actor=actor, action=AuditAction.TRAINING_STANDARD, unit_id=unit.pk, target=row,
                     detail={"min_item_agreement": min_item_agreement, "min_band_exact": min_band_exact,
                             "min_vignettes": min_vignettes, "refresher_months": refresher_months,
                             "double_coding_share": double_coding_share})
    return row


def certification(user: Any, instrument_id: str, version: str, *, now: datetime) -> Status:
    """The officer's certification for one instrument version at `now`, by the standard of their training unit."""
    attempts = TrainingAttempt.objects.filter(user=user).for_version(instrument_id, version)
    unit_ids = list(attempts.values_list("unit_id", flat=True).distinct()[:1]) or list(
        units_with(user, Capability.ASSESS))[:1]
    standard = standard_for(unit_ids[0])[0] if unit_ids else Standard()
    return status((a.as_core() for a in attempts), standard, now=now)


def uncertified_warning(assessment: Assessment) -> str:
    """Empty when the assessor was certified for that instrument version when they assessed; else the warning."""
    versions = {(v.instrument_id, v.instrument_version) for v in bank().values()}
    if (assessment.instrument_id, assessment.instrument_version) not in versions:
        trained = sorted(ver for iid, ver in versions if iid == assessment.instrument_id)
        if not trained:
            return ""  # an instrument Winnow does not train on at all: no certification to speak of
        # A new version of an instrument that is trained on: nobody is certified on it until it has vignettes.
        return (f"Assessed by {assessment.created_by.get_username()} on {assessment.instrument_id} "
                f"{assessment.instrument_version}, which has no training vignettes yet (the bank has "
                f"{', '.join(trained)}): nobody is certified for this version. A new version needs new "
                "certification. A warning, not a block: check the answers.")
    state = certification(assessment.created_by, assessment.instrument_id, assessment.instrument_version,
                          now=assessment.created_at)
    if state.certified:
        return ""
    why = "their certification had lapsed (refresher overdue)" if state.certified_at else "they were not certified"
    return (f"Assessed by {assessment.created_by.get_username()} when {why} for {assessment.instrument_id} "
            f"{assessment.instrument_version}. A warning, not a block: check the answers.")


def second_coding_notice(assessment: Assessment) -> str:
    """Once a blind second coding exists, the result and the decision pages show it beside the first: the band it
    gives and the items where the two differ. It changes nothing; the supervisor decides."""
    second = SecondCoding.objects.filter(first=assessment).select_related("created_by").first()
    if second is None:
        return ""
    differs = sorted(item for item, value in second.answers.items() if assessment.answers.get(item) != value)
    outcome = second.band_label or second.band or (f"score {second.score}" if second.score is not None else "no band")
    return (f"A blind second coding by {second.created_by.get_username()} on "
            f"{timezone.localtime(second.created_at):%d %b %Y} gives {outcome}; the answers differ on "
            f"{len(differs)} item{'s' if len(differs) != 1 else ''}{': ' + ', '.join(differs) if differs else ''}. "
            "It changes no band: a supervisor's decision does.")


# ---- live double-coding ---------------------------------------------------------------------------------------

def selected_for_double_coding(assessment: Assessment, share: float) -> bool:
    """A stable, reproducible choice of `share` of live assessments: the first 8 hex digits of SHA-256 of the
    assessment's id, as a fraction, below the share. Nobody picks which cases get a second look."""
    digest = hashlib.sha256(f"winnow-double-coding:{assessment.pk}".encode()).hexdigest()
    return int(digest[:8], 16) / 0x1_0000_0000 < share


def double_coding_offers(user: Any, *, now: datetime) -> list[Assessment]:
    """Live assessments in the user's units chosen for a second coding, not made by the user, not yet second-coded,
    whose instrument version the user is certified for (the second assessor must be certified)."""
    units = units_with(user, Capability.ASSESS)
    candidates = (Assessment.objects.filter(referral__unit_id__in=units).latest_versions()
                  .exclude(created_by=user).filter(second_codings__isnull=True)
                  .select_related("referral", "subject").order_by("-created_at")[:2000])
    shares = {unit: standard_for(unit)[1] for unit in units}
    certified: dict[tuple[str, str], bool] = {}
    offers = []
    for assessment in candidates:
        key = (assessment.instrument_id, assessment.instrument_version)
        if key not in certified:
            certified[key] = certification(user, *key, now=now).certified
        if certified[key] and selected_for_double_coding(assessment, shares[assessment.referral.unit_id]):
            offers.append(assessment)
    return offers


def second_coding_record(*, actor: Any, assessment: Assessment, answers: Mapping[str, Any],
                         now: datetime | None = None) -> SecondCoding:
    now = now or timezone.now()
    if assessment.referral.unit_id not in units_with(actor, Capability.ASSESS):
        raise NotPermitted(Capability.ASSESS, assessment.referral.unit_id)
    if assessment.created_by_id == actor.pk:
        raise TrainingInputError([("assessment", "the second coding must be by someone other than the first assessor")])
    if not certification(actor, assessment.instrument_id, assessment.instrument_version, now=now).certified:
        raise TrainingInputError([("assessment", f"only an assessor certified for {assessment.instrument_id} "
                                   f"{assessment.instrument_version} may second-code it")])
    share = standard_for(assessment.referral.unit_id)[1]
    if not selected_for_double_coding(assessment, share):
        raise TrainingInputError([("assessment", "this assessment was not chosen for double-coding")])
    instrument = assessment.instrument()
    if instrument is None:
        raise TrainingInputError([("assessment", "the instrument file that scored it is no longer loaded")])
    _, texts = parse_answers(instrument, answers)
    result = score_answers(instrument, texts)
    with transaction.atomic():
        if SecondCoding.objects.filter(first=assessment).exists():
            raise TrainingInputError([("assessment", "this assessment already has its second coding")])
        row = SecondCoding.objects.create(
            first=assessment, answers=texts, band=result.band.id if result.band else "",
            band_label=result.band.label if result.band else "", score=result.score, score_max=result.score_max,
            created_by=actor, created_at=now)
        audit_record(actor=actor, action=AuditAction.SECONDCODING_CREATE, unit_id=assessment.referral.unit_id,
                     target=row, detail={"assessment": assessment.pk, "band": row.band})
    return row


# ---- what a supervisor reads ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CertificationRow:
    officer: User
    instrument: str
    version: str
    status: Status
    attempts: int
    due_soon: bool = False  # certified, refresher due within 30 days


def assessors_in(unit_ids: Iterable[int]) -> list[User]:
    ids = Membership.objects.filter(unit_id__in=list(unit_ids), role__in=roles_with(Capability.ASSESS)).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def versions_trained() -> list[tuple[str, str]]:
    return sorted({(v.instrument_id, v.instrument_version) for v in bank().values()})


def certification_table(unit_ids: Iterable[int], *, now: datetime) -> list[CertificationRow]:
    unit_ids = list(unit_ids)
    rows = []
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for user_id, iid, ver in TrainingAttempt.objects.filter(unit_id__in=unit_ids).values_list(
            "user_id", "instrument_id", "instrument_version"):
        counts[(user_id, iid, ver)] += 1
    for officer in assessors_in(unit_ids):
        for iid, ver in versions_trained():
            state = certification(officer, iid, ver, now=now)
            rows.append(CertificationRow(officer, iid, ver, state, counts[(officer.pk, iid, ver)],
                                         state.due_soon(now)))
    return rows


def training_agreement(unit_ids: Iterable[int], instrument_id: str, version: str, *,
                       replicates: int = 1000) -> AgreementReport | None:
    """Agreement between the unit's officers on the vignettes (each officer's latest attempt per vignette), per
    item and per officer against the reference; None when nobody has trained on that version yet."""
    latest: dict[tuple[int, str], TrainingAttempt] = {}
    for attempt in TrainingAttempt.objects.filter(unit_id__in=list(unit_ids)).for_version(
            instrument_id, version).select_related("user"):
        latest[(attempt.user_id, attempt.vignette_id)] = attempt
    if not latest:
        return None
    instrument = registry().get(instrument_id, version)
    ratings = []
    for attempt in latest.values():
        rater = attempt.user.get_username()
        ratings += [Rating(attempt.vignette_id, rater, item, value) for item, value in attempt.answers.items()]
        outcome = attempt.band or (str(attempt.score) if attempt.score == attempt.score_max else "")
        if outcome:
            ratings.append(Rating(attempt.vignette_id, rater, BAND_ITEM, outcome))
    reference = {}
    for vignette in bank().values():
        if (vignette.instrument_id, vignette.instrument_version) == (instrument_id, version):
            reference.update({(vignette.id, a.item): a.answer for a in vignette.answers})
            reference[(vignette.id, BAND_ITEM)] = vignette.band or str(vignette.score)
    ordered = {BAND_ITEM: [b.id for b in instrument.bands]} if instrument is not None and instrument.bands else {}
    return analyse(ratings, ordered=ordered, reference=reference, band_item=BAND_ITEM, replicates=replicates)


def live_agreement(unit_ids: Iterable[int], instrument_id: str, version: str, *,
                   replicates: int = 1000) -> tuple[AgreementReport | None, int]:
    """Agreement between first and second codings of live cases, reported the same way; (report, pairs)."""
    pairs = list(SecondCoding.objects.filter(first__referral__unit_id__in=list(unit_ids),
                                             first__instrument_id=instrument_id,
                                             first__instrument_version=version).select_related("first"))
    if not pairs:
        return None, 0
    instrument = registry().get(instrument_id, version)
    ratings = []
    for pair in pairs:
        case = f"assessment-{pair.first_id}"
        for rater, answers, band in (("first", pair.first.answers, pair.first.band), ("second", pair.answers, pair.band)):
            ratings += [Rating(case, rater, item, value) for item, value in answers.items()]
            if band:
                ratings.append(Rating(case, rater, BAND_ITEM, band))
    ordered = {BAND_ITEM: [b.id for b in instrument.bands] + ["not_scorable"]} if instrument is not None and instrument.bands else {}
    return analyse(ratings, ordered=ordered, replicates=replicates), len(pairs)


@dataclass(frozen=True)
class OverrideRate:
    assessor: str
    quarter: str
    decisions: int
    overrides: int

    @property
    def rate(self) -> float:
        return self.overrides / self.decisions if self.decisions else 0.0


def override_rates(unit_ids: Iterable[int]) -> list[OverrideRate]:
    """Per assessor and quarter (of the decision), how many of their assessments' band decisions were overrides;
    the latest decision on each assessment counts (a later decision replaces an earlier one, as on the queue)."""
    latest: dict[int, BandDecision] = {}
    for decision in BandDecision.objects.filter(referral__unit_id__in=list(unit_ids)).select_related(
            "assessment__created_by").order_by("created_at", "id"):
        latest[decision.assessment_id] = decision
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for decision in latest.values():
        when = timezone.localtime(decision.created_at)
        key = (decision.assessment.created_by.get_username(), f"{when.year} Q{(when.month - 1) // 3 + 1}")
        tally[key][0] += 1
        tally[key][1] += decision.decision == BandDecision.Decision.OVERRIDE
    return [OverrideRate(a, q, n, o) for (a, q), (n, o) in sorted(tally.items())]


# ---- knowledge modules ----------------------------------------------------------------------------------------

def module_complete(*, actor: Any, module: Any, answers: Mapping[str, str]) -> ModuleCompletion:
    """Record that an officer read a module and answered its questions (every attempt is kept)."""
    unit = training_unit(actor)
    chosen = {q.id: answers.get(q.id, "") for q in module.questions}
    bad = [q.id for q in module.questions if chosen[q.id] not in q.option_ids]
    if bad:
        raise TrainingInputError([(qid, "choose one of the options") for qid in bad])
    with transaction.atomic():
        row = ModuleCompletion.objects.create(user=actor, unit=unit, module_id=module.id, module_sha256=module.sha256,
                                              answers=chosen, correct=module.mark(chosen), total=len(module.questions))
        audit_record(actor=actor, action=AuditAction.TRAINING_MODULE, unit_id=unit.pk, target=row,
                     detail={"module": module.id, "correct": row.correct, "total": row.total})
    return row
