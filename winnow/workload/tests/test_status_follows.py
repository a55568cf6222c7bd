"""The status follows what happened: an assignment takes a Received referral into Assessment; the first enforcement
action puts it In action, each step kept as a StatusChange with why. And the referral shows one timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from winnow.referrals.models import Status
from winnow.workload.services import case_action_record, referrals_assign


def test_an_assignment_moves_a_received_referral_into_assessment(referral: Any, supervisor: Any,
                                                                 investigator: Any) -> None:
    referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
    referral.refresh_from_db()
    assert referral.status == Status.ASSESSMENT
    assert referral.status_changes.get().reason == "assigned to ivan.investigator"


def test_the_first_enforcement_action_moves_it_in_action_and_later_ones_do_not(referral: Any,
                                                                              investigator: Any) -> None:
    case_action_record(actor=investigator, referral=referral, kind="research", occurred_at=timezone.now())
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED  # research is not enforcement
    when = timezone.now() - timedelta(minutes=5)
    case_action_record(actor=investigator, referral=referral, kind="arrest", occurred_at=when)
    referral.refresh_from_db()
    assert referral.status == Status.IN_ACTION
    changes = list(referral.status_changes.all())
    assert [c.to_status for c in changes] == ["assessment", "awaiting_action", "in_action"]
    assert all(c.at == when and c.reason == "first enforcement action: Arrest" for c in changes)
    case_action_record(actor=investigator, referral=referral, kind="devices_seized", occurred_at=timezone.now())
    assert referral.status_changes.count() == 3


def test_the_referral_page_shows_one_timeline(client: Any, referral: Any, handler: Any, supervisor: Any,
                                              investigator: Any) -> None:
    from winnow.assessments.services import assessment_record, band_decide
    from winnow.intake.corrections import referral_correct

    subject = referral.subjects.get()
    referral_correct(actor=handler, referral=referral, field="immediate_danger", value=True,
                     reason="Fictional: the referrer phoned back.")
    assessment = assessment_record(actor=handler, subject=subject, instrument_id="phased-prioritisation",
                                   answers={"lives_with_children": "yes", "grooming": "yes",
                                            "prior_contact_offence": "no"})
    band_decide(actor=supervisor, assessment=assessment, decision="confirm", rationale="Agreed, rule 2a fits.")
    referrals_assign(actor=supervisor, referrals=[referral], assignee=investigator)
    case_action_record(actor=investigator, referral=referral, kind="arrest", occurred_at=timezone.now())
    client.force_login(investigator)
    response = client.get(referral.get_absolute_url())
    kinds = [e.kind for e in response.context["events"]] if "events" in response.context else []
    body = response.content.decode()
    assert "Timeline" in body
    for kind in ("Recorded", "Correction", "Assessment", "Band decision", "Assignment", "Action", "Notification",
                 "Status"):
        assert kind in kinds, (kind, kinds)
    assert kinds[0] == "Recorded"
    assert "Case action log" in body


def test_a_closed_referral_keeps_its_case_action_log_link(client: Any, referral: Any, supervisor: Any) -> None:
    from winnow.referrals.services import referral_transition

    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED, disposition="duplicate",
                        reason="Duplicate of a fictional earlier referral.")
    client.force_login(supervisor)
    body = client.get(referral.get_absolute_url()).content.decode()
    assert f"/queue/referrals/{referral.pk}/actions/" in body and "Close referral" not in body
    assert f"/assessments/subjects/{referral.subjects.get().pk}/\"" not in body  # a closed referral offers no Assess
