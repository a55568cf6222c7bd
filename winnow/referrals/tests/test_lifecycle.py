from __future__ import annotations

from typing import Any

import pytest

from winnow.referrals.models import IllegalTransition, Status
from winnow.referrals.services import referral_transition


def test_it_moves_forward_through_the_lifecycle(referral: Any, supervisor: Any) -> None:
    for status in [Status.ASSESSMENT, Status.AWAITING_ACTION, Status.IN_ACTION]:
        referral_transition(actor=supervisor, referral=referral, to_status=status)
        assert referral.status == status
    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED,
                        disposition="charged", reason="Charged with fictional offences.")
    assert referral.status == Status.CLOSED
    assert [c.to_status for c in referral.status_changes.all()] == [
        "assessment", "awaiting_action", "in_action", "closed"]


@pytest.mark.parametrize("target", [Status.AWAITING_ACTION, Status.IN_ACTION, Status.RECEIVED, "bogus"])
def test_it_refuses_skipping_or_going_back(referral: Any, supervisor: Any, target: str) -> None:
    with pytest.raises(IllegalTransition):
        referral_transition(actor=supervisor, referral=referral, to_status=target)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert not referral.status_changes.exists()


@pytest.mark.parametrize(("disposition", "reason"), [("", "A reason"), ("charged", ""), ("charged", "   "), ("made-up", "x")])
def test_it_needs_a_disposition_and_a_reason_to_close(referral: Any, supervisor: Any, disposition: str, reason: str) -> None:
    with pytest.raises(IllegalTransition):
        referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED,
                            disposition=disposition, reason=reason)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_it_never_moves_a_closed_referral(referral: Any, supervisor: Any) -> None:
    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED,
                        disposition="duplicate", reason="Duplicate of a fictional earlier referral.")
    for target in Status.values:
        with pytest.raises(IllegalTransition):
            referral_transition(actor=supervisor, referral=referral, to_status=target,
                                disposition="charged", reason="again")


def test_it_closes_through_the_page_with_disposition_and_reason(client: Any, supervisor: Any, referral: Any) -> None:
    client.force_login(supervisor)
    url = f"/referrals/{referral.pk}/close/"
    page = client.get(url).content.decode()
    assert 'type="radio"' in page and " checked" not in page  # no outcome preselected: a person chooses
    response = client.post(url, {"disposition": "", "reason": ""})
    assert response.status_code == 200 and "Choose the outcome" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    # Until its band is decided, only a duplicate or a transfer closes it.
    response = client.post(url, {"disposition": "nfa", "reason": "Fictional: insufficient evidence."})
    assert response.status_code == 200 and "decides its band before it closes" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    for status in (Status.ASSESSMENT, Status.AWAITING_ACTION):
        referral_transition(actor=supervisor, referral=referral, to_status=status)
    response = client.post(url, {"disposition": "nfa", "reason": "Fictional: insufficient evidence."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.disposition) == (Status.CLOSED, "nfa")


def test_the_page_offers_no_bare_move_and_says_which_event_moves_the_status_next(
    client: Any, handler: Any, supervisor: Any, referral: Any
) -> None:
    """Status follows what happened: an assessment, a band decision, the first enforcement action. The page has
    no "Move to" button (a press could skip the supervisor's decision); it says what moves the referral next."""
    from django.utils import timezone

    from winnow.assessments.services import assessment_record, band_decide
    from winnow.workload.services import case_action_record

    def page() -> str:
        body = client.get(f"/referrals/{referral.pk}/").content.decode()
        assert "Move to" not in body and "/transition/" not in body
        return body

    client.force_login(supervisor)
    assert "moves to Assessment when someone records an assessment" in page()
    assessment = assessment_record(actor=handler, subject=referral.subjects.get(), instrument_id="phased-prioritisation",
                                   answers={"lives_with_children": "yes", "grooming": "yes",
                                            "prior_contact_offence": "no"})
    assert "moves to Awaiting action when a supervisor confirms or overrides its band" in page()
    band_decide(actor=supervisor, assessment=assessment, decision="confirm", rationale="Fictional: agreed.")
    assert "moves to In action when the first enforcement action" in page()
    case_action_record(actor=supervisor, referral=referral, kind="arrest", occurred_at=timezone.now())
    assert "closes when an investigator or supervisor closes it" in page()
    referral.refresh_from_db()
    assert referral.status == Status.IN_ACTION
    assert client.post(f"/referrals/{referral.pk}/transition/", {"to": "closed"}).status_code == 404  # no such page


def test_it_puts_form_errors_on_the_fields_they_are_about(client: Any, handler: Any, units: Any) -> None:
    from winnow.referrals.models import Referral

    client.force_login(handler)
    response = client.post("/referrals/new/", {
        "unit": units["north"].pk, "source": "ncmec", "received_at": "2026-11-20T10:00", "summary": "Fictional.",
        "immediate_danger": "no", "subject_given_names": "=cmd", "subject_sex": "unknown",
        "identifier_0_kind": "", "identifier_2_kind": "email", "identifier_2_value": "not-an-email",
    })
    form = response.context["form"]
    assert "formula" in form.errors["subject_given_names"][0]
    assert "email" in form.errors["identifier_2_value"][0]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.ASSESSMENT])
def test_it_refuses_closing_before_the_band_is_decided_except_as_a_duplicate_or_transfer(
    referral: Any, supervisor: Any, status: str
) -> None:
    if status == Status.ASSESSMENT:
        referral_transition(actor=supervisor, referral=referral, to_status=status)
    with pytest.raises(IllegalTransition, match="decides its band"):
        referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED, disposition="charged",
                            reason="Fictional.")
    referral_transition(actor=supervisor, referral=referral, to_status=Status.CLOSED, disposition="transferred",
                        reason="Passed to a fictional neighbouring force.")
    assert referral.status == Status.CLOSED
