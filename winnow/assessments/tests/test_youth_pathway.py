"""Under-18 subjects get the youth safeguarding pathway; Outcome 21 is refused while any exclusion is not No."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.assessments.models import YouthPathwayDecision
from winnow.assessments.services import AssessmentInputError, is_under_18, youth_pathway_record
from winnow.assessments.youth import CONDITIONS
from winnow.audit.models import AuditEvent


def _answers(**overrides: str) -> dict[str, Any]:
    conditions = {cid: "no" for cid in CONDITIONS} | overrides
    return {
        "safeguarding_referral_made": True, "safeguarding_reason": "Referred to children's social care (fictional).",
        "outcome_21_considered": True, "conditions": conditions,
        "condition_reasons": {cid: "Checked with the school and the family (fictional)." for cid in CONDITIONS},
        "recommendation": "outcome_21", "reason": "Two 15-year-olds, consensual, no adult, no onward sharing.",
    }


def test_it_knows_who_is_under_18(child: Any, subject: Any) -> None:
    from django.utils import timezone

    assert is_under_18(child, today=timezone.localdate())
    assert not is_under_18(subject, today=timezone.localdate())


def test_it_records_outcome_21_when_every_exclusion_is_no(child: Any, handler: Any) -> None:
    row = youth_pathway_record(actor=handler, subject=child, **_answers())
    assert row.recommendation == "outcome_21" and row.subject_age == 15
    assert row.condition_reasons["malice"].startswith("Checked")
    assert AuditEvent.objects.filter(action="youthpathwaydecision.create", target_id=str(row.pk)).exists()


@pytest.mark.parametrize("condition", ["adult_involvement", "exploitation", "coercion", "malice", "profit_motive"])
@pytest.mark.parametrize("answer", ["yes", "unknown"])
def test_it_refuses_outcome_21_when_an_exclusion_is_not_no(child: Any, handler: Any, condition: str,
                                                           answer: str) -> None:
    with pytest.raises(AssessmentInputError, match="Outcome 21 is not available") as caught:
        youth_pathway_record(actor=handler, subject=child, **_answers(**{condition: answer}))
    assert CONDITIONS[condition].lower() in str(caught.value)
    assert not YouthPathwayDecision.objects.exists()


def test_it_records_full_investigation_and_flags_an_immediate_referral(child: Any, handler: Any) -> None:
    answers = _answers(adult_involvement="yes", pictured_under_13="yes") | {"recommendation": "investigate"}
    row = youth_pathway_record(actor=handler, subject=child, **answers)
    assert row.outcome_21_blockers() == [CONDITIONS["adult_involvement"]]
    assert CONDITIONS["pictured_under_13"] in row.immediate_referral()


def test_it_needs_a_reason_for_every_condition(child: Any, handler: Any) -> None:
    answers = _answers()
    answers["condition_reasons"] = {**answers["condition_reasons"], "malice": " "}
    with pytest.raises(AssessmentInputError) as caught:
        youth_pathway_record(actor=handler, subject=child, **answers)
    assert "malice_reason" in dict(caught.value.problems)


def test_it_refuses_the_youth_pathway_for_an_adult(subject: Any, handler: Any) -> None:
    with pytest.raises(AssessmentInputError, match="under 18"):
        youth_pathway_record(actor=handler, subject=subject, **_answers())


def test_it_links_a_revised_decision_to_the_previous_one(child: Any, handler: Any) -> None:
    first = youth_pathway_record(actor=handler, subject=child, **_answers())
    second = youth_pathway_record(actor=handler, subject=child, **(_answers() | {"recommendation": "enquiries"}))
    assert second.supersedes_id == first.pk
