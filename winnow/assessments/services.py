"""Use cases that write assessments, band decisions and youth pathway decisions together with the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from winnow.audit.services import AuditAction, audit_record
from winnow.core.instruments import (
    UNKNOWN,
    AnswerError,
    Instrument,
    applicability_warnings,
    parse_answer,
    score,
)
from winnow.core.instruments.scorer import whole_years
from winnow.core.priority import Band as PriorityBand
from winnow.permissions import Capability, require
from winnow.referrals.models import Status, Subject
from winnow.referrals.services import referral_advance, referral_apply_band
from winnow.safeguarding.services import concern_for_assessment

from .models import Assessment, BandDecision, YouthPathwayDecision
from .registry import OFFENDER_REVIEW_INSTRUMENTS, registry
from .youth import ANSWERS, CONDITIONS, OUTCOME_21_EXCLUSIONS, outcome_21_blockers

MAX_NOTE = 2000
MIN_OVERRIDE_WORDS = 8  # an override's rationale must say why in a sentence, not "agreed" or "see notes"
MIN_RATIONALE_WORDS = 2


class AssessmentInputError(ValueError):
    """Input that cannot be recorded. `problems` are (field or item id, reason) pairs; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in self.problems))


def subject_age(subject: Subject, *, today: date) -> int | None:
    return whole_years(subject.date_of_birth, today) if subject.date_of_birth else None


def is_under_18(subject: Subject, *, today: date) -> bool:
    """Unknown date of birth is treated as not under 18 (and warned about wherever it matters)."""
    age = subject_age(subject, today=today)
    return age is not None and age < 18


def subject_warnings(instrument: Instrument, subject: Subject, *, today: date) -> list[str]:
    age = subject_age(subject, today=today)
    sex = None if subject.sex in ("", "unknown") else subject.sex
    warnings = applicability_warnings(instrument, age=age, sex=sex)
    if age is None:
        warnings.append(
            "The date of birth is unknown, so the subject is treated as an adult: if they may be under 18, use "
            "the youth safeguarding pathway instead."
        )
    elif age < 18:
        warnings.append(
            f"The subject is {age}: a child. Use the youth safeguarding pathway (safeguarding referral; Outcome 21 "
            "consideration) rather than adult prioritisation."
        )
    return warnings


def _outside_population(instrument: Instrument, *, age: int | None, sex: str | None) -> bool:
    """A known age or sex outside the instrument's population (unknowns are warned about on the form instead)."""
    scope = instrument.applicability
    too_young = age is not None and scope.min_age is not None and age < scope.min_age
    too_old = age is not None and scope.max_age is not None and age > scope.max_age
    other_sex = sex is not None and bool(scope.sexes) and sex.strip().casefold() not in scope.sexes
    return too_young or too_old or other_sex


def instruments_offered(subject: Subject, *, today: date) -> tuple[list[Instrument], list[tuple[Instrument, str]]]:
    """The instruments that apply to this referral subject, the prioritisation aid (any instrument that sets the
    referral's priority) first; and the others with the reason each does not apply. Unknown age or sex does not
    rule an instrument out (unknown is not No); a known age or sex outside its population does."""
    age = subject_age(subject, today=today)
    sex = None if subject.sex in ("", "unknown") else subject.sex
    applies: list[Instrument] = []
    others: list[tuple[Instrument, str]] = []
    for instrument in registry().instruments():
        if instrument.id in OFFENDER_REVIEW_INSTRUMENTS:
            others.append((instrument, "for reviewing a managed offender, from the offender's page"))
        elif _outside_population(instrument, age=age, sex=sex):
            others.append((instrument, " ".join(applicability_warnings(instrument, age=age, sex=sex))))
        else:
            applies.append(instrument)
    applies.sort(key=lambda i: (not i.sets_referral_priority, i.title))
    return applies, others


def answer_text(value: Any) -> str:
    """An answer from a form or JSON as the text `parse_answer` reads: True -> "yes", None -> "unknown", 3 -> "3"."""
    if value is None or value is UNKNOWN:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if type(value) is int:
        return str(value)
    if isinstance(value, str):
        return value
    raise ValueError(f"must be yes, no, unknown, a whole number, an option id or a date, found {type(value).__name__}")


def parse_answers(instrument: Instrument, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every item's parsed answer (unknown when left out) and its stored text; AssessmentInputError names each bad one."""
    problems: list[tuple[str, str]] = []
    items = {item.id: item for item in instrument.items}
    derived = {d.id for d in instrument.derived}
    for key in raw:
        if key not in items:
            reason = "is a derived item: it is computed, not answered" if key in derived else (
                f"is not an item of {instrument.id}")
            problems.append((str(key), reason))
    parsed: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for item_id, item in items.items():
        try:
            text = answer_text(raw.get(item_id))
            parsed[item_id] = parse_answer(item, text)
        except ValueError as exc:
            problems.append((item_id, str(exc)))
            continue
        value = parsed[item_id]
        texts[item_id] = "unknown" if value is UNKNOWN else (
            "yes" if value is True else "no" if value is False else str(value) if not isinstance(value, date)
            else value.isoformat())
    if problems:
        raise AssessmentInputError(problems)
    return parsed, texts


def stored_answers(instrument: Instrument, texts: Mapping[str, str]) -> dict[str, Any]:
    return {item.id: parse_answer(item, texts.get(item.id, "unknown")) for item in instrument.items}


def _other_results(instrument: Instrument, subject: Subject) -> tuple[dict[str, Any], dict[str, Any]]:
    """Results of other instruments that this one's items may fall back on: the subject's latest assessment with
    each, scored again only when its instrument file is loaded with the same SHA-256."""
    results: dict[str, Any] = {}
    used: dict[str, Any] = {}
    for other_id in {item.fallback.instrument for item in instrument.items if item.fallback is not None}:
        latest = subject.assessments.filter(instrument_id=other_id).latest_versions().first()
        if latest is None:
            continue
        other = latest.instrument()
        if other is None:
            used[other_id] = {"assessment": latest.pk, "used": False, "why": latest.instrument_status()}
            continue
        results[other_id] = score(other, stored_answers(other, latest.answers))
        used[other_id] = {"assessment": latest.pk, "version": latest.version, "score": latest.score_text(),
                          "used": True}
    return results, used


def assessment_record(
    *,
    actor: Any,
    subject: Subject,
    instrument_id: str,
    answers: Mapping[str, Any],
    evidence: Mapping[str, str] | None = None,
    now: Any = None,
) -> Assessment:
    """Score and record an assessment of `subject`. A later assessment of the same subject with the same instrument
    is a new version that supersedes the latest one. Raises AssessmentInputError (nothing written) for bad input."""
    instrument = registry().current(instrument_id)
    if instrument is None:
        raise AssessmentInputError([("instrument", f"{instrument_id!r} is not a loaded instrument")])
    parsed, texts = parse_answers(instrument, answers)
    notes: dict[str, str] = {}
    problems = []
    for key, note in (evidence or {}).items():
        if key not in texts:
            problems.append((f"evidence.{key}", f"is not an item of {instrument.id}"))
        elif not isinstance(note, str):
            problems.append((f"evidence.{key}", "must be text"))
        elif len(note) > MAX_NOTE:
            problems.append((f"evidence.{key}", f"is {len(note)} characters; the limit is {MAX_NOTE}"))
        elif note.strip():
            notes[key] = note.strip()
    if problems:
        raise AssessmentInputError(problems)
    now = now or timezone.now()
    today = timezone.localdate(now)
    other, other_used = _other_results(instrument, subject)
    try:
        result = score(instrument, parsed, other_results=other or None)
    except AnswerError as exc:  # parse_answers already checked types and ranges; this is the scorer's last word
        raise AssessmentInputError(list(exc.problems)) from None
    try:
        with transaction.atomic():
            Subject.objects.select_for_update().filter(pk=subject.pk).first()  # one re-assessment at a time
            previous = (
                Assessment.objects
                .filter(subject=subject, instrument_id=instrument.id)
                .latest_versions()
                .first()
            )
            assessment = Assessment(
                referral_id=subject.referral_id,
                subject=subject,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
                instrument_sha256=instrument.sha256,
                instrument_title=instrument.title,
                instrument_notice=instrument.provenance.notice,
                answers=texts,
                evidence=notes,
                other_results=other_used,
                band=result.band.id if result.band is not None else "",
                band_label=result.band.label if result.band is not None else "",
                score=result.score,
                score_max=result.score_max,
                decided_by=result.decided_by,
                rule_id=result.rule_id or "",
                step_id=result.step_id or "",
                drivers=[{"item": d.item, "question": d.question, "answer": d.answer} for d in result.drivers],
                explanation=list(result.explanation),
                unknown_count=result.unknown_count,
                unknown_items=list(result.unknown_items),
                rests_on_unknowns=result.rests_on_unknowns,
                highest_possible_band=result.highest_possible_band.label if result.highest_possible_band else "",
                not_scorable_reason=result.not_scorable_reason or "",
                applicability_warnings=subject_warnings(instrument, subject, today=today),
                subject_age=subject_age(subject, today=today),
                version=previous.version + 1 if previous else 1,
                supersedes=previous,
                created_at=now,
                created_by=actor,
            )
            assessment.save(force_insert=True)
            audit_record(
                actor=actor, action=AuditAction.ASSESSMENT_CREATE, unit_id=subject.unit_id,
                target=assessment,
                detail={"referral": subject.referral.reference, "subject": subject.pk, "instrument": instrument.id,
                        "version": instrument.version, "sha256": instrument.sha256, "band": assessment.band,
                        "score": assessment.score, "unknown": result.unknown_count,
                        "supersedes": previous.pk if previous else None},
            )
            referral = subject.referral
            referral_advance(actor=actor, referral=referral, to_status=Status.ASSESSMENT, now=now,
                             why=f"assessed with {instrument.title}")
            concern_for_assessment(actor=actor, referral=referral, assessment_id=assessment.pk,
                                   title=f"{instrument.title} v{assessment.version}", answers=texts, now=now)
            if assessment.sets_referral_band:
                _referral_reband(actor=actor, referral=referral,
                                 why=f"assessment {assessment.pk} (v{assessment.version}) computed "
                                     f"{assessment.band_label or 'no band'}")
    except IntegrityError:  # two people re-assessed the same version at once: one wins, the other is told
        raise AssessmentInputError(
            [("assessment", "another re-assessment of this subject was recorded at the same time; reload and retry")]
        ) from None
    return assessment


@dataclass(frozen=True)
class ReferralBand:
    band: str | None
    at: Any
    provisional: bool = False
    computed_by: Any = None


def _referral_band(referral: Any) -> ReferralBand:
    """The referral's band: the highest band among its subjects' current prioritisation assessments, each counting
    its supervisor's decision if it has one, or else its computed band as provisional (awaiting a decision). On a
    tie a decided band wins over a provisional one."""
    best: tuple[int, int, ReferralBand] | None = None
    order = [b.value for b in reversed(PriorityBand)]  # low ... very_high
    latest = Assessment.objects.filter(referral=referral, instrument_id__in=registry().priority_instrument_ids()).latest_versions()
    for assessment in latest.select_related("created_by"):
        decision = assessment.current_decision()
        if decision is not None:
            candidate = ReferralBand(decision.decided_band, decision.created_at)
        elif assessment.has_band and assessment.band in registry().priority_bands(assessment.instrument_id):
            candidate = ReferralBand(assessment.priority_band(assessment.band).value, assessment.created_at,
                                     provisional=True, computed_by=assessment.created_by)
        else:
            continue
        rank = (order.index(candidate.band) if candidate.band in order else -1, 0 if candidate.provisional else 1)
        if best is None or rank > best[:2]:
            best = (*rank, candidate)
    return best[2] if best else ReferralBand(None, None)


def _referral_reband(*, actor: Any, referral: Any, why: str) -> None:
    current = _referral_band(referral)
    referral_apply_band(actor=actor, referral=referral, band=current.band, decided_at=current.at, why=why,
                        provisional=current.provisional, computed_by=current.computed_by)


def band_decide(
    *,
    actor: Any,
    assessment: Assessment,
    decision: str,
    rationale: str,
    decided_band: str = "",
    now: Any = None,
) -> BandDecision:
    """A supervisor of the referral's unit confirms or overrides an assessment's band, with a written rationale;
    the referral is then re-prioritised. NotPermitted for anyone else; AssessmentInputError for bad input."""
    require(actor, Capability.DECIDE_BANDS, assessment.referral.unit_id,
            "Only a supervisor of the referral's unit confirms or overrides a band.")
    problems: list[tuple[str, str]] = []
    rationale = (rationale or "").strip()
    if not assessment.sets_referral_band:
        problems.append(("assessment", f"{assessment.instrument_title} gives a score, not a prioritisation band: "
                                       "it never sets the referral's band"))
    elif Assessment.objects.filter(supersedes=assessment).exists():
        problems.append(("assessment", f"version {assessment.version} has been superseded by a re-assessment; "
                                       "decide on the latest version"))
    if decision not in BandDecision.Decision.values:
        problems.append(("decision", "must be confirm or override"))
    elif decision == BandDecision.Decision.CONFIRM:
        if not assessment.has_band:
            problems.append(("decision", "the assessment is not scorable, so there is no band to confirm; "
                                         "override it with a band and a rationale, or complete the missing answers"))
        else:
            decided_band = assessment.band
    else:
        if decided_band not in {value for value, _ in assessment.band_choices()}:
            problems.append(("decided_band", "choose the band the referral should have"))
        elif decided_band == assessment.band:
            problems.append(("decided_band", "is the computed band: to keep it, confirm instead of overriding"))
    words = len(rationale.split())
    if not rationale:
        problems.append(("rationale", "is required: say why"))
    elif decision == BandDecision.Decision.OVERRIDE and words < MIN_OVERRIDE_WORDS:
        problems.append(("rationale", f"an override needs a substantive rationale: at least {MIN_OVERRIDE_WORDS} "
                                      f"words saying why the computed band is wrong (found {words})"))
    elif words < MIN_RATIONALE_WORDS:
        problems.append(("rationale", f"must be at least {MIN_RATIONALE_WORDS} words"))
    elif len(rationale) > 5000:
        problems.append(("rationale", "is longer than 5000 characters"))
    if problems:
        raise AssessmentInputError(problems)
    now = now or timezone.now()
    with transaction.atomic():
        row = BandDecision(
            assessment=assessment, referral_id=assessment.referral_id, supervisor=actor, decision=decision,
            computed_band=assessment.band, decided_band=assessment.priority_band(decided_band).value,
            rationale=rationale, created_at=now,
        )
        row.save(force_insert=True)
        audit_record(
            actor=actor, action=AuditAction.BANDDECISION_CREATE, unit_id=assessment.referral.unit_id,
            target=row,
            detail={"assessment": assessment.pk, "decision": decision, "computed": assessment.band,
                    "decided": row.decided_band},
        )
        _referral_reband(
            actor=actor, referral=assessment.referral,
            why=f"{row.get_decision_display()} on assessment {assessment.pk} (v{assessment.version}): {rationale}",
        )
        referral_advance(actor=actor, referral=assessment.referral, to_status=Status.AWAITING_ACTION, now=now,
                         why=f"band decided: {row.get_decided_band_display()}")
    assessment.referral.refresh_from_db()
    return row


def youth_pathway_record(
    *,
    actor: Any,
    subject: Subject,
    safeguarding_referral_made: bool,
    safeguarding_reason: str,
    outcome_21_considered: bool,
    conditions: Mapping[str, str],
    condition_reasons: Mapping[str, str],
    recommendation: str,
    reason: str,
    now: Any = None,
) -> YouthPathwayDecision:
    """Record the youth safeguarding pathway for an under-18 subject; Outcome 21 is refused while any exclusion
    condition is Yes or Unknown. A later record supersedes the previous one."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    problems: list[tuple[str, str]] = []
    age = subject_age(subject, today=today)
    if age is None or age >= 18:
        problems.append(("subject", "the youth pathway is for subjects under 18 on their recorded date of birth"))
    for cid in CONDITIONS:
        if conditions.get(cid) not in ANSWERS:
            problems.append((cid, "answer yes, no or unknown"))
        if not (condition_reasons.get(cid) or "").strip():
            problems.append((f"{cid}_reason", "give the reason for this answer"))
    for key in set(conditions) - set(CONDITIONS):
        problems.append((key, "is not a youth pathway condition"))
    if not safeguarding_reason.strip():
        problems.append(("safeguarding_reason", "say what safeguarding referral was made, or why none was"))
    if recommendation not in YouthPathwayDecision.Recommendation.values:
        problems.append(("recommendation", "choose a recommendation"))
    elif recommendation == YouthPathwayDecision.Recommendation.OUTCOME_21:
        blockers = outcome_21_blockers(dict(conditions))
        if not outcome_21_considered:
            problems.append(("recommendation", "Outcome 21 can be recommended only when it has been considered"))
        if blockers:
            names = ", ".join(OUTCOME_21_EXCLUSIONS[b].lower() for b in blockers)
            problems.append(("recommendation", f"Outcome 21 is not available: not answered No: {names}"))
    if not reason.strip():
        problems.append(("reason", "give the reason for the recommendation"))
    if problems:
        raise AssessmentInputError(problems)
    with transaction.atomic():
        Subject.objects.select_for_update().filter(pk=subject.pk).first()  # one record at a time per subject
        previous = YouthPathwayDecision.objects.filter(subject=subject, superseded_by__isnull=True).first()
        row = YouthPathwayDecision(
            referral_id=subject.referral_id, subject=subject, subject_age=age,
            safeguarding_referral_made=safeguarding_referral_made, safeguarding_reason=safeguarding_reason.strip(),
            outcome_21_considered=outcome_21_considered,
            conditions={cid: conditions[cid] for cid in CONDITIONS},
            condition_reasons={cid: condition_reasons[cid].strip() for cid in CONDITIONS},
            recommendation=recommendation, reason=reason.strip(), supersedes=previous, created_at=now,
            created_by=actor,
        )
        row.save(force_insert=True)
        audit_record(
            actor=actor, action=AuditAction.YOUTHPATHWAYDECISION_CREATE, unit_id=subject.unit_id,
            target=row,
            detail={"subject": subject.pk, "recommendation": recommendation,
                    "safeguarding_referral_made": safeguarding_referral_made,
                    "supersedes": previous.pk if previous else None},
        )
    return row
