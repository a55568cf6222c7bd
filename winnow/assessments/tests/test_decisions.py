"""Supervisors of the referral's unit confirm or override a band with a rationale; both bands are kept."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.assessments.models import BandDecision
from winnow.assessments.services import AssessmentInputError, assessment_record, band_decide
from winnow.audit.models import AuditEvent
from winnow.core.priority import Tier
from winnow.permissions import NotPermitted

from .conftest import GROOMING_WITH_ACCESS, OVERRIDE_WHY


def test_it_sets_the_referral_band_when_a_supervisor_confirms(assessed: Any, supervisor: Any, referral: Any) -> None:
    decision = band_decide(actor=supervisor, assessment=assessed, decision="confirm", rationale="Agreed, rule 2a fits.")
    referral.refresh_from_db()
    assert (decision.computed_band, decision.decided_band) == ("very_high", "very_high")
    assert referral.band == "very_high" and referral.priority_tier == Tier.VERY_HIGH
    assert AuditEvent.objects.filter(action="banddecision.create", actor=supervisor).exists()
    assert AuditEvent.objects.filter(action="referral.prioritise", target_id=str(referral.pk)).exists()


def test_it_keeps_both_bands_when_a_supervisor_overrides(assessed: Any, supervisor: Any, referral: Any) -> None:
    band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="medium",
                rationale=OVERRIDE_WHY)
    referral.refresh_from_db()
    assessed.refresh_from_db()
    assert referral.band == "medium" and assessed.band == "very_high"
    decision = assessed.current_decision()
    assert (decision.decision, decision.computed_band, decision.decided_band) == ("override", "very_high", "medium")
    assert decision.rationale == OVERRIDE_WHY


def test_it_keeps_a_later_decision_as_a_new_row(assessed: Any, supervisor: Any, referral: Any) -> None:
    band_decide(actor=supervisor, assessment=assessed, decision="confirm", rationale="Agreed, rule 2a fits.")
    band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="high", rationale=OVERRIDE_WHY)
    assert BandDecision.objects.filter(assessment=assessed).count() == 2
    referral.refresh_from_db()
    assert referral.band == "high"


@pytest.mark.parametrize("rationale", ["", "   ", "Disagree.", "Access ended, see notes."])
def test_it_refuses_an_override_without_a_substantive_rationale(assessed: Any, supervisor: Any, rationale: str) -> None:
    with pytest.raises(AssessmentInputError) as caught:
        band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="low", rationale=rationale)
    assert "rationale" in dict(caught.value.problems)
    assert not BandDecision.objects.exists()


def test_it_refuses_an_override_to_the_same_band(assessed: Any, supervisor: Any) -> None:
    with pytest.raises(AssessmentInputError, match="confirm instead"):
        band_decide(actor=supervisor, assessment=assessed, decision="override", decided_band="very_high",
                    rationale=OVERRIDE_WHY)


@pytest.mark.parametrize("who", ["handler", "investigator", "outsider_supervisor"])
def test_it_refuses_anyone_but_a_supervisor_of_the_unit(assessed: Any, who: str, request: Any) -> None:
    with pytest.raises(NotPermitted):
        band_decide(actor=request.getfixturevalue(who), assessment=assessed, decision="confirm",
                    rationale="Agreed, rule 2a fits.")
    assert not BandDecision.objects.exists()


def test_it_never_lets_cport_set_the_referral_band(subject: Any, handler: Any, supervisor: Any, referral: Any) -> None:
    cport = assessment_record(actor=handler, subject=subject, instrument_id="cport", answers={})
    with pytest.raises(AssessmentInputError, match="score, not a prioritisation band"):
        band_decide(actor=supervisor, assessment=cport, decision="override", decided_band="high", rationale=OVERRIDE_WHY)
    referral.refresh_from_db()
    assert referral.band == ""


def test_it_refuses_deciding_on_a_superseded_version(assessed: Any, subject: Any, handler: Any, supervisor: Any) -> None:
    assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation", answers=GROOMING_WITH_ACCESS)
    with pytest.raises(AssessmentInputError, match="superseded"):
        band_decide(actor=supervisor, assessment=assessed, decision="confirm", rationale="Agreed, rule 2a fits.")


def test_it_lets_a_not_scorable_assessment_be_overridden_but_not_confirmed(subject: Any, handler: Any,
                                                                            supervisor: Any, referral: Any) -> None:
    blank = assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation", answers={})
    assert blank.band == "not_scorable"
    with pytest.raises(AssessmentInputError, match="no band to confirm"):
        band_decide(actor=supervisor, assessment=blank, decision="confirm", rationale="Looks right to me.")
    band_decide(actor=supervisor, assessment=blank, decision="override", decided_band="high", rationale=OVERRIDE_WHY)
    referral.refresh_from_db()
    assert referral.band == "high"
