"""Recording an assessment: every answer kept (unknowns explicit), the band explained, versions linked, audited."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.assessments.models import Assessment
from winnow.assessments.services import AssessmentInputError, assessment_record
from winnow.audit.models import AuditEvent

from .conftest import GROOMING_WITH_ACCESS


def test_it_records_band_explanation_and_every_answer_with_unknowns_explicit(assessed: Any, handler: Any) -> None:
    a = Assessment.objects.get(pk=assessed.pk)
    assert (a.band, a.band_label, a.rule_id) == ("very_high", "Very High", "2a")
    assert a.answers["grooming"] == "yes" and a.answers["incitement"] == "unknown"
    assert len(a.answers) == 14 and a.unknown_count == 11 and "incitement" in a.unknown_items
    assert {d["item"] for d in a.drivers} >= {"lives_with_children", "grooming"}
    assert any("NOT KIRAT" in line for line in a.explanation)
    assert "NOT KIRAT" in a.instrument_notice
    assert a.evidence == {"grooming": "Chat logs in the CyberTipline package, fictional."}
    assert len(a.instrument_sha256) == 64 and a.instrument_version == "0.2.0"
    assert a.version == 1 and a.supersedes is None and a.subject_age is not None and a.subject_age >= 18
    assert AuditEvent.objects.filter(action="assessment.create", target_id=str(a.pk), actor=handler).exists()


def test_it_links_a_reassessment_to_the_previous_version(assessed: Any, subject: Any, handler: Any) -> None:
    again = assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                              answers={**GROOMING_WITH_ACCESS, "lives_with_children": "no",
                                       "access_children_known": "no", "access_children_role": "no"})
    assert again.version == 2 and again.supersedes_id == assessed.pk
    assert again.band == "high"  # grooming without access: rule 3a
    assert Assessment.objects.get(pk=assessed.pk).band == "very_high"  # the first version is untouched
    assert list(Assessment.objects.filter(subject=subject).latest_versions()) == [again]


def test_it_names_each_bad_answer_and_writes_nothing(subject: Any, handler: Any) -> None:
    with pytest.raises(AssessmentInputError) as caught:
        assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                          answers={"grooming": "perhaps", "sexual_convictions": "-1", "shoe_size": "9",
                                   "any_access": "yes"})
    problems = dict(caught.value.problems)
    assert "not yes, no or unknown" in problems["grooming"]
    assert "not a whole number" in problems["sexual_convictions"]
    assert "not an item" in problems["shoe_size"]
    assert "derived item" in problems["any_access"]
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.create").exists()


def test_it_refuses_an_instrument_that_is_not_loaded(subject: Any, handler: Any) -> None:
    with pytest.raises(AssessmentInputError, match="instrument: 'kirat' is not a loaded instrument"):
        assessment_record(actor=handler, subject=subject, instrument_id="kirat", answers={})


def test_it_records_applicability_warnings_for_a_female_subject(child: Any, handler: Any) -> None:
    a = assessment_record(actor=handler, subject=child, instrument_id="phased-prioritisation", answers={})
    text = " ".join(a.applicability_warnings)
    assert "female" in text and "under 18" in text and "youth safeguarding pathway" in text
    assert a.band == "not_scorable"


def test_it_warns_when_the_date_of_birth_is_unknown(referral: Any, handler: Any) -> None:
    from winnow.referrals.models import Subject

    unknown = Subject.objects.create(referral=referral, unit=referral.unit, role="reported", sex="male",
                                     created_by=handler)
    a = assessment_record(actor=handler, subject=unknown, instrument_id="phased-prioritisation",
                          answers=GROOMING_WITH_ACCESS)
    assert a.subject_age is None
    assert any("date of birth is unknown" in w for w in a.applicability_warnings)


def test_it_keeps_cport_a_score_and_lets_casic_answer_its_sexual_interest_item(subject: Any, handler: Any) -> None:
    casic = assessment_record(actor=handler, subject=subject, instrument_id="casic",
                              answers={item: "yes" for item in
                                       ("never_married", "csam_videos", "csam_text_stories")})
    cport = assessment_record(actor=handler, subject=subject, instrument_id="cport", answers={
        "age_at_index": 40, "prior_criminal_history": False, "contact_sexual_offending": False,
        "conditional_release_failure": False, "more_boy_content_csam": False, "more_boy_content_other": None})
    assert cport.band == "" and cport.score == 1  # only item 5, answered Yes from CASIC's score of 3
    assert cport.answers["sexual_interest"] == "unknown" and cport.answers["age_at_index"] == "40"
    assert cport.other_results["casic"]["assessment"] == casic.pk
    assert any("CASIC" in line or "casic" in line for line in cport.explanation)
    assert not cport.sets_referral_band
