"""A computed band counts at once, before a supervisor decides it; the decision confirms or moves it; the status
follows what happened (assessed -> Assessment; band decided -> Awaiting action)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from winnow.assessments.services import assessment_record, band_decide
from winnow.core.priority import Tier, add_days
from winnow.referrals.models import Status

from .conftest import GROOMING_WITH_ACCESS, OVERRIDE_WHY


def test_it_places_a_computed_band_in_its_tier_at_once_tagged_awaiting_decision(
    assessed: Any, referral: Any, handler: Any
) -> None:
    referral.refresh_from_db()
    assert assessed.band == "very_high"
    assert (referral.band, referral.priority_tier, referral.band_provisional) == ("very_high", Tier.VERY_HIGH, True)
    assert referral.band_computed_by == handler
    assert referral.deadline_at == add_days(assessed.created_at, 1)  # Very High: 1 day from the assessment
    assert referral.status == Status.ASSESSMENT
    assert [c.to_status for c in referral.status_changes.all()] == ["assessment"]


def test_the_decision_confirms_or_moves_it_and_the_status_follows(
    assessed: Any, referral: Any, supervisor: Any
) -> None:
    later = assessed.created_at + timedelta(hours=3)
    band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="medium",
                rationale=OVERRIDE_WHY, now=later)
    referral.refresh_from_db()
    assert (referral.band, referral.priority_tier, referral.band_provisional) == ("medium", Tier.MEDIUM, False)
    assert referral.band_computed_by is None
    assert referral.deadline_at == add_days(later, 14)
    assert referral.status == Status.AWAITING_ACTION
    assert [c.to_status for c in referral.status_changes.all()] == ["assessment", "awaiting_action"]


def test_a_decided_band_outranks_an_equal_provisional_one_and_a_higher_provisional_one_wins(
    assessed: Any, referral: Any, supervisor: Any, handler: Any, child: Any
) -> None:
    band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="low",
                rationale=OVERRIDE_WHY)
    referral.refresh_from_db()
    assert (referral.band, referral.band_provisional) == ("low", False)
    # A second subject's assessment computes Very High: the referral rises at once, awaiting the decision.
    other = referral.subjects.exclude(pk=assessed.subject_id).exclude(pk=child.pk)
    target = other.first() or child
    assessment_record(actor=handler, subject=target, instrument_id="phased-prioritisation",
                      answers=GROOMING_WITH_ACCESS)
    referral.refresh_from_db()
    assert (referral.band, referral.band_provisional) == ("very_high", True)
    assert referral.status == Status.AWAITING_ACTION  # never moved back


def test_an_unscorable_assessment_leaves_the_referral_unassessed(subject: Any, referral: Any, handler: Any) -> None:
    assessment = assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation", answers={})
    referral.refresh_from_db()
    if assessment.has_band:  # everything unknown may still reach a band under some rules: then it is provisional
        assert referral.band_provisional
    else:
        assert (referral.band, referral.priority_tier, referral.band_provisional) == ("", Tier.UNASSESSED, False)
    assert referral.status == Status.ASSESSMENT
